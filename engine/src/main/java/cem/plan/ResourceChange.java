package cem.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * The planned change of one resource, attribute by attribute.
 *
 * @param address {@code type.name}
 * @param previousAddress the address it had before a {@code moved} entry, or null
 * @param type the resource type
 * @param host the host it lives on
 * @param provider the provider that manages its type
 * @param action what happens
 * @param before attributes now (refreshed), or null when it does not exist
 * @param after attributes after the change, or null when it will not exist
 * @param afterUnknown attributes whose value is known only after apply
 * @param sensitive attributes whose values are never shown
 * @param replacePaths attributes whose change forces replacement
 * @param reason why this action (explanation only; never drives apply), or null
 * @param identity the object's identity on the host before the change, or null
 * @param dependencies addresses this resource depends on (from the configuration, or the state for deletions)
 */
public record ResourceChange(
        String address,
        String previousAddress,
        String type,
        String host,
        String provider,
        Action action,
        JsonNode before,
        JsonNode after,
        Set<String> afterUnknown,
        Set<String> sensitive,
        Set<String> replacePaths,
        String reason,
        String identity,
        List<String> dependencies) {

    public ResourceChange {
        // Sorted, so that plans print the same way every time.
        afterUnknown = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(afterUnknown));
        sensitive = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(sensitive));
        replacePaths = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(replacePaths));
        dependencies = List.copyOf(dependencies);
    }

    public String name() {
        return address.substring(address.indexOf('.') + 1);
    }
}

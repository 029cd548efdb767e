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
 * @param adopting the object exists on the host but not in the state: apply records it (Terraform's import), then
 *     makes the action's changes, if any
 * @param effects what apply also does on the host beyond the attributes shown (a service restarted, a backup
 *     written, an installer run), in words, from the provider
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
        List<String> dependencies,
        boolean adopting,
        List<String> effects) {

    public ResourceChange {
        // Sorted, so that plans print the same way every time.
        afterUnknown = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(afterUnknown));
        sensitive = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(sensitive));
        replacePaths = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(replacePaths));
        dependencies = List.copyOf(dependencies);
        effects = List.copyOf(effects);
    }

    /** A change that adopts nothing and has no effects beyond its attributes. */
    public ResourceChange(String address, String previousAddress, String type, String host, String provider, Action action,
            JsonNode before, JsonNode after, Set<String> afterUnknown, Set<String> sensitive, Set<String> replacePaths,
            String reason, String identity, List<String> dependencies) {
        this(address, previousAddress, type, host, provider, action, before, after, afterUnknown, sensitive, replacePaths, reason,
                identity, dependencies, false, List.of());
    }

    /** This change, adopting the object it finds on the host. */
    public ResourceChange adopted() {
        return new ResourceChange(address, previousAddress, type, host, provider, action, before, after, afterUnknown, sensitive,
                replacePaths, reason, identity, dependencies, true, effects);
    }

    /**
     * This change with what its provider knows before apply: attribute values (no longer unknown) and
     * side effects.
     */
    public ResourceChange refined(java.util.Map<String, JsonNode> known, List<String> sideEffects) {
        JsonNode planned = after;
        Set<String> unknown = new java.util.TreeSet<>(afterUnknown);
        if (after != null && !known.isEmpty()) {
            com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) after).deepCopy();
            known.forEach(copy::set);
            unknown.removeAll(known.keySet());
            planned = copy;
        }
        List<String> all = new java.util.ArrayList<>(effects);
        all.addAll(sideEffects);
        return new ResourceChange(address, previousAddress, type, host, provider, action, before, planned, unknown, sensitive,
                replacePaths, reason, identity, dependencies, adopting, all);
    }

    public String name() {
        return address.substring(address.indexOf('.') + 1);
    }
}

package cem.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A resource as the configuration wants it.
 *
 * @param address {@code type.name}
 * @param type the resource type
 * @param host the host name
 * @param attributes the attributes (meta keys removed, provider defaults filled in; secrets as references)
 * @param dependencies the addresses it refers to
 * @param preventDestroy {@code lifecycle.preventDestroy}
 * @param ignoreChanges {@code lifecycle.ignoreChanges}
 * @param baseDirectory where relative paths and {@code ${file:…}} references of this resource start
 */
public record DesiredResource(String address, String type, String host, ObjectNode attributes, List<String> dependencies,
        boolean preventDestroy, Set<String> ignoreChanges, Path baseDirectory) {

    /** Keys of a resource entry that are about cem, not attributes of the object. */
    public static final Set<String> META_KEYS = Set.of("type", "name", "host", "description", "dependsOn", "lifecycle");

    public DesiredResource {
        dependencies = List.copyOf(dependencies);
        ignoreChanges = Set.copyOf(ignoreChanges);
    }
}

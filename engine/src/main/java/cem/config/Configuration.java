package cem.config;

import cem.diag.SourceRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A configuration directory merged into one model.
 *
 * @param directory the directory it was read from
 * @param documents every file read, in name order
 * @param hosts hosts by name
 * @param resources resources in file order
 * @param perimeter the externally managed perimeter, or null when none is declared
 * @param moved renames of resources ({@code moved:} entries)
 * @param removed resources to forget ({@code removed:} entries)
 */
public record Configuration(
        Path directory,
        List<YamlDocument> documents,
        Map<String, HostConfig> hosts,
        List<ResourceConfig> resources,
        Perimeter perimeter,
        List<Moved> moved,
        List<Removed> removed) {

    /** A {@code moved} entry. */
    public record Moved(String from, String to, cem.diag.SourceRange range) {}

    /** A {@code removed} entry. */
    public record Removed(String from, cem.diag.SourceRange range) {}

    public Configuration {
        documents = List.copyOf(documents);
        hosts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hosts));
        resources = List.copyOf(resources);
        moved = List.copyOf(moved);
        removed = List.copyOf(removed);
    }

    /** The {@code backend:} block (the first file that declares one), or null for the local state file. */
    public com.fasterxml.jackson.databind.JsonNode backend() {
        for (YamlDocument doc : documents) {
            if (doc.root() != null && doc.root().path("backend").isObject()) {
                return doc.root().get("backend");
            }
        }
        return null;
    }

    /** The document that declares the backend, or null. */
    public YamlDocument backendDocument() {
        for (YamlDocument doc : documents) {
            if (doc.root() != null && doc.root().path("backend").isObject()) {
                return doc;
            }
        }
        return null;
    }

    public Optional<ResourceConfig> resource(String type, String name) {
        return resources.stream().filter(r -> r.type().equals(type) && r.name().equals(name)).findFirst();
    }

    public Optional<ResourceConfig> resource(String address) {
        return resources.stream().filter(r -> r.address().equals(address)).findFirst();
    }

    public List<ResourceConfig> ofType(String type) {
        List<ResourceConfig> out = new ArrayList<>();
        for (ResourceConfig r : resources) {
            if (r.type().equals(type)) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Diagnostics that name a resource but no place (from providers and transports), attached to
     * the resource's declaration, so users see which block failed.
     */
    public cem.diag.Diagnostics attach(cem.diag.Diagnostics diagnostics) {
        cem.diag.Diagnostics.Builder out = cem.diag.Diagnostics.builder();
        for (cem.diag.Diagnostic d : diagnostics) {
            if (d.subject() == null && d.address() != null) {
                out.add(resource(d.address()).map(r -> d.withSubject(r.declRange())).orElse(d));
            } else {
                out.add(d);
            }
        }
        return out.build();
    }

    /** The lines of a file that was read, for diagnostic snippets. */
    public List<String> lines(Path file) {
        for (YamlDocument doc : documents) {
            if (doc.file().equals(file)) {
                return doc.lines();
            }
        }
        return List.of();
    }

    /** A position for a host name, or the file start if unknown. */
    public SourceRange hostRange(String host) {
        HostConfig h = hosts.get(host);
        return h == null ? SourceRange.fileStart(directory) : h.declRange();
    }
}

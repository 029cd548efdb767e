package cem.config;

import cem.diag.SourceRange;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One parsed YAML file: its tree (as JSON nodes, so the schema validator can read it) and the
 * source span of every node, keyed by JSON Pointer.
 *
 * @param file the file as shown to users
 * @param source the file's absolute path (relative paths in the file are resolved from its directory)
 * @param lines the file's lines, for diagnostics snippets
 * @param root the document's root node
 * @param spans JSON Pointer ("" for the root, "/resources/0/port") to the node's span
 */
public record YamlDocument(Path file, Path source, List<String> lines, JsonNode root, Map<String, NodeSpan> spans) {

    public YamlDocument {
        lines = List.copyOf(lines);
        spans = Map.copyOf(spans);
    }

    /** The directory relative paths written in this file start from. */
    public Path directory() {
        return source.getParent();
    }

    /** The span of the node at {@code pointer}, or of its nearest ancestor that has one. */
    public NodeSpan span(String pointer) {
        String p = pointer;
        while (true) {
            NodeSpan span = spans.get(p);
            if (span != null) {
                return span;
            }
            if (p.isEmpty()) {
                return new NodeSpan(null, SourceRange.fileStart(file));
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    /** The value's range at {@code pointer} (or the nearest ancestor's). */
    public SourceRange valueRange(String pointer) {
        return span(pointer).value();
    }

    /** The key's range at {@code pointer} when it has one, else the value's. */
    public SourceRange keyRange(String pointer) {
        return span(pointer).keyOrValue();
    }

    /** Appends one reference token to a JSON Pointer, escaping '~' and '/'. */
    public static String pointer(String parent, String token) {
        return parent + "/" + token.replace("~", "~0").replace("/", "~1");
    }

    public static String pointer(String parent, int index) {
        return parent + "/" + index;
    }
}

package cem.config;

import cem.diag.SourceRange;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One resource as configured: its type, name, host and attributes, and where it was written.
 *
 * @param type the resource type, e.g. {@code iis_binding}
 * @param name unique per type
 * @param host the name of the host it lives on, or null when absent
 * @param body the resource's mapping as written (attributes included)
 * @param doc the file it comes from
 * @param pointer where it stands in that file, e.g. {@code /resources/3}
 */
public record ResourceConfig(String type, String name, String host, JsonNode body, YamlDocument doc, String pointer) {

    /** Terraform-style address: {@code type.name}. */
    public String address() {
        return type + "." + name;
    }

    /** The resource's first line (its {@code type:} entry). */
    public SourceRange declRange() {
        return doc.valueRange(pointer);
    }

    /** The value of an attribute path such as {@code listenerPort} or {@code gateways/0/port}. */
    public SourceRange range(String path) {
        return doc.valueRange(pointer + "/" + path);
    }

    public JsonNode attr(String path) {
        JsonNode node = body;
        for (String part : path.split("/")) {
            node = part.matches("\\d+") ? node.path(Integer.parseInt(part)) : node.path(part);
        }
        return node;
    }

    public Optional<String> string(String attribute) {
        JsonNode node = body.get(attribute);
        return node != null && node.isTextual() ? Optional.of(node.asText()) : Optional.empty();
    }

    public Optional<Integer> integer(String attribute) {
        JsonNode node = body.get(attribute);
        return node != null && node.isIntegralNumber() ? Optional.of(node.asInt()) : Optional.empty();
    }

    public boolean flag(String attribute, boolean fallback) {
        JsonNode node = body.get(attribute);
        return node != null && node.isBoolean() ? node.asBoolean() : fallback;
    }

    public List<String> strings(String attribute) {
        List<String> out = new ArrayList<>();
        body.path(attribute).forEach(n -> {
            if (n.isTextual()) {
                out.add(n.asText());
            }
        });
        return out;
    }
}

package cem.config;

import cem.diag.SourceRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A typed reference from one resource to another: the edges of the resource graph.
 *
 * @param from the referring resource
 * @param targetAddress the address referred to ({@code type.name})
 * @param field the attribute path that holds the reference, e.g. {@code gateways/0/gateway}
 * @param range where the reference is written
 */
public record Reference(ResourceConfig from, String targetAddress, String field, SourceRange range) {

    /** Reference fields per resource type: attribute → the type it names. Lists are expanded. */
    private static final Map<String, Map<String, String>> FIELDS = Map.of(
            "iis_binding", Map.of("certificate", "certificate"),
            "internet_gateway", Map.of("certificate", "certificate"),
            "site_server", Map.of("certificate", "certificate"),
            "cem_policy", Map.of("gateways/*/gateway", "internet_gateway", "targets/*", "resource_target"),
            "offline_package", Map.of("policy", "cem_policy"),
            "nft_rule", Map.of("gateway", "internet_gateway"),
            "bigip_gateway_vip", Map.of("gateway", "internet_gateway"));

    /** The attribute a reference field belongs to ({@code targets/0} → {@code targets}). */
    public String attribute() {
        return field.split("/", 2)[0];
    }

    /** The reference fields of a resource type: attribute path (a list's items as {@code *}) → the type it names. */
    public static Map<String, String> fields(String type) {
        return FIELDS.getOrDefault(type, Map.of());
    }

    /** Every reference a resource makes, typed fields first, then {@code dependsOn}. */
    public static List<Reference> of(ResourceConfig r) {
        List<Reference> out = new ArrayList<>();
        fields(r.type()).entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String[] parts = e.getKey().split("/\\*", 2);
            if (parts.length == 1) {
                r.string(parts[0]).ifPresent(name -> out.add(new Reference(r, e.getValue() + "." + name, parts[0], r.range(parts[0]))));
                return;
            }
            var list = r.body().path(parts[0]);
            for (int i = 0; i < list.size(); i++) {
                String path = parts[0] + "/" + i + parts[1];
                var node = r.attr(path);
                if (node.isTextual()) {
                    out.add(new Reference(r, e.getValue() + "." + node.asText(), path, r.range(path)));
                }
            }
        });
        var deps = r.body().path("dependsOn");
        for (int i = 0; i < deps.size(); i++) {
            if (deps.path(i).isTextual()) {
                out.add(new Reference(r, deps.path(i).asText(), "dependsOn/" + i, r.range("dependsOn/" + i)));
            }
        }
        return out;
    }

    public String targetType() {
        return targetAddress.substring(0, targetAddress.indexOf('.'));
    }

    public String targetName() {
        return targetAddress.substring(targetAddress.indexOf('.') + 1);
    }
}

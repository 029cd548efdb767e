package cem.engine;

import cem.config.Configuration;
import cem.config.Reference;
import cem.config.ResourceConfig;
import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.spi.ResourceSchema;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns a validated configuration into the desired resources the planner compares with live state. */
public final class DesiredState {

    private DesiredState() {}

    /** Desired resources by address; a type no provider manages is a diagnostic. */
    public static Map<String, DesiredResource> of(Configuration config, ProviderRegistry registry, Diagnostics.Builder diags) {
        Map<String, DesiredResource> out = new LinkedHashMap<>();
        Map<String, Integer> nextPosition = new java.util.HashMap<>();
        for (ResourceConfig r : config.resources()) {
            ResourceSchema schema = registry.schema(r.type()).orElse(null);
            if (schema == null) {
                diags.add(Diagnostic.error(EngineCodes.NO_PROVIDER, "No provider manages " + r.type() + " resources",
                        "This cem has no provider module for the resource type " + r.type() + ", so it cannot read or change it.",
                        "Remove the resource, or use a cem release that includes the provider for " + r.type() + ".",
                        r.declRange()).withAddress(r.address()));
                continue;
            }
            ObjectNode attributes = attributes(r, schema);
            if (schema.orderGroup() != null) {
                // Ordered objects (firewall rules) take their place in their group from the order of declaration.
                String group = r.host() + "\u0000" + r.type() + "\u0000" + schema.orderGroup().apply(attributes);
                attributes.put(ResourceSchema.POSITION, nextPosition.merge(group, 1, Integer::sum) - 1);
            }
            List<String> deps = new ArrayList<>();
            for (Reference ref : Reference.of(r)) {
                if (!deps.contains(ref.targetAddress())) {
                    deps.add(ref.targetAddress());
                }
            }
            JsonNode lifecycle = r.body().path("lifecycle");
            Set<String> ignore = new HashSet<>();
            lifecycle.path("ignoreChanges").forEach(n -> ignore.add(n.asText()));
            out.put(r.address(), new DesiredResource(r.address(), r.type(), r.host(), attributes, deps,
                    lifecycle.path("preventDestroy").asBoolean(false), ignore, r.doc().directory()));
        }
        return out;
    }

    /** A resource's attributes as written, meta keys removed and the schema's defaults filled in. */
    static ObjectNode attributes(ResourceConfig r, ResourceSchema schema) {
        ObjectNode attributes = ((ObjectNode) r.body()).deepCopy();
        DesiredResource.META_KEYS.forEach(attributes::remove);
        return withDefaults(schema, attributes);
    }

    /** {@code attributes} with the schema's defaults where they have no value (changed in place). */
    static ObjectNode withDefaults(ResourceSchema schema, ObjectNode attributes) {
        new java.util.TreeMap<>(schema.defaults()).forEach((k, v) -> {
            if (!k.contains(NESTED) && !attributes.has(k)) {
                attributes.set(k, toJson(v));
            }
        });
        fillNested(schema, attributes);
        return attributes;
    }

    /** A default for a key of every object in a list attribute is written {@code list[].key} (a gateway server's port). */
    private static final String NESTED = "[].";

    /**
     * Fills the schema's defaults of keys inside list items into {@code attributes}, where an item
     * leaves them out: so that what is planned, recorded and read all say the value apply uses.
     */
    static void fillNested(ResourceSchema schema, ObjectNode attributes) {
        schema.defaults().forEach((k, v) -> {
            int at = k.indexOf(NESTED);
            if (at > 0) {
                for (JsonNode item : attributes.path(k.substring(0, at))) {
                    if (item instanceof ObjectNode o && !o.has(k.substring(at + NESTED.length()))) {
                        o.set(k.substring(at + NESTED.length()), toJson(v));
                    }
                }
            }
        });
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static JsonNode toJson(Object value) {
        return JSON.valueToTree(value);
    }
}

package cem.engine;

import cem.config.SecretRef;
import cem.config.SecretResolver;
import cem.diag.Result;
import cem.diag.Severity;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Desired attributes as providers get them: secret references resolved (only in memory, on their
 * way to a host), and the attributes of the resources a resource refers to.
 */
final class Resolved {

    private final Map<String, DesiredResource> desired;
    private final SecretResolver secrets;
    private final ProviderRegistry registry;

    Resolved(Map<String, DesiredResource> desired, SecretResolver secrets, ProviderRegistry registry) {
        this.desired = desired;
        this.secrets = secrets;
        this.registry = registry;
    }

    /** A resource's desired attributes with its secrets resolved (an unreadable secret stays a reference). */
    ObjectNode attributes(DesiredResource d) {
        ObjectNode out = d.attributes().deepCopy();
        registry.schema(d.type()).ifPresent(schema -> schema.attributes().values().forEach(a -> {
            JsonNode ref = out.get(a.name());
            if (a.sensitive() && ref != null && ref.isTextual() && SecretRef.parse(ref.asText()).isPresent()) {
                Result<String> value = secrets.resolve(ref.asText(), d.baseDirectory(), null, Severity.ERROR);
                if (value.value() != null) {
                    out.put(a.name(), value.value());
                }
            }
        }));
        return out;
    }

    /** The resources {@code d} refers to, resolved. */
    Map<String, JsonNode> related(DesiredResource d) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String dep : d.dependencies()) {
            DesiredResource r = desired.get(dep);
            if (r != null) {
                out.put(dep, attributes(r));
            }
        }
        return out;
    }

    ResourceInstance instance(DesiredResource d, String identity) {
        return new ResourceInstance(d.address(), d.type(), identity, attributes(d), related(d));
    }
}

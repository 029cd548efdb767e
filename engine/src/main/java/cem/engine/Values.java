package cem.engine;

import cem.spi.AttributeSchema;
import cem.spi.ResourceSchema;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Attribute values: normalisation, so equal values never show as changes (the digests of secrets
 * are {@link cem.state.SecretDigest}'s).
 */
public final class Values {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Values() {}

    /** The canonical form of a value of the given kind. */
    public static JsonNode normalize(AttributeSchema.Kind kind, JsonNode value) {
        return canonical(byKind(kind, value));
    }

    /** Numbers in one representation at any depth, so 443 read from YAML equals 443 read from JSON. */
    static JsonNode canonical(JsonNode value) {
        if (value.isIntegralNumber()) {
            return value.canConvertToLong() ? F.numberNode(value.asLong()) : F.numberNode(value.bigIntegerValue());
        }
        if (value.isFloatingPointNumber()) {
            double d = value.asDouble();
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? F.numberNode((long) d) : F.numberNode(d);
        }
        if (value.isArray()) {
            ArrayNode out = F.arrayNode();
            value.forEach(v -> out.add(canonical(v)));
            return out;
        }
        if (value.isObject()) {
            com.fasterxml.jackson.databind.node.ObjectNode out = F.objectNode();
            value.fields().forEachRemaining(e -> out.set(e.getKey(), canonical(e.getValue())));
            return out;
        }
        return value;
    }

    private static JsonNode byKind(AttributeSchema.Kind kind, JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return F.nullNode();
        }
        switch (kind) {
            case NUMBER:
                if (value.isTextual() && value.asText().trim().matches("-?\\d+")) {
                    return F.numberNode(Long.parseLong(value.asText().trim()));
                }
                return value.isNumber() ? F.numberNode(value.asLong()) : value;
            case BOOLEAN:
                if (value.isTextual() && value.asText().matches("(?i)true|false")) {
                    return F.booleanNode(Boolean.parseBoolean(value.asText().toLowerCase(Locale.ROOT)));
                }
                return value;
            case CASE_INSENSITIVE:
                return value.isTextual() ? F.textNode(value.asText().trim().toLowerCase(Locale.ROOT)) : value;
            case IP_WILDCARD: {
                String s = value.asText().trim();
                return F.textNode(s.isEmpty() || s.equals("0.0.0.0") || s.equals("*") ? "*" : s.toLowerCase(Locale.ROOT));
            }
            case SET: {
                if (!value.isArray()) {
                    return value;
                }
                List<JsonNode> items = new ArrayList<>();
                value.forEach(items::add);
                items.sort((a, b) -> a.toString().compareTo(b.toString()));
                ArrayNode sorted = F.arrayNode();
                items.forEach(sorted::add);
                return sorted;
            }
            default:
                return value;
        }
    }

    /** Whether two values are the same once numbers are in one representation. */
    public static boolean same(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return canonical(a).equals(canonical(b));
    }

    public static boolean equal(ResourceSchema schema, String attribute, JsonNode a, JsonNode b) {
        AttributeSchema.Kind kind = schema == null ? AttributeSchema.Kind.OBJECT : schema.kind(attribute);
        return normalize(kind, a).equals(normalize(kind, b));
    }
}

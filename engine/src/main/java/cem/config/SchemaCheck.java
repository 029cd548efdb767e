package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.SourceRange;
import cem.diag.Suggestions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a document against {@code schemas/cem.schema.json} (the single source of truth for
 * structure) and turns each schema error into a diagnostic at the offending node: the key itself
 * for unknown and missing keys, the value for wrong types and values.
 */
public final class SchemaCheck {

    static final String RESOURCE = "/cem/schemas/cem.schema.json";

    private final JsonNode schemaJson;
    private final Schema schema;

    /** The schema's file, as users find it in the repository (for hints). */
    private final String shownName;

    public SchemaCheck() {
        this(RESOURCE);
    }

    /** A check against another schema of {@code schemas/} (e.g. {@code /cem/schemas/sites.schema.json}). */
    public SchemaCheck(String resource) {
        shownName = "schemas/" + resource.substring(resource.lastIndexOf('/') + 1);
        try (InputStream in = SchemaCheck.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing: " + resource);
            }
            schemaJson = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson);
    }

    /** The schema document, for completion lists and "did you mean". */
    public JsonNode schemaJson() {
        return schemaJson;
    }

    public Diagnostics check(YamlDocument doc) {
        Diagnostics.Builder out = Diagnostics.builder();
        Set<String> seen = new HashSet<>();
        for (Error error : schema.validate(doc.root())) {
            String pointer = pointer(error.getInstanceLocation());
            String dedupKey = pointer + "|" + error.getKeyword() + "|" + error.getProperty();
            if (seen.add(dedupKey)) {
                out.add(toDiagnostic(error, pointer, doc));
            }
        }
        return out.build();
    }

    private Diagnostic toDiagnostic(Error error, String pointer, YamlDocument doc) {
        String keyword = error.getKeyword();
        JsonNode instance = error.getInstanceNode();
        String where = describe(pointer, doc);
        switch (keyword) {
            case "additionalProperties": {
                String key = error.getProperty();
                SourceRange at = doc.keyRange(YamlDocument.pointer(pointer, key));
                List<String> allowed = allowedKeys(error.getSchemaLocation().getFragment());
                String hint = Suggestions.closest(key, allowed)
                        .map(s -> "Did you mean \"" + s + "\"?")
                        .orElse("Allowed keys here: " + String.join(", ", allowed) + ".");
                return Diagnostic.error(ConfigCodes.UNKNOWN_KEY, "Unknown key \"" + key + "\"" + where,
                        "This key is not part of the configuration format.", hint, at);
            }
            case "required": {
                String key = error.getProperty();
                return Diagnostic.error(ConfigCodes.MISSING_KEY, "Missing required key \"" + key + "\"" + where,
                        "", "Add \"" + key + ":\" here.", doc.keyRange(pointer));
            }
            case "type": {
                String expected = error.getSchemaNode() == null ? "another type" : error.getSchemaNode().asText();
                return Diagnostic.error(ConfigCodes.WRONG_TYPE, "Wrong type for " + name(pointer) + where,
                        "Expected " + article(expected) + ", found " + typeOf(instance) + ".",
                        hintForType(expected, instance), doc.valueRange(pointer));
            }
            case "enum":
            case "const":
                return invalidChoice(error, pointer, doc, where);
            case "pattern":
                return patternError(error, pointer, doc, where);
            default:
                return Diagnostic.error(ConfigCodes.INVALID_VALUE, "Invalid value for " + name(pointer) + where,
                        stripLocation(error.getMessage()),
                        "See the description of this key in " + shownName + ".", doc.valueRange(pointer));
        }
    }

    private Diagnostic invalidChoice(Error error, String pointer, YamlDocument doc, String where) {
        List<String> choices = new ArrayList<>();
        JsonNode node = error.getSchemaNode();
        if (node != null && node.isArray()) {
            node.forEach(n -> choices.add(n.asText()));
        } else if (node != null) {
            choices.add(node.asText());
        }
        String given = error.getInstanceNode() == null ? "" : error.getInstanceNode().asText();
        boolean isType = pointer.matches("/resources/\\d+/type");
        String hint = Suggestions.closest(given, choices)
                .map(s -> "Did you mean \"" + s + "\"?")
                .orElse("Use one of: " + String.join(", ", choices) + ".");
        if (pointer.equals("/version")) {
            return Diagnostic.error(ConfigCodes.UNSUPPORTED_VERSION, "Unsupported configuration version",
                    "This cem reads version 1 files.", "Write \"version: 1\".", doc.valueRange(pointer));
        }
        return Diagnostic.error(
                isType ? ConfigCodes.UNKNOWN_TYPE : ConfigCodes.INVALID_VALUE,
                isType ? "Unknown resource type \"" + given + "\"" : "Invalid value \"" + given + "\" for " + name(pointer) + where,
                isType ? "cem has no resource type with this name." : "Allowed: " + String.join(", ", choices) + ".",
                hint,
                doc.valueRange(pointer));
    }

    private Diagnostic patternError(Error error, String pointer, YamlDocument doc, String where) {
        String schemaPath = error.getSchemaLocation().toString();
        String given = error.getInstanceNode() == null ? "" : error.getInstanceNode().asText();
        if (schemaPath.contains("secretRef")) {
            return Diagnostic.error(ConfigCodes.LITERAL_SECRET, "Secret written as a literal in " + name(pointer) + where,
                    "This field is sensitive: its value must be a reference, so that it never appears in files, plans or state.",
                    "Write ${env:NAME} to read it from an environment variable, or ${file:path} to read it from a file.",
                    doc.valueRange(pointer));
        }
        String description = error.getSchemaNode() == null ? "" : patternDescription(error);
        return Diagnostic.error(ConfigCodes.INVALID_VALUE, "Invalid value \"" + given + "\" for " + name(pointer) + where,
                description.isEmpty() ? "The value does not have the expected form." : description,
                description.isEmpty() ? "See " + shownName + " for the expected form." : "Write it as: " + lowerFirst(description),
                doc.valueRange(pointer));
    }

    /** The description of the schema that holds the failed pattern, if any. */
    private String patternDescription(Error error) {
        JsonNode holder = navigate(error.getSchemaLocation().getFragment(), 1);
        return holder != null && holder.has("description") ? holder.get("description").asText() : "";
    }

    private List<String> allowedKeys(NodePath schemaFragment) {
        JsonNode holder = navigate(schemaFragment, 1);
        List<String> keys = new ArrayList<>();
        if (holder != null && holder.has("properties")) {
            holder.get("properties").fieldNames().forEachRemaining(keys::add);
        }
        return keys;
    }

    /** The schema node at {@code fragment} minus its last {@code dropLast} elements. */
    private JsonNode navigate(NodePath fragment, int dropLast) {
        JsonNode node = schemaJson;
        for (int i = 0; i < fragment.getNameCount() - dropLast && node != null; i++) {
            Object element = fragment.getElement(i);
            node = element instanceof Integer index ? node.get(index) : node.get(String.valueOf(element));
        }
        return node;
    }

    static String pointer(NodePath path) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            b.append(element instanceof Integer index
                    ? YamlDocument.pointer("", index)
                    : YamlDocument.pointer("", String.valueOf(element)));
        }
        return b.toString();
    }

    /** " in certificate \"gw\"" / " in host \"ns1\"" — where in the model the node stands. */
    private static String describe(String pointer, YamlDocument doc) {
        String[] parts = pointer.split("/");
        if (parts.length >= 3 && parts[1].equals("resources")) {
            JsonNode item = doc.root().path("resources").path(Integer.parseInt(parts[2]));
            String type = item.path("type").asText("resource");
            String name = item.path("name").asText("");
            return " in " + type + (name.isEmpty() ? "" : " \"" + name + "\"");
        }
        if (parts.length >= 3 && parts[1].equals("hosts")) {
            return " in host \"" + parts[2].replace("~1", "/").replace("~0", "~") + "\"";
        }
        return "";
    }

    private static String name(String pointer) {
        if (pointer.isEmpty()) {
            return "the file";
        }
        String last = pointer.substring(pointer.lastIndexOf('/') + 1).replace("~1", "/").replace("~0", "~");
        if (last.matches("\\d+")) {
            String parent = pointer.substring(0, pointer.lastIndexOf('/'));
            return "item " + (Integer.parseInt(last) + 1) + " of " + name(parent);
        }
        return "\"" + last + "\"";
    }

    private static String typeOf(JsonNode node) {
        if (node == null || node.isNull()) {
            return "nothing (null)";
        }
        if (node.isTextual()) {
            return "the string \"" + abbreviate(node.asText()) + "\"";
        }
        if (node.isIntegralNumber()) {
            return "the integer " + node.asText();
        }
        if (node.isNumber()) {
            return "the number " + node.asText();
        }
        if (node.isBoolean()) {
            return "the boolean " + node.asText();
        }
        if (node.isArray()) {
            return "a list";
        }
        return "a mapping";
    }

    private static String hintForType(String expected, JsonNode instance) {
        if (expected.equals("integer") && instance != null && instance.isTextual()) {
            return "Write the number without quotes.";
        }
        if (expected.equals("array")) {
            return "Write a list: one \"- item\" per line, or [a, b].";
        }
        if (expected.equals("object")) {
            return "Write a mapping of keys to values, indented under this key.";
        }
        if (expected.equals("string") && instance != null && !instance.isContainerNode()) {
            return "Quote the value to make it a string.";
        }
        return "Write a value of type " + expected + ".";
    }

    private static String article(String type) {
        return switch (type) {
            case "integer" -> "an integer";
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "boolean" -> "a boolean (true or false)";
            default -> "a " + type;
        };
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    private static String stripLocation(String message) {
        int colon = message.indexOf(": ");
        return colon > 0 && message.startsWith("/") || message.startsWith("$") ? message.substring(colon + 2) : message;
    }
}

package cem.cli;

import cem.cli.ResourceDoc.Argument;
import cem.cli.ResourceDoc.Attribute;
import cem.cli.ResourceDoc.Call;
import cem.cli.ResourceDoc.Example;
import cem.config.NodeSpan;
import cem.config.Reference;
import cem.config.ReferenceCheck;
import cem.config.SchemaCheck;
import cem.config.YamlDocument;
import cem.config.YamlLoader;
import cem.diag.Result;
import cem.engine.ProviderRegistry;
import cem.spi.ResourceSchema;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The resource reference, built from the sources of truth: the JSON Schema of the configuration
 * (arguments, their types, descriptions, what is required), the providers' {@link ResourceSchema}s
 * (defaults, sensitive and computed attributes, what forces a replacement, identity, ordering, what cem
 * forgets instead of deleting), and what neither can say, kept beside each provider as
 * {@code cem/doc/TYPE.yaml}: where the object lives, the host-side calls (an op of an agent's documentation
 * such as {@code cem/windows/agent.md}, or a command), sources, **[?]** assumptions, how to adopt an
 * existing object, the attributes it reads, and which resource of {@code examples/} shows it.
 */
final class ResourceDocs {

    /** The keys every resource takes; the reference lists them once. */
    static final Set<String> COMMON = Set.of("type", "name", "host", "description", "dependsOn", "lifecycle");

    private static final Set<String> METADATA_KEYS = Set.of("runsOn", "opsDoc", "ops", "calls", "sources", "assumptions",
            "attributes", "orderedBy", "onDelete", "keeps", "adopt", "example");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode schema;
    private final Function<String, Optional<ResourceSchema>> providerSchemas;
    private final Function<String, String> providerNames;
    private final Function<String, String> resources;

    /**
     * @param schema the configuration's JSON Schema
     * @param providerSchemas the provider's schema of a type
     * @param providerNames the name of the provider of a type
     * @param resources the text of a classpath resource ({@code cem/doc/TYPE.yaml}), or null when there is none
     */
    ResourceDocs(JsonNode schema, Function<String, Optional<ResourceSchema>> providerSchemas, Function<String, String> providerNames,
            Function<String, String> resources) {
        this.schema = schema;
        this.providerSchemas = providerSchemas;
        this.providerNames = providerNames;
        this.resources = resources;
    }

    /** The reference of this build: its schema, its providers and their metadata on the class path. */
    static ResourceDocs of(ProviderRegistry registry) {
        return new ResourceDocs(new SchemaCheck().schemaJson(), registry::schema, registry::providerName, ResourceDocs::classpath);
    }

    static String classpath(String name) {
        try (InputStream in = ResourceDocs.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The resource types a configuration may use, in alphabetical order. */
    List<String> types() {
        List<String> types = new ArrayList<>();
        schema.at("/$defs/resource/properties/type/enum").forEach(t -> types.add(t.asText()));
        types.sort(null);
        return types;
    }

    /** The one-line description of a type. */
    String summary(String type) {
        return firstSentence(def(type).path("description").asText());
    }

    ResourceDoc doc(String type) {
        JsonNode def = def(type);
        ResourceSchema ps = providerSchemas.apply(type)
                .orElseThrow(() -> new IllegalStateException("no provider declares the resource type " + type));
        JsonNode meta = metadata(type);
        List<Argument> arguments = arguments(type, def, ps);
        List<Attribute> attributes = attributes(type, def, ps, meta);
        List<String> replacing = arguments.stream().filter(Argument::forcesReplacement).map(Argument::name).toList();
        if (ps.orderGroup() != null && !meta.hasNonNull("orderedBy")) {
            throw new IllegalStateException(metaName(type) + " must say what orders the resources (orderedBy): the provider orders them");
        }
        if (ps.orderGroup() == null && meta.hasNonNull("orderedBy")) {
            throw new IllegalStateException(metaName(type) + " has orderedBy, but the provider does not order " + type);
        }
        List<String> neverDeletes = new ArrayList<>();
        if (ps.forgetOnDelete()) {
            neverDeletes.add("The " + type + " itself: removing the resource from the configuration, or `cem destroy`, only removes it"
                    + " from cem's state (the plan says so); the object stays on the host.");
        } else if (ps.forgetWhenSet() != null) {
            neverDeletes.add("A " + type + " that sets `" + ps.forgetWhenSet() + "`: removing it from the configuration, or `cem destroy`,"
                    + " only removes it from cem's state; one without `" + ps.forgetWhenSet() + "` is deleted.");
        }
        strings(meta, "keeps").forEach(neverDeletes::add);
        List<Call> calls = calls(type, meta);
        List<String> sources = new ArrayList<>(strings(meta, "sources"));
        sources.addAll(abbreviations(meta, calls));
        return new ResourceDoc(type, summary(type), def.path("description").asText(), providerNames.apply(type),
                ReferenceCheck.hostOs(type).orElse("any"), required(type, meta, "runsOn"),
                ps.identity() == null ? null : ps.identity().description(), arguments, attributes, replacing,
                ps.createBeforeDestroy(), meta.hasNonNull("orderedBy") ? meta.get("orderedBy").asText() : null,
                ps.forgetOnDelete(), ps.forgetWhenSet(), meta.hasNonNull("onDelete") ? meta.get("onDelete").asText().strip() : null,
                neverDeletes, required(type, meta, "adopt"), calls, sources,
                strings(meta, "assumptions"), example(type, meta));
    }

    private JsonNode def(String type) {
        JsonNode def = schema.path("$defs").path(type);
        if (def.isMissingNode() || !types().contains(type)) {
            throw new IllegalArgumentException("unknown resource type " + type);
        }
        return def;
    }

    // ---- arguments: the JSON Schema, with the provider's defaults, sensitivity and replacement

    private List<Argument> arguments(String type, JsonNode def, ResourceSchema ps) {
        List<Argument> out = new ArrayList<>();
        Set<String> required = names(def.path("required"));
        Map<String, String> references = Reference.fields(type);
        def.path("properties").fields().forEachRemaining(e -> {
            if (COMMON.contains(e.getKey())) {
                return;
            }
            String name = e.getKey();
            JsonNode defaultValue = ps.defaults().containsKey(name) ? JSON.valueToTree(ps.defaults().get(name)) : null;
            add(out, name, e.getValue(), required.contains(name), defaultValue, ps.isSensitive(name), ps.requiresReplace(name),
                    references, name);
        });
        return out;
    }

    /** Adds one argument and, for an object or a list of objects, its keys. */
    private void add(List<Argument> out, String name, JsonNode node, boolean required, JsonNode defaultValue, boolean sensitive,
            boolean replaces, Map<String, String> references, String path) {
        String ref = node.path("$ref").asText(null);
        String refName = ref == null ? null : ref.substring(ref.lastIndexOf('/') + 1);
        JsonNode resolved = ref == null ? node : schema.at(ref.substring(1));
        String named = references.containsKey(path) ? references.get(path) : references.get(path + "/*");
        List<String> text = new ArrayList<>();
        if (node.hasNonNull("description")) {
            text.add(node.get("description").asText());
        }
        if (named != null) {
            text.add((references.containsKey(path) ? "Refers to the `" : "Each item refers to the `") + named + "` resource of that name.");
        } else if (ref != null && resolved.hasNonNull("description")
                && ("secretRef".equals(refName) || !node.hasNonNull("description") && !resolved.get("description").asText()
                        .equalsIgnoreCase(label(refName) + "."))) {
            text.add(resolved.get("description").asText()); // what the type means, where its name does not say it
        }
        out.add(new Argument(name, typeOf(resolved, refName), required, defaultValue, String.join(" ", text),
                sensitive || "secretRef".equals(refName), replaces, node.path("deprecated").asBoolean(false), named));
        JsonNode items = resolved.path("items");
        boolean object = resolved.has("properties");
        JsonNode keys = object ? resolved : items.has("$ref") ? schema.at(items.get("$ref").asText().substring(1)) : items;
        Set<String> nestedRequired = names(keys.path("required"));
        keys.path("properties").fields().forEachRemaining(e -> add(out, name + (object ? "." : "[].") + e.getKey(), e.getValue(),
                nestedRequired.contains(e.getKey()), null, false, false, references, path + (object ? "/" : "/*/") + e.getKey()));
    }

    /** The type of a schema node in words. */
    private String typeOf(JsonNode node, String refName) {
        if (node.has("enum")) {
            List<String> values = new ArrayList<>();
            node.get("enum").forEach(v -> values.add("`" + v.asText() + "`"));
            return "one of " + String.join(", ", values);
        }
        if (node.has("const")) {
            return "`" + node.get("const").asText() + "` (the only value)";
        }
        if (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            return typeOf(schema.at(ref.substring(1)), ref.substring(ref.lastIndexOf('/') + 1));
        }
        String type = node.path("type").asText("any");
        return switch (type) {
            case "integer" -> "integer" + range(node);
            case "array" -> "list of " + plural(typeOf(node.path("items"), null)) + (node.has("minItems") ? ", at least " + node.get("minItems").asInt() : "");
            case "string" -> refName == null || refName.equals("name") ? "string" : "string (" + label(refName) + ")";
            default -> type;
        };
    }

    /** What a definition of the schema is, from the start of its description ("A DNS name." → "a DNS name"). */
    private String label(String refName) {
        String description = schema.path("$defs").path(refName).path("description").asText("");
        Matcher m = Pattern.compile("^An? [^.:,(]+").matcher(description);
        return m.find() ? "a" + m.group().substring(1).stripTrailing() : refName;
    }

    private static String plural(String type) {
        Matcher labelled = Pattern.compile("string \\(an? (.+)\\)").matcher(type);
        if (labelled.matches()) {
            return "strings (" + labelled.group(1) + "s)";
        }
        if (type.startsWith("integer")) {
            return "integers" + type.substring("integer".length());
        }
        return type.contains(" ") ? "(" + type + ")" : type + "s";
    }

    private static String range(JsonNode node) {
        if (node.has("minimum") && node.has("maximum")) {
            return ", " + node.get("minimum").asText() + " to " + node.get("maximum").asText();
        }
        return node.has("minimum") ? ", at least " + node.get("minimum").asText() : "";
    }

    // ---- attributes the provider reads

    private List<Attribute> attributes(String type, JsonNode def, ResourceSchema ps, JsonNode meta) {
        JsonNode described = meta.path("attributes");
        List<Attribute> out = new ArrayList<>();
        Set<String> readOnly = new TreeSet<>();
        ps.attributes().values().forEach(a -> {
            if (a.computed() || !def.path("properties").has(a.name())) {
                readOnly.add(a.name());
            }
        });
        for (String name : readOnly) {
            if (!described.hasNonNull(name)) {
                throw new IllegalStateException(metaName(type) + " must describe the attribute " + name + " under attributes:"
                        + " the provider reads it and the configuration does not set it");
            }
            out.add(new Attribute(name, ps.isComputed(name), described.get(name).asText()));
        }
        described.fieldNames().forEachRemaining(name -> {
            if (!readOnly.contains(name)) {
                throw new IllegalStateException(metaName(type) + " describes the attribute " + name
                        + ", which the provider does not read (or the configuration sets)");
            }
        });
        return out;
    }

    // ---- metadata beside the provider

    private static String metaName(String type) {
        return "cem/doc/" + type + ".yaml";
    }

    private JsonNode metadata(String type) {
        String text = resources.apply(metaName(type));
        if (text == null) {
            throw new IllegalStateException("the provider of " + type + " has no " + metaName(type));
        }
        Result<YamlDocument> doc = new YamlLoader().parse(text, Path.of(metaName(type)), Path.of(metaName(type)));
        if (doc.hasErrors()) {
            throw new IllegalStateException(metaName(type) + " is not valid YAML: " + doc.diagnostics());
        }
        JsonNode meta = doc.value().root();
        meta.fieldNames().forEachRemaining(k -> {
            if (!METADATA_KEYS.contains(k)) {
                throw new IllegalStateException(metaName(type) + " has an unknown key " + k + "; known: " + new TreeSet<>(METADATA_KEYS));
            }
        });
        return meta;
    }

    private static String required(String type, JsonNode meta, String key) {
        if (!meta.hasNonNull(key) || meta.get(key).asText().isBlank()) {
            throw new IllegalStateException(metaName(type) + " must say " + key);
        }
        return meta.get(key).asText().strip();
    }

    private static List<String> strings(JsonNode meta, String key) {
        List<String> out = new ArrayList<>();
        meta.path(key).forEach(s -> out.add(s.asText().strip()));
        return out;
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new LinkedHashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The agent ops the metadata names, from the ops table of the agent's documentation, then the commands it lists itself. */
    private List<Call> calls(String type, JsonNode meta) {
        List<Call> out = new ArrayList<>();
        List<String> ops = strings(meta, "ops");
        if (!ops.isEmpty()) {
            String doc = resources.apply(required(type, meta, "opsDoc"));
            if (doc == null) {
                throw new IllegalStateException(metaName(type) + " names " + meta.get("opsDoc").asText() + ", which is not on the class path");
            }
            for (String op : ops) {
                out.add(new Call(op, opRow(doc, op).map(c -> c.replace("\\|", "|"))
                        .orElseThrow(() -> new IllegalStateException(meta.get("opsDoc").asText() + " has no row for the op " + op
                                + " that " + metaName(type) + " names"))));
            }
        }
        meta.path("calls").fields().forEachRemaining(e -> out.add(new Call(e.getKey(), e.getValue().asText().strip())));
        return out;
    }

    /** The "calls (source)" cell of an op's row in a Markdown table whose first cell names the op in backticks. */
    static Optional<String> opRow(String doc, String op) {
        for (String line : doc.split("\n")) {
            if (!line.startsWith("| ")) {
                continue;
            }
            String[] cells = line.split(" \\| ");
            if (cells.length > 1 && List.of(cells[0].substring(2).split(", ")).contains("`" + op + "`")) {
                return Optional.of(cells[1].strip());
            }
        }
        return Optional.empty();
    }

    private static final Pattern ABBREVIATION = Pattern.compile("^- \\*\\*([A-Z0-9]+)\\*\\* — (.+?);?$", Pattern.MULTILINE);

    /** The source abbreviations (agent.md's "Sources, abbreviated") that the listed calls use, spelled out. */
    private List<String> abbreviations(JsonNode meta, List<Call> calls) {
        if (!meta.hasNonNull("opsDoc")) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        Matcher m = ABBREVIATION.matcher(resources.apply(meta.get("opsDoc").asText()));
        while (m.find()) {
            Pattern word = Pattern.compile("\\b" + m.group(1) + "\\b");
            if (calls.stream().anyMatch(c -> word.matcher(c.calls()).find())) {
                out.add("**" + m.group(1) + "**: " + m.group(2).replaceAll("[;.]$", ""));
            }
        }
        return out;
    }

    // ---- the example

    private Example example(String type, JsonNode meta) {
        JsonNode example = meta.path("example");
        String path = example.path("file").asText();
        String name = example.path("name").asText();
        if (path.isEmpty() || name.isEmpty()) {
            throw new IllegalStateException(metaName(type) + " must name its example as {file: DIR/FILE.yaml, name: RESOURCE}");
        }
        String text = resources.apply("cem/examples/" + path);
        if (text == null) {
            throw new IllegalStateException(metaName(type) + " names the example examples/" + path + ", which is not in the jar");
        }
        return new Example("examples/" + path, name, snippet(text, path, type, name)
                .orElseThrow(() -> new IllegalStateException("examples/" + path + " has no " + type + " named " + name
                        + " (" + metaName(type) + ", example)")));
    }

    /** The text of the resource {@code type.name} in a configuration file, as a YAML list item starting at column 1. */
    static Optional<String> snippet(String text, String file, String type, String name) {
        Result<YamlDocument> parsed = new YamlLoader().parse(text, Path.of(file), Path.of(file));
        if (parsed.hasErrors()) {
            return Optional.empty();
        }
        YamlDocument doc = parsed.value();
        JsonNode resources = doc.root().path("resources");
        for (int i = 0; i < resources.size(); i++) {
            JsonNode r = resources.get(i);
            if (r.path("type").asText().equals(type) && r.path("name").asText().equals(name)) {
                NodeSpan span = doc.span(YamlDocument.pointer("/resources", i));
                return Optional.of(lines(doc.lines(), span));
            }
        }
        return Optional.empty();
    }

    private static String lines(List<String> lines, NodeSpan span) {
        int first = span.value().start().line() - 1;
        int last = Math.min(span.value().end().line(), lines.size()) - 1;
        if (last > first && lines.get(last).substring(0, Math.min(span.value().end().column() - 1, lines.get(last).length())).isBlank()) {
            last--; // a block mapping ends where the next token starts
        }
        while (last > first && (lines.get(last).isBlank() || lines.get(last).strip().startsWith("#"))) {
            last--;
        }
        String head = lines.get(first);
        int indent = Math.max(head.lastIndexOf("- ", span.value().start().column() - 1), 0);
        StringBuilder out = new StringBuilder();
        for (int i = first; i <= last; i++) {
            String line = lines.get(i);
            out.append(line.substring(Math.min(indent, line.length() - line.stripLeading().length()))).append('\n');
        }
        return out.toString();
    }

    static String firstSentence(String text) {
        Matcher m = Pattern.compile("^(.+?\\.)(\\s|$)").matcher(text);
        return m.find() ? m.group(1) : text;
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.config.SchemaCheck;
import cem.config.YamlDocument;
import cem.config.YamlLoader;
import cem.diag.Result;
import cem.engine.ProviderRegistry;
import cem.spi.AttributeSchema;
import cem.spi.ProviderContext;
import cem.spi.ResourceSchema;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resource reference (issue 25): {@code cem doc}, and {@code docs/} generated from the schema, the providers and the
 * notes beside them, kept up to date by this test. Regenerate with {@code cem doc --write docs}, or run this test with
 * {@code -Dcem.golden.update=true}.
 */
class DocTest {

    private static final Path DOCS = CliRun.REPO.resolve("docs");
    private static ProviderRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void providers() {
        registry = ProviderRegistry.load(new ProviderContext(Map.of(), CliRun.REPO, false));
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    private static Map<String, String> pages(ResourceDocs docs) {
        return DocCommand.pages(docs, Cli.tree(session()));
    }

    // ---- docs/ is what this build generates

    @Test
    void theRepositorysDocsAreUpToDate() throws IOException {
        Map<String, String> pages = pages(ResourceDocs.of(registry));
        if (Boolean.getBoolean("cem.golden.update")) {
            Files.createDirectories(DOCS);
            DocCommand.write(ResourceDocs.of(registry), Cli.tree(session()), DOCS);
        }
        assertEquals(List.of(), DocCommand.stale(pages, DOCS),
                "docs/ is out of date: run `./cem doc --write docs` (or this test with -Dcem.golden.update=true) and commit the result");
        assertTrue(pages.keySet().containsAll(List.of("resources/internet_gateway.md", "resources/README.md", "commands/cem-plan.md",
                "commands/cem-state-list.md", "commands/README.md")), pages.keySet().toString());
    }

    @Test
    void theCheckCommandPassesOnTheRepositoryAndFailsOnAStaleCopy() throws IOException {
        CliRun ok = CliRun.inRepo("doc", "--check", "docs");
        assertEquals(0, ok.exitCode(), ok.err());
        assertEquals("The reference in docs is up to date.\n", ok.out());

        CliRun written = CliRun.run(Map.of(), tmp, "doc", "--write", "copy");
        assertEquals(0, written.exitCode(), written.err());
        Path page = tmp.resolve("copy/resources/internet_gateway.md");
        Files.writeString(page, Files.readString(page).replace("listenerPort", "listenPort"));
        Files.writeString(tmp.resolve("copy/resources/gone_type.md"), "# gone\n");
        CliRun stale = CliRun.run(Map.of(), tmp, "doc", "--check", "copy");
        assertEquals(1, stale.exitCode());
        assertTrue(stale.err().contains("The reference in copy is out of date [ENV9083]"), stale.err());
        assertTrue(stale.err().contains("resources/internet_gateway.md, resources/gone_type.md (no longer generated)"), stale.err());
        assertTrue(stale.err().contains("Hint: Run `cem doc --write copy`"), stale.err());
        assertEquals(0, CliRun.run(Map.of(), tmp, "doc", "--write", "copy").exitCode());
        assertFalse(Files.exists(tmp.resolve("copy/resources/gone_type.md")), "a page of a type that is gone is removed");
        assertEquals(0, CliRun.run(Map.of(), tmp, "doc", "--check", "copy").exitCode());
    }

    @Test
    void aSchemaChangeLeavesThePageStale() throws IOException {
        ResourceDocs changed = docs(schema -> {
            ObjectNode port = (ObjectNode) schema.at("/$defs/internet_gateway/properties/listenerPort");
            port.put("description", "The port agents connect to.");
            return schema;
        }, UnaryOperator.identity());
        assertEquals(List.of("resources/internet_gateway.md"), DocCommand.stale(pages(changed), upToDate()));
    }

    @Test
    void aProviderChangeLeavesThePageStale() throws IOException {
        ResourceDocs replacing = docs(UnaryOperator.identity(), s -> !s.type().equals("internet_gateway") ? s
                : with(s, AttributeSchema.of("listenerPort", AttributeSchema.Kind.NUMBER).forcingReplacement()));
        Path docs = upToDate();
        assertEquals(List.of("resources/internet_gateway.md"), DocCommand.stale(pages(replacing), docs));

        ResourceDocs identified = docs(UnaryOperator.identity(), s -> !s.type().equals("windows_service") ? s
                : s.identifiedBy("the service's key name", (name, attributes) -> attributes.path("service").asText()));
        assertEquals(List.of("resources/windows_service.md"), DocCommand.stale(pages(identified), docs));
        assertTrue(ResourcePage.of(identified.doc("windows_service")).markdown()
                .contains("- **Identity on the host**: the service's key name."));
    }

    @Test
    void anAttributeTheNotesDoNotDescribeIsAnError() {
        ResourceDocs undescribed = docs(UnaryOperator.identity(), s -> !s.type().equals("internet_gateway") ? s
                : with(s, AttributeSchema.of("uptime", AttributeSchema.Kind.NUMBER).asComputed()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> undescribed.doc("internet_gateway"));
        assertTrue(e.getMessage().contains("cem/doc/internet_gateway.yaml must describe the attribute uptime"), e.getMessage());

        ResourceDocs unordered = docs(UnaryOperator.identity(), s -> !s.type().equals("windows_service") ? s
                : s.orderedWithin(a -> "all"));
        e = assertThrows(IllegalStateException.class, () -> unordered.doc("windows_service"));
        assertTrue(e.getMessage().contains("must say what orders the resources"), e.getMessage());
    }

    // ---- every example in the pages is a valid resource, as written in examples/

    @Test
    void everyExampleInThePagesIsValidAndComesFromExamples() throws IOException {
        Pattern from = Pattern.compile("From `(examples/[^`]+)`:\n\n```yaml\n(.*?)```", Pattern.DOTALL);
        SchemaCheck schema = new SchemaCheck();
        List<String> checked = new ArrayList<>();
        try (Stream<Path> files = Files.list(DOCS.resolve("resources"))) {
            for (Path page : files.filter(f -> !f.getFileName().toString().equals("README.md")).sorted().toList()) {
                Matcher m = from.matcher(Files.readString(page));
                assertTrue(m.find(), page + " has an example from examples/");
                String snippet = m.group(2);
                Result<YamlDocument> doc = new YamlLoader().parse("version: 1\nresources:\n" + snippet, page, page);
                assertFalse(doc.hasErrors(), page + ": " + doc.diagnostics());
                assertEquals(List.of(), schema.check(doc.value()).list(), page + ": the example is not valid");
                JsonNode resource = doc.value().root().path("resources").path(0);
                String type = page.getFileName().toString().replace(".md", "");
                assertEquals(type, resource.path("type").asText(), page + " shows an example of its own type");

                Path example = CliRun.REPO.resolve(m.group(1));
                Result<YamlDocument> whole = new YamlLoader().parse(Files.readString(example), example, example);
                boolean found = false;
                for (JsonNode r : whole.value().root().path("resources")) {
                    found |= r.equals(resource);
                }
                assertTrue(found, page + ": the example is not as written in " + m.group(1));
                CliRun valid = CliRun.run(Map.of("CEM_NS_PASSWORD", "x", "CEM_IG_PASSWORD", "y"), CliRun.REPO, "validate",
                        example.getParent().toString(), "--allow-path", System.getProperty("user.home") + "/.ssh"); // as ValidExamplesTest
                assertEquals(0, valid.exitCode(), m.group(1) + ": " + valid.err());
                checked.add(type);
            }
        }
        assertEquals(12, checked.size(), checked.toString());
    }

    @Test
    void theSnippetIsTheWholeListItemAsWritten() {
        String text = """
                version: 1
                resources:
                  - type: windows_service      # a comment stays
                    name: a
                    host: h
                    state: running

                  # the next one
                  - {type: windows_service, name: b, host: h, service: x, state: stopped}
                """;
        assertEquals("- type: windows_service      # a comment stays\n  name: a\n  host: h\n  state: running\n",
                ResourceDocs.snippet(text, "f.yaml", "windows_service", "a").orElseThrow());
        assertEquals("- {type: windows_service, name: b, host: h, service: x, state: stopped}\n",
                ResourceDocs.snippet(text, "f.yaml", "windows_service", "b").orElseThrow());
        assertEquals(Optional.empty(), ResourceDocs.snippet(text, "f.yaml", "windows_service", "c"));
    }

    // ---- cem doc in the terminal

    @Test
    void internetGatewayAnswersTheAdminsQuestions() {
        CliRun run = CliRun.run(Map.of("COLUMNS", "100"), CliRun.REPO, "doc", "internet_gateway");
        assertEquals(0, run.exitCode(), run.err());
        String out = run.out();
        // what does it take
        assertTrue(out.contains("ARGUMENT REFERENCE") && out.contains("  listenerPort\n      Required; integer, 1 to 65535."), out);
        // which attributes force a replacement: the provider declares none for a gateway
        assertTrue(out.contains("Forces replacement: nothing: every change is made in place."), out);
        // its identity on the host
        assertTrue(out.contains("Identity on the host: the host: a host runs one Internet Gateway."), out);
        // what cem never deletes
        assertTrue(out.contains("WHAT CEM NEVER DELETES") && out.contains("The gateway's installation"), out);
        assertTrue(out.contains("Removed from the configuration: cem only forgets it"), out);
        // how to adopt one
        assertTrue(out.contains("IDENTITY AND ADOPTION") && out.contains("internet_gateway.NAME internet-gateway"), out);
        // and where the facts come from
        assertTrue(out.contains("[?] Gateway Manager keeps its settings"), out);
        assertTrue(out.contains("PSD: MicrosoftDocs/PowerShell-Docs"), out);
        assertTrue(out.contains("    - type: internet_gateway\n      name: ig1\n"), "the example, indented as code: " + out);
    }

    @Test
    void thePageWrapsAtTheTerminalsWidth() {
        for (int width : new int[] {60, 100}) {
            String out = CliRun.run(Map.of("COLUMNS", String.valueOf(width)), CliRun.REPO, "doc", "internet_gateway").out();
            for (String line : out.split("\n")) {
                boolean code = line.startsWith("    ") && !line.startsWith("      ");
                boolean word = !line.strip().contains(" ");
                assertTrue(line.length() <= width || code || word, "wider than " + width + ": " + line);
            }
        }
        String narrow = CliRun.run(Map.of("COLUMNS", "60"), CliRun.REPO, "doc", "internet_gateway").out();
        String wide = CliRun.run(Map.of("COLUMNS", "100"), CliRun.REPO, "doc", "internet_gateway").out();
        assertTrue(narrow.lines().count() > wide.lines().count(), "a narrower terminal takes more lines");
        assertTrue(wide.lines().anyMatch(l -> l.length() > 60 && !l.startsWith("    -")), "a wide terminal is used");
    }

    @Test
    void withoutANameItListsTheTypesOneLineEach() {
        CliRun run = CliRun.run(Map.of("COLUMNS", "70"), CliRun.REPO, "doc");
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(12, lines.size(), run.out());
        assertTrue(lines.stream().allMatch(l -> l.length() <= 70), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("internet_gateway +An Internet Gateway: installed.*")), run.out());
        assertTrue(lines.get(0).startsWith("bigip_gateway_vip"), "alphabetical: " + run.out());
    }

    @Test
    void oneAttribute() {
        CliRun run = CliRun.run(Map.of("COLUMNS", "80"), CliRun.REPO, "doc", "resource_target.guid");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("resource_target.guid\n\nOptional; string (a GUID). Forces replacement."), run.out());
        CliRun nested = CliRun.run(Map.of(), CliRun.REPO, "doc", "internet_gateway.servers.port");
        assertTrue(nested.out().contains("CEM agent site port. Default 4726."), nested.out());
        CliRun computed = CliRun.run(Map.of(), CliRun.REPO, "doc", "certificate.thumbprint");
        assertTrue(computed.out().contains("Read-only; known after apply."), computed.out());
    }

    @Test
    void jsonForTools() {
        JsonNode doc = CliRun.inRepo("doc", "internet_gateway", "--json").json();
        assertEquals("internet_gateway", doc.path("type").asText());
        assertEquals("windows", doc.path("provider").asText());
        assertEquals("the host: a host runs one Internet Gateway", doc.path("identity").asText(), "the provider's declaration: " + doc.path("identity"));
        assertTrue(doc.path("forgetOnDelete").asBoolean());
        JsonNode port = null;
        for (JsonNode a : doc.path("arguments")) {
            port = a.path("name").asText().equals("listenerPort") ? a : port;
        }
        assertTrue(port != null && port.path("required").asBoolean() && !port.path("forcesReplacement").asBoolean(), String.valueOf(port));
        assertTrue(doc.path("example").path("yaml").asText().startsWith("- type: internet_gateway\n"));

        JsonNode list = CliRun.inRepo("doc", "--json").json();
        assertEquals(12, list.size());
        JsonNode attribute = CliRun.inRepo("doc", "certificate.password", "--json").json();
        assertTrue(attribute.path("sensitive").asBoolean(), attribute.toString());
        assertFalse(attribute.path("forcesReplacement").asBoolean(), attribute.toString());
    }

    @Test
    void unknownNamesSuggestTheClosest() {
        CliRun type = CliRun.inRepo("doc", "internet_gatway");
        assertEquals(1, type.exitCode());
        assertEquals("", type.out());
        assertTrue(type.err().contains("Error: Unknown resource type \"internet_gatway\" [ENV9082]"), type.err());
        assertTrue(type.err().contains("Hint: Did you mean \"internet_gateway\"? Run `cem doc` to list the types."), type.err());

        CliRun attribute = CliRun.inRepo("doc", "internet_gateway.listnerPort");
        assertEquals(1, attribute.exitCode());
        assertTrue(attribute.err().contains("Unknown attribute \"listnerPort\" of internet_gateway"), attribute.err());
        assertTrue(attribute.err().contains("Did you mean \"internet_gateway.listenerPort\"?"), attribute.err());

        CliRun far = CliRun.inRepo("doc", "zzz");
        assertEquals(1, far.exitCode());
        assertFalse(far.err().contains("Did you mean"), far.err());
        assertFalse(far.err().contains("Exception"), far.err());
    }

    // ---- helpers

    /** A docs directory as this build writes it. */
    private Path upToDate() throws IOException {
        Path docs = tmp.resolve("docs");
        DocCommand.write(ResourceDocs.of(registry), Cli.tree(session()), docs);
        return docs;
    }

    private static Session session() {
        return new Session(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(), CliRun.REPO, false,
                java.io.InputStream.nullInputStream());
    }

    /** The reference of this build with its schema or its providers' schemas changed. */
    private static ResourceDocs docs(UnaryOperator<JsonNode> schemaChange, UnaryOperator<ResourceSchema> providerChange) {
        JsonNode schema = schemaChange.apply(new SchemaCheck().schemaJson().deepCopy());
        return new ResourceDocs(schema, t -> registry.schema(t).map(providerChange), registry::providerName, ResourceDocs::classpath);
    }

    /** A provider schema with one attribute added or replaced. */
    private static ResourceSchema with(ResourceSchema s, AttributeSchema a) {
        Map<String, AttributeSchema> attributes = new HashMap<>(s.attributes());
        attributes.put(a.name(), a);
        return new ResourceSchema(s.type(), attributes, s.createBeforeDestroy(), s.defaults(), s.forgetOnDelete(), s.forgetWhenSet(),
                s.orderGroup(), s.identity(), s.derivedName());
    }
}

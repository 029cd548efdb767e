package cem.cli;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.diag.DiagnosticsException;
import cem.sites.Inventory;
import cem.sites.SiteRenderer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzing (issue 12) of the template renderer with its inventory, and of the saved-plan reader:
 * random inputs built from the pieces that matter end in diagnostics, never in an uncaught
 * exception, a hang or unbounded memory. Bounded here (tries below; the YAML loader's own run is
 * ConfigMutationTest); bench/adversarial.sh fuzz runs them longer.
 */
class FuzzTest {

    private static final AtomicLong INPUTS = new AtomicLong();
    private static final Path WORK;
    private static final String PLAN;

    static {
        try {
            WORK = Files.createTempDirectory("cem-fuzz");
            Path site = CliRun.copyExample(WORK, "quickstart");
            CliRun plan = CliRun.run(Map.of(), WORK, "plan", "-out", "saved.plan", "quickstart");
            if (plan.exitCode() != 0) {
                throw new IllegalStateException(plan.err());
            }
            PLAN = Files.readString(WORK.resolve("saved.plan"));
            assertTrue(Files.isDirectory(site));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterContainer
    static void report() {
        System.out.println("fuzz: " + INPUTS.get() + " inputs (templates with inventories, saved plans), every one a result or a diagnostic");
    }

    @Provide
    Arbitrary<String> templates() {
        Arbitrary<String> piece = Arbitraries.of("version: 1\n", "hosts:\n", "  [=site.name]-ns: {os: windows, address: a}\n", "[=", "]", "[=x]",
                "[=site.tags[0]]", "[=vars!\"d\"]", "<#if ", "<#if lab>", "</#if>", "<#else>", "<#list ports as p>", "</#list>", "<#list 1..3 as i>[=i]",
                "<#assign y = 1>", "<#macro m>", "</#macro>", "<@m/>", "<#include \"../../etc/passwd\">", "<#include \"other.ftl\">",
                "${env:X}", "${", "<#--", "-->", "\n", "  ", ":", "- ", "'", "\"", "?upper_case", "?api", "?new()", "\"freemarker.template.utility.Execute\"?new()",
                "<#attempt>", "<#recover>", "</#attempt>", "resources:\n", "  - {type: certificate, name: c, host: h}\n", "\u0000", "\uE000", "\uE0001:1\uE001");
        return piece.list().ofMaxSize(25).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<String> inventories() {
        Arbitrary<String> value = Arbitraries.of("1", "true", "[443, 8443]", "{a: 1}", "''", "x", "'[=x]'", "null", "\"\\u0000\"", "&a x", "*a");
        Arbitrary<String> key = Arbitraries.of("name", "wave", "tags", "vars", "lab", "ports", "x", "site", "percent", "sites");
        return Arbitraries.of("version: 1\ntemplate: t\n", "version: 1\ntemplate: t\nsites:\n  - name: a\n", "version: 2\n", "sites: []\n",
                "version: 1\ntemplate: t\nsites:\n  - name: a\n    vars: {lab: true, ports: [1]}\n  - name: b\n    wave: w\n"
                        + "rollout:\n  waves:\n    - {name: w, percent: 50}\n    - {name: rest}\n")
                .flatMap(head -> key.flatMap(k -> value.map(v -> head + "defaults: {" + k + ": " + v + "}\n")));
    }

    @Property
    void templatesAndInventoriesEndInResultsOrDiagnostics(@ForAll("templates") String template, @ForAll("inventories") String inventory) {
        INPUTS.incrementAndGet();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Path dir = Files.createTempDirectory(WORK, "fleet");
            Files.createDirectories(dir.resolve("t"));
            Files.writeString(dir.resolve("t/site.yaml.ftl"), template);
            Files.writeString(dir.resolve("t/other.ftl"), "<#include \"site.yaml.ftl\">");
            Files.writeString(dir.resolve("sites.yaml"), inventory);
            var inv = Inventory.load(dir, dir);
            if (inv.value() != null) {
                SiteRenderer renderer = new SiteRenderer(inv.value(), dir);
                for (Inventory.Site s : inv.value().sites()) {
                    var r = renderer.render(s);
                    assertTrue(r.value() != null || r.diagnostics().hasErrors(), "no result without an error");
                    r.diagnostics().forEach(d -> assertTrue(!d.hint().isBlank()));
                    if (r.value() != null) {
                        r.value().files().forEach(f -> assertTrue(!f.text().contains("\uE000") || template.contains("\uE000"),
                                "no marker left behind"));
                    }
                }
            } else {
                assertTrue(inv.diagnostics().hasErrors());
            }
            // And through the command line: validate a fleet never prints a stack trace.
            CliRun run = CliRun.run(Map.of(), dir, "validate", ".");
            assertTrue(run.exitCode() == 0 || run.exitCode() == 1, run.err());
            assertTrue(!run.err().contains("internal error") && !run.err().contains("\tat "), "template:\n" + template + "\n---\n" + run.err());
        });
    }

    @Provide
    Arbitrary<String> plans() {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, PLAN.length() - 1);
        Arbitrary<String> insert = Arbitraries.of("\"", "{", "}", "[", "]", ",", ":", "null", "1e999", "-1", "\"actions\": [\"delete\"]",
                "\u0000", "\\u0000", "\"lineage\": 7", "{\"encrypted\": true, \"config_directory\": \"../..\"}", "");
        return Arbitraries.oneOf(
                at.map(i -> PLAN.substring(0, i)), // truncated
                at.flatMap(i -> insert.map(s -> PLAN.substring(0, i) + s + PLAN.substring(i))), // inserted
                at.flatMap(i -> at.map(j -> PLAN.substring(0, Math.min(i, j)) + PLAN.substring(Math.max(i, j)))), // a span removed
                Arbitraries.strings().ofMaxLength(200)); // anything
    }

    /** Found by the property: a NUL in config_directory escaped as InvalidPathException, a stack trace. */
    @net.jqwik.api.Example
    void aPlanWhoseConfigDirectoryIsNoPathIsRefused() throws IOException {
        assertTrue(PLAN.contains("\"config_directory\""), PLAN);
        savedPlansEndInAnApplyOrARefusal(PLAN.replaceFirst("(\"config_directory\"\\s*:\\s*\")", "$1\\\\u0000"));
    }

    @Property
    void savedPlansEndInAnApplyOrARefusal(@ForAll("plans") String text) throws IOException {
        INPUTS.incrementAndGet();
        Path file = Files.createTempFile(WORK, "plan", ".json");
        Files.writeString(file, text);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try {
                var json = PlanRun.readPlanFile(new Session(new java.io.PrintWriter(java.io.Writer.nullWriter()),
                        new java.io.PrintWriter(java.io.Writer.nullWriter()), Map.of(), WORK, false, java.io.InputStream.nullInputStream()), file, "fuzzed");
                cem.plan.PlanJson.read(json);
                assertTrue(text.equals(PLAN) || cem.state.Checksum.matches(json), "an edited plan got past the checksum");
            } catch (DiagnosticsException e) {
                e.diagnostics().forEach(d -> assertTrue(!d.hint().isBlank()));
            }
        });
    }
}

package cem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import cem.diag.Diagnostic;
import cem.diag.Result;
import cem.diag.SourceRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class YamlLoaderTest {

    @TempDir
    Path dir;

    private Result<YamlDocument> load(String text) throws IOException {
        Path file = dir.resolve("t.yaml");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return new YamlLoader().load(file, Path.of("t.yaml"));
    }

    private static String at(SourceRange r) {
        return r.start().line() + ":" + r.start().column() + "-" + r.end().line() + ":" + r.end().column();
    }

    @Test
    void recordsKeyAndValuePositions() throws IOException {
        YamlDocument doc = load("version: 1\nresources:\n  - type: iis_binding\n    port: 443\n").value();
        assertEquals("4:11-4:14", at(doc.valueRange("/resources/0/port")));
        assertEquals("4:5-4:9", at(doc.keyRange("/resources/0/port")));
        assertEquals(443, doc.root().at("/resources/0/port").asInt());
        assertEquals("3:5-5:1", at(doc.valueRange("/resources/0"))); // a block mapping ends where the next line starts
    }

    @Test
    void crlfFilesHaveTheSamePositions() throws IOException {
        YamlDocument doc = load("version: 1\r\nresources:\r\n  - type: iis_binding\r\n    port: 443\r\n").value();
        assertEquals("4:11-4:14", at(doc.valueRange("/resources/0/port")));
        assertEquals("    port: 443", doc.lines().get(3));
    }

    @Test
    void aByteOrderMarkIsIgnored() throws IOException {
        YamlDocument doc = load("\uFEFFversion: 1\n").value();
        assertEquals(1, doc.root().get("version").asInt());
    }

    @Test
    void scalarsGetYamlTypes() throws IOException {
        YamlDocument doc = load("a: 1\nb: \"1\"\nc: true\nd: ~\ne: 1.5\nf: 0x10\n").value();
        assertEquals(true, doc.root().get("a").isIntegralNumber());
        assertEquals(true, doc.root().get("b").isTextual());
        assertEquals(true, doc.root().get("c").isBoolean());
        assertEquals(true, doc.root().get("d").isNull());
        assertEquals(1.5, doc.root().get("e").asDouble());
        assertEquals(16, doc.root().get("f").asInt());
    }

    @Test
    void duplicateKeyNamesBothPlaces() throws IOException {
        Diagnostic d = single(load("a: 1\nb: 2\na: 3\n"));
        assertEquals(ConfigCodes.DUPLICATE_KEY, d.code());
        assertEquals("3:1-3:2", at(d.subject()));
        assertEquals(true, d.detail().contains("line 1, column 1"));
    }

    @Test
    void severalDocumentsInOneFileAreAnError() throws IOException {
        assertEquals(ConfigCodes.YAML_SYNTAX, single(load("version: 1\n---\nversion: 1\n")).code());
    }

    @Test
    @Timeout(30)
    void tooManyAliasesAreRefusedBeforeExpansion() throws IOException {
        StringBuilder b = new StringBuilder("a0: &a0 [x, x]\n");
        for (int i = 1; i <= 120; i++) {
            b.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append("]\n");
        }
        assertEquals(ConfigCodes.ALIAS_BOMB, single(load(b.toString())).code());
    }

    @Test
    @Timeout(30)
    void aBinaryTreeOfAliasesIsRefused() throws IOException {
        StringBuilder b = new StringBuilder("a0: &a0 [x, x]\n");
        for (int i = 1; i <= 40; i++) {
            b.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1).append("]\n");
        }
        Diagnostic d = single(load(b.toString()));
        assertEquals(ConfigCodes.ALIAS_BOMB, d.code());
    }

    @Test
    void deepNestingIsRefused() throws IOException {
        assertEquals(ConfigCodes.YAML_SYNTAX, single(load("a: " + "[".repeat(500) + "]".repeat(500) + "\n")).code());
    }

    @Test
    void aDanglingLinkIsReportedNotSkipped() throws IOException {
        Path link = dir.resolve("gone.yaml");
        Files.createSymbolicLink(link, dir.resolve("nowhere.yaml"));
        Result<YamlDocument> r = new YamlLoader().load(link, Path.of("gone.yaml"));
        assertNull(r.value());
        assertEquals(ConfigCodes.UNREADABLE_FILE, r.diagnostics().list().get(0).code());
    }

    private static Diagnostic single(Result<YamlDocument> r) {
        assertEquals(1, r.diagnostics().list().size(), r.diagnostics().toString());
        assertNotNull(r.diagnostics().list().get(0).hint());
        return r.diagnostics().list().get(0);
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad input that is not a committed example: each gets a clear diagnostic, exit code 1, no stack trace. */
class BadInputTest {

    @TempDir
    Path dir;

    private CliRun validate(Path config) {
        return CliRun.run(Map.of(), dir, "validate", config.toString());
    }

    private static void assertDiagnostic(CliRun run, String code) {
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("[" + code + "]"), run.err());
        assertTrue(run.err().contains("Hint:"), run.err());
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run.err());
    }

    @Test
    @Timeout(60)
    void aFiftyMegabyteFileIsRefusedWithoutReadingIt() throws IOException {
        Path config = Files.createDirectory(dir.resolve("big"));
        byte[] line = "# padding padding padding padding padding padding padding padding padding\n"
                .getBytes(StandardCharsets.US_ASCII);
        try (OutputStream out = Files.newOutputStream(config.resolve("estate.yaml"))) {
            out.write("version: 1\n".getBytes(StandardCharsets.US_ASCII));
            for (long written = 0; written < 50L * 1024 * 1024; written += line.length) {
                out.write(line);
            }
        }
        CliRun run = validate(config);
        assertDiagnostic(run, "CFG1005");
        assertTrue(run.err().contains("Configuration file is too large"), run.err());
    }

    @Test
    void aMissingDirectoryIsNamed() {
        CliRun run = validate(dir.resolve("nowhere"));
        assertDiagnostic(run, "ENV9001");
        assertTrue(run.err().contains("does not exist"), run.err());
    }

    @Test
    void aFileInsteadOfADirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("estate.yaml"), "version: 1\n");
        assertDiagnostic(validate(file), "ENV9001");
    }

    @Test
    void aDanglingLinkIsReported() throws IOException {
        Path config = Files.createDirectory(dir.resolve("c"));
        Files.writeString(config.resolve("a.yaml"), "version: 1\n");
        Files.createSymbolicLink(config.resolve("b.yaml"), config.resolve("missing.yaml"));
        assertDiagnostic(validate(config), "CFG1010");
    }

    @Test
    @Timeout(30)
    void aRecursiveAliasIsRefused() throws IOException {
        Path config = Files.createDirectory(dir.resolve("c"));
        Files.writeString(config.resolve("a.yaml"), "version: 1\nhosts: &h\n  x: *h\n");
        CliRun run = validate(config);
        assertEquals(1, run.exitCode(), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
    }

    @Test
    void aListAtTheTopIsExplained() throws IOException {
        Path config = Files.createDirectory(dir.resolve("c"));
        Files.writeString(config.resolve("a.yaml"), "- version: 1\n");
        assertDiagnostic(validate(config), "SCH2003");
    }

    @Test
    void nulBytesInTheMiddleOfTextAreBinary() throws IOException {
        Path config = Files.createDirectory(dir.resolve("c"));
        byte[] bytes = "version: 1\nhosts: {}\n".getBytes(StandardCharsets.UTF_8);
        bytes = Arrays.copyOf(bytes, bytes.length + 3);
        Files.write(config.resolve("a.yaml"), bytes);
        assertDiagnostic(validate(config), "CFG1004");
    }

    @Test
    void invalidUtf8IsBinary() throws IOException {
        Path config = Files.createDirectory(dir.resolve("c"));
        Files.write(config.resolve("a.yaml"), new byte[] {'v', ':', ' ', (byte) 0xC3, (byte) 0x28, '\n'});
        assertDiagnostic(validate(config), "CFG1004");
    }

    @Test
    void allProblemsOfAllFilesAreReportedInFileOrder() throws IOException {
        Path config = Files.createDirectory(dir.resolve("c"));
        Files.writeString(config.resolve("b.yaml"), "version: 1\nhosts:\n  ns1: {address: x, os: windoze}\n");
        Files.writeString(config.resolve("a.yaml"), "version: 1\nresources:\n  - {type: nope, name: x}\n");
        CliRun run = validate(config);
        assertEquals(1, run.exitCode());
        int a = run.err().indexOf("a.yaml:3");
        int b = run.err().indexOf("b.yaml:3");
        assertTrue(a >= 0 && b > a, run.err());
        assertTrue(run.err().contains("2 errors"), run.err());
    }
}

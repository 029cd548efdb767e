package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.config.ConfigCodes;
import cem.testkit.ErrorMarkers;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every folder of {@code examples/invalid/} yields exactly the diagnostics its {@code # ERROR}
 * markers name, at those lines, through the real {@code cem validate}.
 */
class InvalidExamplesTest {

    static final Path INVALID = CliRun.REPO.resolve("examples/invalid");

    /** Codes whose trigger cannot live in a committed folder; each has its own test. */
    static final Set<String> TESTED_ELSEWHERE = Set.of(
            ConfigCodes.FILE_TOO_LARGE, // BadInputTest: a 50 MB file
            ConfigCodes.UNREADABLE_FILE, // BadInputTest: a file without read permission
            ConfigCodes.NO_DIRECTORY, // BadInputTest: a directory that does not exist
            ConfigCodes.SECRET_WITHHELD, // ReadScopeCliTest: only `cem plan --no-credentials` withholds secrets
            ConfigCodes.DOCUMENTS_LINK); // AcmeDocumentsTest: a symbolic link, which not every checkout makes

    static Stream<String> folders() throws IOException {
        try (Stream<Path> list = Files.list(INVALID)) {
            return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("folders")
    void producesExactlyTheMarkedDiagnostics(String folder) throws IOException {
        Path dir = INVALID.resolve(folder);
        List<String> expected = ErrorMarkers.expected(dir);
        assertFalse(expected.isEmpty(), folder + " has no # ERROR marker");

        CliRun run = CliRun.inRepo("validate", "--json", "examples/invalid/" + folder);
        JsonNode result = run.json();
        List<String> actual = new ArrayList<>();
        for (JsonNode d : result.get("diagnostics")) {
            JsonNode range = d.get("range");
            String file = range == null ? null : Path.of(range.get("filename").asText()).getFileName().toString();
            int line = range == null ? 0 : range.get("start").get("line").asInt();
            actual.add(ErrorMarkers.actual(file, line, d.get("severity").asText().toUpperCase(), d.get("code").asText()));
            assertFalse(d.get("hint").asText().isBlank(), "every diagnostic has a hint: " + d);
            assertTrue(range != null || d.get("code").asText().startsWith("ENV"), "only ENV diagnostics are sourceless: " + d);
        }
        actual.sort(null);
        assertEquals(expected, actual, run.err());
        boolean errors = expected.stream().anyMatch(e -> e.contains(" ERROR "));
        assertEquals(errors ? 1 : 0, run.exitCode());
        assertFalse(run.err().contains("Exception"), run.err());
    }

    @Test
    void everyDiagnosticCodeHasAFolder() throws IllegalAccessException, IOException {
        Set<String> codes = new TreeSet<>();
        for (Field f : ConfigCodes.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                codes.add((String) f.get(null));
            }
        }
        Set<String> covered = new TreeSet<>(TESTED_ELSEWHERE);
        folders().forEach(name -> covered.add(name.substring(0, name.indexOf('-'))));
        Set<String> missing = new TreeSet<>(codes);
        missing.removeAll(covered);
        assertEquals(Set.of(), missing, "diagnostic codes without an examples/invalid folder");
    }
}

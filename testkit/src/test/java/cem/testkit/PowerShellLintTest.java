package cem.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs lint.mjs on its fixtures ({@code tools/ps-parse/fixtures/lint}): each bad fixture marks the
 * lines that must fail with a comment {@code # LINT RULE-ID} and yields exactly those findings; the
 * good fixtures, a small agent in cem's style among them, yield none.
 */
class PowerShellLintTest {

    private static final List<String> RULES =
            List.of("PS000", "PS100", "PS101", "PS200", "PS201", "PS202", "PS203", "PS204", "PS300", "PS301", "PS302");
    private static final Pattern MARKER = Pattern.compile("#\\s*LINT((?:\\s+PS\\d{3})+)\\s*$");
    private static final Pattern FINDING = Pattern.compile("^(.*):(\\d+):(\\d+): (PS\\d{3}): .+$");

    private static Map<String, List<String>> badFindings;

    @BeforeAll
    static void lintBadFixtures() throws IOException, InterruptedException {
        // One run for all of them: node starts once.
        badFindings = new TreeMap<>();
        for (String line : PowerShellLint.problems(fixtures().resolve("cmdlets.json"), fixtures().resolve("ops"),
                bad().toArray(Path[]::new))) {
            Matcher m = FINDING.matcher(line);
            assertEquals(true, m.matches(), () -> "not FILE:LINE:COL: RULE-ID: message: " + line);
            badFindings.computeIfAbsent(Path.of(m.group(1)).getFileName().toString(), k -> new ArrayList<>())
                    .add(m.group(2) + " " + m.group(4));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void badFixtureYieldsExactlyItsMarkedFindings(Path fixture) throws IOException {
        List<String> expected = markers(fixture);
        assertFalse(expected.isEmpty(), fixture + " marks no line with # LINT RULE-ID");
        List<String> actual = new ArrayList<>(badFindings.getOrDefault(fixture.getFileName().toString(), List.of()));
        actual.sort(null);
        assertEquals(expected, actual, fixture.getFileName() + ": findings as \"line RULE\"");
    }

    @Test
    void everyRuleHasABadFixture() throws IOException {
        TreeSet<String> covered = new TreeSet<>();
        for (Path fixture : bad()) {
            for (String marker : markers(fixture)) {
                covered.add(marker.split(" ")[1]);
            }
        }
        assertEquals(new TreeSet<>(RULES), covered);
    }

    @Test
    void goodFixturesYieldNoFinding() throws IOException, InterruptedException {
        List<Path> good;
        try (Stream<Path> files = Files.list(fixtures().resolve("good"))) {
            good = files.sorted().toList();
        }
        assertFalse(good.isEmpty());
        assertEquals(List.of(), PowerShellLint.problems(fixtures().resolve("cmdlets.json"), fixtures().resolve("ops"),
                good.toArray(Path[]::new)));
    }

    @Test
    void withoutOpContractsTheArgumentsAreNotChecked() throws IOException, InterruptedException {
        Path fixture = fixtures().resolve("bad/PS100-optional-key.psm1");
        assertEquals(List.of(), PowerShellLint.problems(fixtures().resolve("cmdlets.json"), null, fixture));
    }

    static List<Path> bad() throws IOException {
        try (Stream<Path> files = Files.list(fixtures().resolve("bad"))) {
            return files.sorted().toList();
        }
    }

    /** "line RULE" for each marker of a fixture, sorted. */
    private static List<String> markers(Path fixture) throws IOException {
        // ISO-8859-1 reads any byte: the non-ASCII fixtures keep their markers readable.
        String[] lines = new String(Files.readAllBytes(fixture), StandardCharsets.ISO_8859_1).split("\r\n|\r|\n", -1);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            Matcher m = MARKER.matcher(lines[i]);
            if (m.find()) {
                for (String rule : m.group(1).trim().split("\\s+")) {
                    out.add((i + 1) + " " + rule);
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static Path fixtures() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path fixtures = dir.resolve("tools/ps-parse/fixtures/lint");
            if (Files.isDirectory(fixtures)) {
                return fixtures;
            }
        }
        throw new IOException("tools/ps-parse/fixtures/lint not found above " + Path.of("").toAbsolutePath());
    }
}

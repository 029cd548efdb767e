package cem.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random edits of a valid configuration — characters inserted, deleted or replaced, lines
 * duplicated, dropped or swapped — always end in diagnostics or success, never in an exception.
 */
class ConfigMutationTest {

    private static final String VALID;

    static {
        try {
            VALID = Files.readString(CliRun.REPO.resolve("examples/split-domain-8443/estate.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Edit(int kind, int position, int other, char character) {
        String apply(String text) {
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            int at = Math.floorMod(position, Math.max(1, text.length()));
            int line = Math.floorMod(position, lines.size());
            int line2 = Math.floorMod(other, lines.size());
            return switch (kind) {
                case 0 -> text.substring(0, at) + character + text.substring(at);
                case 1 -> text.isEmpty() ? text : text.substring(0, at) + text.substring(Math.min(text.length(), at + 1));
                case 2 -> text.isEmpty() ? text : text.substring(0, at) + character + text.substring(Math.min(text.length(), at + 1));
                case 3 -> { lines.add(line, lines.get(line)); yield String.join("\n", lines); }
                case 4 -> { lines.remove(line); yield String.join("\n", lines); }
                default -> { String t = lines.get(line); lines.set(line, lines.get(line2)); lines.set(line2, t); yield String.join("\n", lines); }
            };
        }
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        Arbitrary<Character> chars = Arbitraries.of(':', '-', ' ', '\t', '"', '\'', '{', '}', '[', ']', '*', '&', '!',
                '#', '|', '>', '\n', '$', '%', '@', '`', '0', '9', 'a', 'é', '\u0000', '\uFEFF', ',');
        Arbitrary<Edit> edit = Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers(),
                Arbitraries.integers(), chars).as(Edit::new);
        return edit.list().ofMinSize(1).ofMaxSize(6);
    }

    @Property
    void editsNeverEndInAnException(@ForAll("edits") List<Edit> edits) throws IOException {
        String text = VALID;
        for (Edit e : edits) {
            text = e.apply(text);
        }
        Path root = Files.createTempDirectory("cem-mutation");
        try {
            Path site = Files.createDirectory(root.resolve("site"));
            Path certs = Files.createDirectory(root.resolve("certs"));
            for (String f : new String[] {"san.pfx", "example.pass"}) {
                Files.copy(CliRun.REPO.resolve("examples/certs").resolve(f), certs.resolve(f));
            }
            Files.writeString(site.resolve("estate.yaml"), text);
            CliRun run = CliRun.run(Map.of("CEM_NS_PASSWORD", "x", "CEM_IG_PASSWORD", "y"), root, "validate", "site");
            assertTrue(run.exitCode() == 0 || run.exitCode() == 1, run.err());
            assertFalse(run.err().contains("internal error"), "input:\n" + text + "\n---\n" + run.err());
            if (run.exitCode() == 1) {
                assertTrue(run.err().contains("Hint:"), run.err());
            }
        } finally {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

package cem.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden-file assertions. Run the tests with {@code -Dcem.golden.update=true} to rewrite the
 * files from the actual output, then review the diff.
 */
public final class Golden {

    private Golden() {}

    public static void assertMatches(String actual, Path golden) {
        try {
            if (Boolean.getBoolean("cem.golden.update")) {
                Files.createDirectories(golden.toAbsolutePath().getParent());
                Files.writeString(golden, actual, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(golden)) {
                throw new AssertionError("golden file " + golden + " is missing; run with -Dcem.golden.update=true to create it");
            }
            assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual, "output differs from " + golden);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package cem.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the expected diagnostics of an error fixture directory: a comment {@code # ERROR CODE}
 * (or {@code # WARNING CODE}, several codes allowed) on each line that must fail, and the codes of
 * sourceless diagnostics in {@code expect-sourceless.txt}. Each expectation is a string
 * {@code "file:line SEVERITY CODE"} (file relative to the directory; line 0 for sourceless).
 */
public final class ErrorMarkers {

    private static final Pattern MARKER = Pattern.compile("#\\s*(ERROR|WARNING)((?:\\s+[A-Z]{3}\\d{4})+)\\s*$");

    private ErrorMarkers() {}

    public static List<String> expected(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.equals("expect-sourceless.txt")) {
                    for (String code : Files.readAllLines(file)) {
                        if (!code.isBlank()) {
                            out.add(":0 ERROR " + code.trim());
                        }
                    }
                } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                    // ISO-8859-1 reads any byte, so markers in deliberately broken files are found too.
                    String[] lines = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).split("\r\n|\r|\n", -1);
                    for (int i = 0; i < lines.length; i++) {
                        Matcher m = MARKER.matcher(lines[i]);
                        if (m.find()) {
                            for (String code : m.group(2).trim().split("\\s+")) {
                                out.add(name + ":" + (i + 1) + " " + m.group(1) + " " + code);
                            }
                        }
                    }
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** The same form for a produced diagnostic. */
    public static String actual(String fileName, int line, String severity, String code) {
        return (fileName == null ? "" : fileName) + ":" + line + " " + severity + " " + code;
    }
}

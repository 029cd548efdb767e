package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.DiagnosticText;
import cem.diag.Diagnostics;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** Prints diagnostics: as text with source snippets on stderr, or as JSON (one view model for both). */
final class DiagnosticPrinter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Session session;
    private final boolean color;
    private final Function<Path, List<String>> lines;

    /** @param loaded the lines of files already read, or null to read them on demand */
    DiagnosticPrinter(Session session, boolean color, Function<Path, List<String>> loaded) {
        this.session = session;
        this.color = color;
        this.lines = path -> {
            List<String> known = loaded == null ? List.of() : loaded.apply(path);
            return known.isEmpty() ? readLines(path) : known;
        };
    }

    void print(Diagnostics diagnostics) {
        session.err().print(new DiagnosticText(lines, color).render(diagnostics));
        session.err().flush();
    }

    /** The Terraform-like JSON form of one diagnostic (stable contract, see README). */
    ObjectNode json(Diagnostic d) {
        ObjectNode node = JSON.createObjectNode();
        node.put("severity", d.severity().name().toLowerCase(java.util.Locale.ROOT));
        node.put("code", d.code());
        node.put("summary", d.summary());
        node.put("detail", d.detail());
        node.put("hint", d.hint());
        if (d.address() != null) {
            node.put("address", d.address());
        }
        if (d.subject() != null) {
            ObjectNode range = node.putObject("range");
            range.put("filename", d.subject().file().toString().replace('\\', '/'));
            ObjectNode start = range.putObject("start");
            start.put("line", d.subject().start().line());
            start.put("column", d.subject().start().column());
            start.put("byte", d.subject().start().offset());
            ObjectNode end = range.putObject("end");
            end.put("line", d.subject().end().line());
            end.put("column", d.subject().end().column());
            end.put("byte", d.subject().end().offset());
            List<String> source = lines.apply(d.subject().file());
            int line = d.subject().start().line();
            if (line <= source.size()) {
                ObjectNode snippet = node.putObject("snippet");
                snippet.put("code", DiagnosticText.sourceLine(d, source.get(line - 1)));
                snippet.put("start_line", line);
            }
        }
        return node;
    }

    ArrayNode json(Diagnostics diagnostics) {
        ArrayNode array = JSON.createArrayNode();
        diagnostics.forEach(d -> array.add(json(d)));
        return array;
    }

    private List<String> readLines(Path shown) {
        Path file = session.cwd().resolve(shown);
        try {
            if (Files.isRegularFile(file) && Files.size(file) <= cem.config.YamlLoader.MAX_FILE_BYTES) {
                return List.of(Files.readString(file).split("\r\n|\r|\n", -1));
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return List.of();
    }
}

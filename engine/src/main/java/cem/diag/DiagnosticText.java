package cem.diag;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Renders diagnostics for a terminal: the summary, the place, the source line with a caret under
 * the offending span, the detail and the hint.
 */
public final class DiagnosticText {

    private static final String RED = "\u001b[31m";
    private static final String YELLOW = "\u001b[33m";
    private static final String BOLD = "\u001b[1m";
    private static final String RESET = "\u001b[0m";

    private final Function<Path, List<String>> sourceLines;
    private final boolean color;

    /**
     * @param sourceLines the lines of a file (as loaded), or an empty list when unknown
     * @param color whether to use ANSI colours
     */
    public DiagnosticText(Function<Path, List<String>> sourceLines, boolean color) {
        this.sourceLines = sourceLines;
        this.color = color;
    }

    public String render(Diagnostics diagnostics) {
        StringBuilder out = new StringBuilder();
        for (Diagnostic d : diagnostics) {
            render(d, out);
            out.append('\n');
        }
        return out.toString();
    }

    public String render(Diagnostic d) {
        StringBuilder out = new StringBuilder();
        render(d, out);
        return out.toString();
    }

    /** Every text of a diagnostic may carry a host's words: each goes through {@link TerminalText#safe} before cem's own colours are added. */
    private void render(Diagnostic d, StringBuilder out) {
        String severityColor = d.isError() ? RED : YELLOW;
        out.append(paint(severityColor + BOLD, d.severity().label() + ":"))
                .append(' ')
                .append(paint(BOLD, TerminalText.safe(d.summary())))
                .append(" [")
                .append(d.code())
                .append("]\n");
        if (d.subject() != null) {
            out.append("  at ").append(d.subject().label());
            if (d.address() != null) {
                out.append(" (").append(TerminalText.safe(d.address())).append(')');
            }
            out.append('\n');
            snippet(d, d.subject(), out);
        } else if (d.address() != null) {
            out.append("  on ").append(TerminalText.safe(d.address())).append('\n');
        }
        if (!d.detail().isBlank()) {
            for (String line : TerminalText.safe(d.detail()).split("\n", -1)) {
                out.append("  ").append(line).append('\n');
            }
        }
        out.append("  ").append(paint(BOLD, "Hint:")).append(' ').append(TerminalText.safe(d.hint())).append('\n');
    }

    private void snippet(Diagnostic d, SourceRange range, StringBuilder out) {
        List<String> lines = sourceLines.apply(range.file());
        int lineNo = range.start().line();
        if (lines.isEmpty() || lineNo > lines.size()) {
            return;
        }
        String text = printable(sourceLine(d, lines.get(lineNo - 1)));
        String number = Integer.toString(lineNo);
        String gutter = " ".repeat(number.length());
        out.append("    ").append(number).append(" | ").append(text).append('\n');
        int startCol = Math.min(range.start().column(), text.length() + 1);
        int width;
        if (range.end().line() == lineNo) {
            width = Math.max(1, Math.min(range.end().column(), text.length() + 1) - startCol);
        } else {
            width = Math.max(1, text.length() + 1 - startCol);
        }
        out.append("    ")
                .append(gutter)
                .append(" | ")
                .append(" ".repeat(startCol - 1))
                .append(paint(RED, "^".repeat(width)))
                .append('\n');
    }

    /**
     * The source line a diagnostic shows: for a secret written as a literal ({@code SEC2101}), the
     * value itself is starred out — a diagnostic must not copy a secret into a log. Nothing else is
     * starred (a plain-HTTP warning's {@code insecureHttp: true} is no secret).
     */
    public static String sourceLine(Diagnostic d, String line) {
        SourceRange r = d.subject();
        if (r == null || !d.code().equals("SEC2101") || r.end().line() != r.start().line()) {
            return line;
        }
        int from = Math.min(line.length(), r.start().column() - 1);
        int to = Math.max(from, Math.min(line.length(), r.end().column() - 1));
        return line.substring(0, from) + "*".repeat(to - from) + line.substring(to);
    }

    /** Tabs become one space (so the caret stays aligned) and control characters a dot. */
    private static String printable(String line) {
        StringBuilder b = new StringBuilder(Math.min(line.length(), 200));
        for (int i = 0; i < line.length() && i < 200; i++) {
            char c = line.charAt(i);
            b.append(c == '\t' ? ' ' : Character.isISOControl(c) ? '.' : c);
        }
        if (line.length() > 200) {
            b.append(" …");
        }
        return b.toString();
    }

    private String paint(String code, String text) {
        return color ? code + text + RESET : text;
    }
}

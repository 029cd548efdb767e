package cem.diag;

/**
 * Text a host supplied, made safe to print on a terminal. A host's answer reaches diagnostics and
 * plans (an error it printed, a value it holds); an escape sequence in it could clear the screen,
 * retitle the window, hide lines or forge cem's own output. Every control character but newline
 * and tab — C0, DEL, C1 (which some terminals take as the 8-bit form of ESC sequences) — and the
 * bidirectional overrides are shown as escapes ({@code \x1b}, {@code \u009b}, {@code \u202e}): the
 * sequence stays visible and does nothing. A Windows line end {@code \r\n} is a newline.
 */
public final class TerminalText {

    private TerminalText() {}

    /** {@code text} with every control character escaped, or {@code text} itself when it has none; null stays null. */
    public static String safe(String text) {
        if (text == null || text.chars().noneMatch(TerminalText::unsafe)) {
            return text;
        }
        String lines = text.replace("\r\n", "\n");
        StringBuilder b = new StringBuilder(lines.length() + 16);
        for (int i = 0; i < lines.length(); i++) {
            char c = lines.charAt(i);
            if (!unsafe(c)) {
                b.append(c);
            } else if (c < 0x80) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    /**
     * Whether a terminal could obey this character rather than show it: C0 but newline and tab, DEL,
     * C1, the bidirectional overrides and isolates. JSON output escapes the same ones (as {@code \\uXXXX}).
     */
    public static boolean unsafe(int c) {
        return (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069);
    }
}

package cem.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Host text in diagnostics is shown, never obeyed by the terminal (issue 24, item 11). */
class TerminalTextTest {

    /** Clear screen, retitle the window (OSC, ended by BEL), hide text, the 8-bit CSI, a bidi override, a lone CR. */
    static final String HOSTILE = "ok\u001b[2J\u001b]0;pwned\u0007\u001b[8mhidden\u009b31m\u202eevil\rforged\u0000";

    @Test
    void controlCharactersAreEscapedNewlinesAndTabsKept() {
        assertEquals("ok\\x1b[2J\\x1b]0;pwned\\x07\\x1b[8mhidden\\u009b31m\\u202eevil\\x0dforged\\x00", TerminalText.safe(HOSTILE));
        assertEquals("line 1\nline 2\n\tindented", TerminalText.safe("line 1\r\nline 2\n\tindented"));
        String plain = "Host ig1 answered: é ü 中";
        assertSame(plain, TerminalText.safe(plain));
    }

    @Test
    void everyTextOfADiagnosticIsSafeAndCemsOwnColoursStay() {
        Diagnostic d = new Diagnostic(Severity.ERROR, "PRV4006", "Host said " + HOSTILE, "Detail " + HOSTILE, "Hint " + HOSTILE, null,
                "x." + HOSTILE);
        String plain = new DiagnosticText(p -> List.of(), false).render(d);
        assertFalse(plain.chars().anyMatch(c -> c < 0x20 && c != '\n' || c >= 0x7f && c <= 0x9f || c == 0x202e), plain);
        assertTrue(plain.contains("Host said ok\\x1b[2J"), plain);
        String colored = new DiagnosticText(p -> List.of(), true).render(d);
        assertTrue(colored.startsWith("\u001b[31m\u001b[1mError:"), "cem's own colours are kept");
        assertEquals(7, colored.chars().filter(c -> c == 0x1b).count(), "only cem's own escapes: red and bold, bold twice, three resets");
    }
}

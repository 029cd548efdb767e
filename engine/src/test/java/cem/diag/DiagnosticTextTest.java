package cem.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiagnosticTextTest {

    private static final Path FILE = Path.of("sites/emea.yaml");

    @Test
    void rendersSourceLineWithCaretUnderTheSpan() {
        SourceRange at = new SourceRange(FILE, new SourcePos(2, 11, 20), new SourcePos(2, 14, 23));
        Diagnostic d = Diagnostic.error("SEM3101", "Port mismatch", "Detail line.", "Do this.", at);
        String text = new DiagnosticText(p -> List.of("ig1:", "    port: 443", "x"), false).render(d);
        assertEquals("""
                Error: Port mismatch [SEM3101]
                  at sites/emea.yaml:2:11
                    2 |     port: 443
                      |           ^^^
                  Detail line.
                  Hint: Do this.
                """, text);
    }

    @Test
    void aTabInTheLineKeepsTheCaretAligned() {
        SourceRange at = new SourceRange(FILE, new SourcePos(1, 1, 0), new SourcePos(1, 1, 0));
        Diagnostic d = Diagnostic.error("CFG1001", "Invalid YAML syntax", "", "Use spaces.", at);
        String text = new DiagnosticText(p -> List.of("\taddress: x"), false).render(d);
        assertEquals("""
                Error: Invalid YAML syntax [CFG1001]
                  at sites/emea.yaml:1:1
                    1 |  address: x
                      | ^
                  Hint: Use spaces.
                """, text);
    }

    /** Issue 20, item 6: SEC2104's snippet starred out "insecureHttp: true"; only a literal secret (SEC2101) is starred. */
    @Test
    void onlyALiteralSecretIsStarredOut() {
        SourceRange at = new SourceRange(FILE, new SourcePos(1, 19, 18), new SourcePos(1, 23, 22));
        String line = "    insecureHttp: true";
        assertEquals(line, DiagnosticText.sourceLine(Diagnostic.warning("SEC2104", "Plain HTTP", "", "Use HTTPS.", at), line));
        SourceRange secret = new SourceRange(FILE, new SourcePos(1, 15, 14), new SourcePos(1, 21, 20));
        assertEquals("    password: ******", DiagnosticText.sourceLine(Diagnostic.error("SEC2101", "Literal", "", "Use a reference.", secret),
                "    password: hunter"));
    }

    @Test
    void everyDiagnosticNeedsAHint() {
        assertThrows(IllegalArgumentException.class, () -> Diagnostic.error("X0001", "s", "", " ", null));
    }

    @Test
    void diagnosticsSortByFileThenPosition() {
        Diagnostic late = Diagnostic.error("B0001", "b", "", "h",
                new SourceRange(Path.of("a.yaml"), new SourcePos(9, 1, 90), new SourcePos(9, 2, 91)));
        Diagnostic early = Diagnostic.error("A0001", "a", "", "h",
                new SourceRange(Path.of("a.yaml"), new SourcePos(2, 1, 10), new SourcePos(2, 2, 11)));
        Diagnostic other = Diagnostic.error("C0001", "c", "", "h",
                new SourceRange(Path.of("b.yaml"), new SourcePos(1, 1, 0), new SourcePos(1, 2, 1)));
        Diagnostic sourceless = new Diagnostic(Severity.ERROR, "ENV9001", "e", "", "h", null, null);
        assertEquals(List.of(sourceless, early, late, other),
                Diagnostics.of(other, late, sourceless, early).sorted().list());
    }
}

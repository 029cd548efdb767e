package cem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cem.testkit.PowerShellSyntax;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bootstrap cem ships, and one as generated, parse with tree-sitter's PowerShell grammar. */
class BootstrapSyntaxTest {

    @Test
    void shippedAndGeneratedBootstrapsParse() throws Exception {
        assertEquals(List.of(), PowerShellSyntax.problems(Path.of("src/main/resources/cem/transport/bootstrap.ps1")));
        assertEquals(List.of(), PowerShellSyntax.problems(Bootstrap.script("0123456789abcdef0123456789abcdef", "ab".repeat(32))));
    }

    @Test
    void theCheckerCatchesABrokenScript() throws Exception {
        org.junit.jupiter.api.Assertions.assertFalse(PowerShellSyntax.problems("if ($x {\n  Write-Output 'unclosed'\n").isEmpty());
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cem.testkit.Golden;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The exact text users read, pinned for a few representative cases. */
class ValidateOutputGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"SEM3101-port-policy-gateway", "CFG1001-yaml-syntax-tab", "SCH2001-unknown-key",
        "CRT3205-wildcard-too-deep", "GRF3003-cycle", "SEM3306-identity-firewall-rule-name"})
    void textOutput(String folder) {
        CliRun run = CliRun.inRepo("validate", "examples/invalid/" + folder);
        assertEquals(1, run.exitCode());
        Golden.assertMatches(run.err(), Path.of("src/test/resources/golden/validate/" + folder + ".txt"));
    }
}

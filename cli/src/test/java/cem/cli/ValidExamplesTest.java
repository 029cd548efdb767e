package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidExamplesTest {

    /** split-domain-8443 reads its SSH key and known_hosts in ~/.ssh, which its user allows (the YAML cannot). */
    private static final String SSH_DIR = System.getProperty("user.home") + "/.ssh";

    private static final Map<String, String> CREDENTIALS = Map.of("CEM_NS_PASSWORD", "x", "CEM_IG_PASSWORD", "y",
            cem.config.ReadScope.PATHS_VARIABLE, SSH_DIR);

    @ParameterizedTest
    @ValueSource(strings = {"examples/single-site", "examples/split-domain-8443", "examples/quickstart"})
    void validatesWithoutAnyDiagnostic(String example) {
        CliRun run = CliRun.run(CREDENTIALS, CliRun.REPO, "validate", example);
        assertEquals("", run.err());
        assertEquals("Success! The configuration is valid.\n", run.out());
        assertEquals(0, run.exitCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"examples/single-site", "examples/split-domain-8443"})
    void missingCredentialsAreWarningsForValidate(String example) {
        CliRun run = CliRun.run(Map.of(), CliRun.REPO, "validate", example, "--allow-path", SSH_DIR);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("Warning: Environment variable CEM_NS_PASSWORD is not set [SEC2102]"), run.err());
        assertTrue(run.out().contains("valid, but there were some warnings"), run.out());
    }
}

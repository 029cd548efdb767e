package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** State and saved plans encrypted at rest, through the CLI: sealed files, a wrong key refused, rotation. */
class StateEncryptionCliTest {

    @TempDir
    Path tmp;

    static String key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    @Test
    @Timeout(300)
    void sealedStateAndPlanWrongKeyAndRotation() throws IOException {
        Path site = CliRun.copyExample(tmp, "quickstart");
        Files.writeString(site.resolve("backend.yaml"), """
                version: 1
                backend:
                  type: local
                  encryption:
                    key: ${env:CEM_STATE_KEY}
                    fallbackKeys: ["${env:CEM_OLD_KEY}"]
                """);
        String first = key();
        String second = key();
        Map<String, String> env = Map.of("CEM_STATE_KEY", first, "CEM_OLD_KEY", first);
        CliRun plan = CliRun.run(env, tmp, "plan", "-out", "quickstart/p.plan", "quickstart");
        assertEquals(0, plan.exitCode(), plan.err());
        String sealedPlan = Files.readString(site.resolve("p.plan"));
        assertTrue(sealedPlan.contains("\"encrypted\""), sealedPlan);
        assertFalse(sealedPlan.contains("gateway.example.com"), "nothing of the plan in clear");
        CliRun shown = CliRun.run(env, tmp, "show", "--no-color", "quickstart/p.plan");
        assertTrue(shown.out().contains("# internet_gateway.ig1 will be created"), shown.out() + shown.err());
        CliRun apply = CliRun.run(env, tmp, "apply", "quickstart/p.plan");
        assertEquals(0, apply.exitCode(), apply.out() + apply.err());
        String state = Files.readString(site.resolve(".cem/state.json"));
        assertTrue(state.contains("\"encrypted\"") && !state.contains("iis_binding"), state);
        assertEquals(0, CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart").exitCode());

        CliRun wrong = CliRun.run(Map.of("CEM_STATE_KEY", second, "CEM_OLD_KEY", second), tmp, "plan", "quickstart");
        assertEquals(1, wrong.exitCode());
        assertTrue(wrong.err().contains("neither the configured key"), wrong.err());
        assertEquals(state, Files.readString(site.resolve(".cem/state.json")), "nothing overwritten");

        Map<String, String> rotated = Map.of("CEM_STATE_KEY", second, "CEM_OLD_KEY", first);
        assertEquals(0, CliRun.run(rotated, tmp, "plan", "--detailed-exitcode", "quickstart").exitCode(), "the fallback key reads it");
        assertEquals(0, CliRun.run(rotated, tmp, "state", "rm", "-d", "quickstart", "offline_package.cem-offline").exitCode());
        assertEquals(0, CliRun.run(Map.of("CEM_STATE_KEY", second, "CEM_OLD_KEY", second), tmp, "state", "list", "-d", "quickstart")
                .exitCode(), "the next write used the new key");
    }

    /** A missing encryption key said which file it wanted, but not which line of the configuration asked for it. */
    @Test
    void aMissingKeyPointsAtTheLineThatNamesIt() throws IOException {
        Path site = CliRun.copyExample(tmp, "quickstart");
        Files.writeString(site.resolve("backend.yaml"), "version: 1\nbackend:\n  type: local\n  encryption:\n    key: ${file:state.key}\n");
        CliRun plan = CliRun.run(Map.of(), tmp, "plan", "quickstart");
        assertEquals(1, plan.exitCode(), plan.out() + plan.err());
        assertTrue(plan.err().contains("[SEC2103]") && plan.err().contains("at quickstart/backend.yaml:5:10"), plan.err());
    }
}

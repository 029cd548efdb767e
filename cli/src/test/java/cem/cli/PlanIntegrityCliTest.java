package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 24, items 5 and 8 through the CLI: what a saved plan must carry to be applied, and how the state keeps a password. */
class PlanIntegrityCliTest {

    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A clear-text plan was applied although the configuration requires encryption. */
    @Test
    @Timeout(300)
    void aClearTextPlanIsRefusedWhenEncryptionIsRequiredAndTheStateKeepsAKeyedDigest() throws Exception {
        Path site = CliRun.copyExample(tmp, "quickstart");
        Files.writeString(site.resolve("backend.yaml"), "version: 1\nbackend:\n  type: local\n  encryption:\n    key: ${env:CEM_STATE_KEY}\n");
        String key = StateEncryptionCliTest.key();
        Map<String, String> env = Map.of("CEM_STATE_KEY", key);
        assertEquals(0, CliRun.run(env, tmp, "plan", "-out", "quickstart/p.plan", "quickstart").exitCode());
        cem.state.StateEncryption encryption = new cem.state.StateEncryption(Base64.getDecoder().decode(key), List.of(), true);
        String sealed = Files.readString(site.resolve("p.plan"));
        Files.writeString(site.resolve("p.plan"), encryption.open(sealed, cem.state.StateEncryption.Kind.PLAN, "plan"));
        CliRun clear = CliRun.run(env, tmp, "apply", "quickstart/p.plan");
        assertEquals(1, clear.exitCode(), clear.out() + clear.err());
        assertTrue(clear.err().contains("is not encrypted, and the configuration requires encryption"), clear.err());
        assertTrue(Files.notExists(site.resolve(".cem/state.json")), "nothing applied");

        Files.writeString(site.resolve("p.plan"), sealed);
        CliRun apply = CliRun.run(env, tmp, "apply", "quickstart/p.plan");
        assertEquals(0, apply.exitCode(), apply.out() + apply.err());
        var state = JSON.readTree(encryption.open(Files.readString(site.resolve(".cem/state.json")), cem.state.StateEncryption.Kind.STATE, "s"));
        String digest = state.path("resources").findValue("password").asText();
        assertTrue(digest.startsWith("hmac-sha256:"), "keyed with the state's key, not a salted SHA-256 anyone can test guesses against: " + digest);
        assertEquals(0, CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart").exitCode(), "the password is recognised: no change");
    }

    /** A saved plan made without CEM_MAC_KEY (a pull request's job) was applied by a job that holds it. */
    @Test
    @Timeout(300)
    void withAMacKeyOnlyAPlanMadeWithTheKeyIsApplied() throws IOException {
        Path site = CliRun.copyExample(tmp, "quickstart");
        Map<String, String> keyed = Map.of(cem.state.Integrity.KEY_VARIABLE, StateEncryptionCliTest.key());
        assertEquals(0, CliRun.run(Map.of(), tmp, "plan", "-out", "quickstart/pr.plan", "quickstart").exitCode());
        CliRun unsigned = CliRun.run(keyed, tmp, "apply", "quickstart/pr.plan");
        assertEquals(1, unsigned.exitCode(), unsigned.out() + unsigned.err());
        assertTrue(unsigned.err().contains("was not made by a holder of the MAC key") && unsigned.err().contains("has no MAC"), unsigned.err());

        assertEquals(0, CliRun.run(keyed, tmp, "plan", "-out", "quickstart/main.plan", "quickstart").exitCode());
        ObjectNode plan = (ObjectNode) JSON.readTree(Files.readString(site.resolve("main.plan")));
        assertTrue(plan.path("mac").asText().startsWith("hmac-sha256:"), plan.toPrettyString());
        ObjectNode edited = plan.deepCopy();
        edited.put("serial", 0).remove("resource_changes");
        edited.putArray("resource_changes");
        Files.writeString(site.resolve("edited.plan"), cem.state.Checksum.add(edited).toPrettyString());
        CliRun forged = CliRun.run(keyed, tmp, "apply", "quickstart/edited.plan");
        assertEquals(1, forged.exitCode());
        assertTrue(forged.err().contains("MAC that does not match its content"), forged.err());

        CliRun apply = CliRun.run(keyed, tmp, "apply", "quickstart/main.plan");
        assertEquals(0, apply.exitCode(), apply.out() + apply.err());
        assertTrue(Files.readString(site.resolve(".cem/state.json")).contains("\"mac\""), "the state carries its MAC");
        assertEquals(0, CliRun.run(Map.of(), tmp, "plan", "--detailed-exitcode", "quickstart").exitCode(), "a job without the key still plans");
        assertEquals(0, CliRun.run(keyed, tmp, "plan", "--detailed-exitcode", "quickstart").exitCode());
        assertFalse(Files.exists(site.resolve(".cem/state.journal")));
    }

    /** Setting CEM_MAC_KEY on an existing state: refused until `cem state sign` adopts it. */
    @Test
    @Timeout(300)
    void aStateWrittenBeforeTheKeyIsSignedOnce() {
        CliRun.copyExample(tmp, "quickstart");
        assertEquals(0, CliRun.run(Map.of(), tmp, "apply", "--auto-approve", "quickstart").exitCode());
        Map<String, String> keyed = Map.of(cem.state.Integrity.KEY_VARIABLE, StateEncryptionCliTest.key());
        CliRun refused = CliRun.run(keyed, tmp, "plan", "quickstart");
        assertEquals(1, refused.exitCode());
        assertTrue(refused.err().contains("has no MAC, and CEM_MAC_KEY is set") && refused.err().contains("cem state sign"), refused.err());
        CliRun sign = CliRun.run(keyed, tmp, "state", "sign", "-d", "quickstart");
        assertEquals(0, sign.exitCode(), sign.err());
        assertTrue(sign.out().contains("resources") && sign.out().contains("and a MAC made with CEM_MAC_KEY"), sign.out());
        assertEquals(0, CliRun.run(keyed, tmp, "plan", "--detailed-exitcode", "quickstart").exitCode());
    }
}

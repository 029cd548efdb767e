package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `cem show DIR`: a secret's digest is shown as a sensitive value, whichever way the state keeps it. */
class ShowStateTest {

    @TempDir
    Path tmp;

    /** The state keeps a password as pbkdf2-sha256 or hmac-sha256 now; show still looked for the old "sha256:" prefix. */
    @Test
    @Timeout(120)
    void aPasswordsDigestIsShownAsASensitiveValue() {
        CliRun.copyExample(tmp, "quickstart");
        assertEquals(0, CliRun.run(Map.of(), tmp, "apply", "--auto-approve", "quickstart").exitCode());
        CliRun show = CliRun.run(Map.of(), tmp, "show", "quickstart");
        assertEquals(0, show.exitCode(), show.err());
        assertTrue(show.out().contains("password = (sensitive value)"), show.out());
        assertFalse(show.out().contains("pbkdf2-sha256:") || show.out().contains("hmac-sha256:"), show.out());
        CliRun json = CliRun.run(Map.of(), tmp, "show", "--json", "quickstart");
        assertEquals(0, json.exitCode(), json.err());
        assertTrue(json.json().path("resources").isArray() || json.json().has("resources"), json.out());
    }
}

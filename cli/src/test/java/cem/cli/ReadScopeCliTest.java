package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a configuration (and so a pull request) may make cem read on the machine that runs it
 * (issue 24): files of its repository and environment variables named CEM_*, plus what the user
 * allows with --allow-path / --allow-env; and `cem plan --no-credentials`, which resolves no secret
 * and reads no host.
 */
class ReadScopeCliTest {

    private static final String SECRET = "aws-Secret-31";

    @TempDir
    Path tmp;

    /** A repository with a configuration whose PR-controllable YAML points at the machine's other secrets. */
    private Path hostileConfig() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.createDirectories(repo.resolve(".git"));
        Path outside = Files.createDirectories(tmp.resolve("home/.ssh"));
        Files.writeString(outside.resolve("id_rsa"), "not a key");
        Path config = Files.createDirectories(repo.resolve("estate"));
        Files.writeString(config.resolve("estate.yaml"), """
                version: 1
                hosts:
                  evil:
                    address: 203.0.113.66
                    os: windows
                    auth:
                      scheme: basic
                      username: x
                      password: ${env:AWS_SECRET_ACCESS_KEY}
                  evil2:
                    address: 203.0.113.67
                    os: windows
                    auth:
                      scheme: basic
                      username: x
                      password: ${file:/proc/self/environ}
                  evil3:
                    address: 203.0.113.68
                    os: linux
                    auth:
                      scheme: publickey
                      username: root
                      keyFile: %s
                resources: []
                """.formatted(outside.resolve("id_rsa")));
        return config;
    }

    @Test
    void aConfigurationCannotReadAnotherVariableAKernelFileOrAFileOutsideItsRepository() throws Exception {
        Path config = hostileConfig();
        CliRun run = CliRun.run(Map.of("AWS_SECRET_ACCESS_KEY", SECRET), tmp, "validate", config.toString());
        assertEquals(1, run.exitCode(), run.out() + run.err());
        String err = run.err();
        assertTrue(err.contains("estate.yaml:9:17") && err.contains("[SEC2107]") && err.contains("--allow-env AWS_SECRET_ACCESS_KEY"), err);
        assertTrue(err.contains("estate.yaml:16:17") && err.contains("[SEC2105]") && err.contains("--allow-path"), err);
        assertTrue(err.contains("estate.yaml:23:16"), err);
        assertEquals(2, err.split("\\[SEC2105]", -1).length - 1, "the environ file and the key file, once each: " + err);
        assertFalse(err.contains("Exception"), err);

        // The user, not the YAML, widens the scope; a kernel file stays refused.
        CliRun allowed = CliRun.run(Map.of("AWS_SECRET_ACCESS_KEY", SECRET), tmp, "validate", config.toString(),
                "--allow-env", "AWS_SECRET_ACCESS_KEY", "--allow-path", "/proc", "--allow-path", tmp.resolve("home").toString());
        assertFalse(allowed.err().contains("SEC2107") || allowed.err().contains("SEC2105"), allowed.err());
        assertTrue(allowed.err().contains("[SEC2106]"), allowed.err());
    }

    /** The ACME block's secrets were checked only when apply read them, not at validation. */
    @Test
    void theAcmeSecretsAreConfinedAtValidation() throws Exception {
        Path site = CliRun.copyExample(tmp, "quickstart-acme");
        Files.writeString(site.resolve("state.key"), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        String yaml = Files.readString(site.resolve("estate.yaml"));
        Files.writeString(site.resolve("estate.yaml"), yaml.replace("accountKey: ${file:acme-account.pem}", "accountKey: ${env:AWS_SECRET_ACCESS_KEY}")
                .replace("tsigSecret: ${file:tsig.secret}", "tsigSecret: ${file:/etc/passwd}"));
        CliRun run = CliRun.run(Map.of("AWS_SECRET_ACCESS_KEY", SECRET), tmp, "validate", "quickstart-acme");
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("estate.yaml:66:19") && run.err().contains("[SEC2107]"), run.err());
        assertTrue(run.err().contains("estate.yaml:75:23") && run.err().contains("[SEC2105]"), run.err());
    }

    @Test
    @Timeout(120)
    void planWithoutCredentialsResolvesNoSecretReadsNoHostAndSaysSo() throws Exception {
        Path site = CliRun.copyExample(tmp, "single-site"); // hosts at documentation addresses: a read would fail
        Files.createDirectories(tmp.resolve(".git"));
        CliRun plan = CliRun.run(Map.of(), tmp, "plan", site.toString(), "--no-credentials", "--markdown");
        assertEquals(0, plan.exitCode(), plan.out() + plan.err());
        assertTrue(plan.out().contains("Planned without credentials (--no-credentials): no host was read"), plan.out());
        assertTrue(plan.out().contains("to add"), plan.out());
        assertTrue(plan.err().contains("[APL5010]"), plan.err());
        assertFalse(plan.err().contains("SEC2102"), "no secret is looked for: " + plan.err());

        CliRun saved = CliRun.run(Map.of(), tmp, "plan", site.toString(), "--no-credentials", "-out", "x.plan");
        assertEquals(1, saved.exitCode(), saved.err());
        assertTrue(saved.err().contains("[ENV9080]") && saved.err().contains("Hint:"), saved.err());
        assertFalse(Files.exists(tmp.resolve("x.plan")));
    }
}

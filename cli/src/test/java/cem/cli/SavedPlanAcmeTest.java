package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.AcmeCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A saved plan that issues or renews an ACME certificate, as a GitOps pipeline applies it
 * (`cem plan -out` in one job, `cem apply PLANFILE` in the next): the plan shows "will be issued"
 * and the thumbprint as known after apply; the CA is asked only at apply, and only when the plan made
 * with what it issued takes the saved plan's actions.
 */
class SavedPlanAcmeTest {

    @TempDir
    Path tmp;

    /** examples/quickstart-acme pointed at the running Pebble and BIND, with its key files; the environment that allows Pebble's root. */
    static Map<String, String> prepare(Path tmp, AcmeCa ca) throws IOException {
        Path site = CliRun.copyExample(tmp, "quickstart-acme");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.writeString(site.resolve("state.key"), Base64.getEncoder().encodeToString(key));
        ca.newAccountKey(site.resolve("acme-account.pem"));
        Files.writeString(site.resolve("tsig.secret"), ca.tsigSecret());
        Path yaml = site.resolve("estate.yaml");
        edit(yaml, "directory: https://acme-staging-v02.api.letsencrypt.org/directory",
                "directory: " + ca.directory() + "\n      trustedCaFile: " + ca.trustedCaFile());
        edit(yaml, "server: ns1.example.com:53", "server: " + ca.dnsServer());
        edit(yaml, "    # trustedCaFile: staging-roots.pem", "    trustedCaFile: " + ca.issuingRoot()); // the chain check of what Pebble issues
        // Pebble's root lies outside the configuration's tree: its user allows it (issue 24, item 4).
        return Map.of("CEM_ALLOW_PATHS", Path.of(String.valueOf(ca.trustedCaFile())).getParent().toString());
    }

    @Test
    @Timeout(300)
    void aSavedPlanIssuesAtApplyAndRenewsLikewise() throws IOException {
        try (AcmeCa ca = AcmeCa.startOrSkip()) {
            Map<String, String> env = prepare(tmp, ca);
            Path site = tmp.resolve("quickstart-acme");

            CliRun plan = CliRun.run(env, tmp, "plan", "-out", "first.plan", "quickstart-acme");
            assertEquals(0, plan.exitCode(), plan.err() + plan.out());
            assertTrue(plan.out().contains("will be issued"), plan.out());
            assertFalse(ca.logs().contains("POST /order-plz"), "a saved plan does not ask the CA:\n" + ca.logs());

            CliRun apply = CliRun.run(env, tmp, "apply", "first.plan");
            assertEquals(0, apply.exitCode(), apply.err() + apply.out() + ca.logs());
            assertTrue(ca.logs().contains("POST /order-plz"), "the CA is asked at apply:\n" + ca.logs());
            String first = boundThumbprint(site);
            CliRun again = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart-acme");
            assertEquals(0, again.exitCode(), "no changes after the saved plan's apply: " + again.out() + again.err());

            edit(site.resolve("estate.yaml"), "renewBefore: 30", "renewBefore: 100000");
            CliRun renew = CliRun.run(env, tmp, "plan", "-out", "renew.plan", "quickstart-acme");
            assertTrue(renew.out().contains("will be renewed (expires in "), renew.out());
            CliRun renewApply = CliRun.run(env, tmp, "apply", "renew.plan");
            assertEquals(0, renewApply.exitCode(), renewApply.err() + renewApply.out());
            assertNotEquals(first, boundThumbprint(site), "the renewed certificate is bound");

            // Made when nothing was due, the plan does not show the issuance the CA would now be asked for
            // (the kept certificate is gone, as if it became due meanwhile): refused, nothing issued.
            edit(site.resolve("estate.yaml"), "renewBefore: 100000", "renewBefore: 30");
            CliRun quiet = CliRun.run(env, tmp, "plan", "-out", "quiet.plan", "quickstart-acme");
            assertEquals(0, quiet.exitCode(), quiet.err());
            String bound = boundThumbprint(site);
            long orders = ca.logs().lines().filter(l -> l.contains("POST /order-plz")).count();
            Files.delete(site.resolve(".cem/documents/acme-gateway-cert.json"));
            CliRun stale = CliRun.run(env, tmp, "apply", "quiet.plan");
            assertEquals(1, stale.exitCode(), stale.out());
            assertTrue(stale.err().contains("Saved plan is stale") && stale.err().contains("certificate.gateway-cert is to be issued"), stale.err());
            assertEquals(orders, ca.logs().lines().filter(l -> l.contains("POST /order-plz")).count(), "the CA was not asked");
            assertEquals(bound, boundThumbprint(site));
        }
    }

    static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertTrue(text.contains(from), from);
        Files.writeString(file, text.replace(from, to));
    }

    /** The thumbprint the state records for the gateway certificate. */
    static String boundThumbprint(Path site) throws IOException {
        CliRun show = CliRun.run(Map.of(), site.getParent(), "state", "show", "certificate.gateway-cert", "--dir", site.getFileName().toString());
        var m = java.util.regex.Pattern.compile("thumbprint\\s*=\\s*\"?([0-9A-F]{40})").matcher(show.out());
        assertTrue(m.find(), show.out() + show.err());
        return m.group(1);
    }
}

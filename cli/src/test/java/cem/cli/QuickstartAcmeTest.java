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
 * examples/quickstart-acme end to end through the CLI, its gateway certificate issued by a real
 * Pebble validating DNS-01 through a real BIND: plan ("will be issued") → apply → no changes →
 * forced renewal (renewBefore longer than the validity) → apply → names changed in the model →
 * renewal with the new names → a CA refusal: a diagnostic, and the certificate bound stays.
 */
class QuickstartAcmeTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(400)
    void issueRenewAndRefuse() throws IOException {
        try (AcmeCa ca = AcmeCa.startOrSkip()) {
            Path site = CliRun.copyExample(tmp, "quickstart-acme");
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.writeString(site.resolve("state.key"), Base64.getEncoder().encodeToString(key));
            useCa(site, ca);
            Path yaml = site.resolve("estate.yaml");
            // Pebble's root lies outside the configuration's tree: its user allows it (issue 24, item 4).
            Map<String, String> env = Map.of("CEM_ALLOW_PATHS", Path.of(String.valueOf(ca.trustedCaFile())).getParent().toString());

            CliRun plan = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart-acme");
            assertEquals(2, plan.exitCode(), plan.err() + plan.out());
            assertTrue(plan.out().contains("will be issued"), plan.out());
            assertTrue(plan.out().contains("gateway.example.com"), "the plan shows the names: " + plan.out());
            assertFalse(ca.logs().contains("new-order"), "a plan does not ask the CA:\n" + ca.logs());

            CliRun apply = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart-acme");
            assertEquals(0, apply.exitCode(), apply.err() + apply.out() + ca.logs());
            String first = boundThumbprint(site);
            assertFalse(Files.readString(site.resolve(".cem/documents/acme-gateway-cert.json")).contains("PRIVATE KEY"), "kept sealed");
            CliRun again = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart-acme");
            assertEquals(0, again.exitCode(), "no changes, no new issuance: " + again.out() + again.err());

            edit(yaml, "renewBefore: 30", "renewBefore: 100000");
            CliRun renew = CliRun.run(env, tmp, "plan", "quickstart-acme");
            assertTrue(renew.out().contains("will be renewed (expires in "), renew.out());
            CliRun renewApply = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart-acme");
            assertEquals(0, renewApply.exitCode(), renewApply.err() + renewApply.out());
            String second = boundThumbprint(site);
            assertNotEquals(first, second, "a new certificate is bound");
            edit(yaml, "renewBefore: 100000", "renewBefore: 30");

            edit(yaml, "externalFqdn: gateway.example.com", "externalFqdn: cem-gw.example.com");
            CliRun renamed = CliRun.run(env, tmp, "plan", "quickstart-acme");
            assertTrue(renamed.out().contains("will be renewed (names changed)"), renamed.out());
            assertTrue(renamed.out().contains("cem-gw.example.com"), renamed.out());
            CliRun renamedApply = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart-acme");
            assertEquals(0, renamedApply.exitCode(), renamedApply.err() + renamedApply.out());
            String third = boundThumbprint(site);
            assertNotEquals(second, third);
            CliRun state = CliRun.run(Map.of(), tmp, "state", "show", "certificate.gateway-cert", "--dir", "quickstart-acme");
            assertTrue(state.out().contains("cem-gw.example.com"), "the names the lab's imported certificate covers: " + state.out());

            edit(yaml, "      keySize: 2048", "      keySize: 2048\n      names: [cem-gw.example.com, \"*.*.example.com\"]");
            CliRun refused = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart-acme");
            assertEquals(1, refused.exitCode(), refused.out());
            assertTrue(refused.err().contains("ACM5101") && refused.err().contains("urn:ietf:params:acme:error:"), refused.err());
            assertEquals(third, boundThumbprint(site), "the certificate bound before stays bound");
        }
    }

    /** Points examples/quickstart-acme at the running Pebble and BIND, with an account key and the TSIG secret. */
    static void useCa(Path site, AcmeCa ca) throws IOException {
        ca.newAccountKey(site.resolve("acme-account.pem"));
        Files.writeString(site.resolve("tsig.secret"), ca.tsigSecret());
        Path yaml = site.resolve("estate.yaml");
        edit(yaml, "directory: https://acme-staging-v02.api.letsencrypt.org/directory",
                "directory: " + ca.directory() + "\n      trustedCaFile: " + ca.trustedCaFile());
        edit(yaml, "server: ns1.example.com:53", "server: " + ca.dnsServer());
    }

    static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertTrue(text.contains(from), from);
        Files.writeString(file, text.replace(from, to));
    }

    /** The thumbprint the state records for the gateway certificate. */
    private static String boundThumbprint(Path site) throws IOException {
        CliRun show = CliRun.run(Map.of(), site.getParent(), "state", "show", "certificate.gateway-cert", "--dir", site.getFileName().toString());
        var m = java.util.regex.Pattern.compile("thumbprint\\s*=\\s*\"?([0-9A-F]{40})").matcher(show.out());
        assertTrue(m.find(), show.out() + show.err());
        return m.group(1);
    }
}

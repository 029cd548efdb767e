package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.AcmeCa;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
            Path site = site(ca);
            Path yaml = site.resolve("estate.yaml");
            Map<String, String> env = env(ca);

            CliRun plan = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart-acme");
            assertEquals(2, plan.exitCode(), plan.err() + plan.out());
            assertTrue(plan.out().contains("will be issued"), plan.out());
            assertTrue(plan.out().contains("gateway.example.com"), "the plan shows the names: " + plan.out());
            assertEquals(0, ca.orders(), "a plan does not ask the CA:\n" + ca.logs());

            CliRun apply = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart-acme");
            assertEquals(0, apply.exitCode(), apply.err() + apply.out() + ca.logs());
            String first = boundThumbprint(site);
            assertFalse(Files.readString(site.resolve(".cem/documents/acme-gateway-cert.json")).contains("PRIVATE KEY"), "kept sealed");
            CliRun again = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart-acme");
            assertEquals(0, again.exitCode(), "no changes, no new issuance: " + again.out() + again.err());
            // The doctor's TLS check meets, on the lab gateway's listener, the certificate Pebble issued.
            JsonNode doctor = doctor(env);
            assertEquals("ok " + first, finding(doctor, "tls.certificate", "internet_gateway.ig1").replaceAll("ok .* ([0-9A-F]{40})$", "ok $1"));
            String acme = finding(doctor, "certificate.acme", "certificate.gateway-cert");
            assertTrue(acme.startsWith("ok issued by 127.0.0.1 for the account https://127.0.0.1:"), acme);
            assertTrue(acme.contains(" days left (renews 30 days before expiry)"), acme);
            JsonNode report = CliRun.run(env, tmp, "report", "--json", "quickstart-acme").json().path("acmeCertificates").get(0);
            assertEquals("127.0.0.1", report.path("ca").path("host").asText(), report.toPrettyString());
            assertFalse(report.path("ca").path("staging").asBoolean(), "Pebble's URL names no staging directory");
            assertTrue(report.path("account").asText().startsWith("https://127.0.0.1:"), report.toPrettyString());
            assertTrue(report.path("daysLeft").asLong() >= 88 && report.path("pending").isNull(), "Pebble issues for 90 days: " + report);
            Instant lastRenewal = Instant.parse(report.path("lastRenewal").asText());
            CliRun reportText = CliRun.run(env, tmp, "report", "--no-color", "quickstart-acme");
            assertTrue(reportText.out().contains("ACME certificates (as the state backend keeps them; the CA is not asked)\n  gateway-cert on ig1: CA 127.0.0.1\n"),
                    reportText.out());

            edit(yaml, "renewBefore: 30", "renewBefore: 100000");
            CliRun renew = CliRun.run(env, tmp, "plan", "quickstart-acme");
            assertTrue(renew.out().contains("will be renewed (expires in "), renew.out());
            assertTrue(renew.err().contains("[ACM5103]") && renew.err().contains("Set acme.renewBefore below 90"),
                    "a renewBefore longer than Pebble's 90 days renews at every apply, and the plan says so: " + renew.err());
            String due = finding(doctor(env), "certificate.acme", "certificate.gateway-cert");
            assertTrue(due.startsWith("warn ") && due.contains("(renewBefore 100000); will be renewed (expires in "), due);
            CliRun renewApply = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart-acme");
            assertEquals(0, renewApply.exitCode(), renewApply.err() + renewApply.out());
            String second = boundThumbprint(site);
            assertNotEquals(first, second, "a new certificate is bound");
            assertTrue(finding(doctor(env), "tls.certificate", "internet_gateway.ig1").endsWith(second), "the doctor meets the renewed one");
            JsonNode renewed = CliRun.run(env, tmp, "report", "--json", "quickstart-acme").json().path("acmeCertificates").get(0);
            assertTrue(Instant.parse(renewed.path("lastRenewal").asText()).isAfter(lastRenewal), renewed.toPrettyString());
            edit(yaml, "renewBefore: 100000", "renewBefore: 30");

            edit(yaml, "externalFqdn: gateway.example.com", "externalFqdn: cem-gw.example.com");
            CliRun renamed = CliRun.run(env, tmp, "plan", "quickstart-acme");
            assertTrue(renamed.out().contains("will be renewed (names changed)"), renamed.out());
            assertFalse(renamed.err().contains("ACM5103"), renamed.err());
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

    /**
     * A SAN certificate shared by the NS and the gateway (KB 440283): two certificate resources,
     * one per host, requesting one set of names. The plan says what apply will request and asks
     * nobody; apply orders once and both hosts import that certificate; then nothing changes. A
     * certificate the CA issues with fewer days than minDaysValid asks for is not imported.
     */
    @Test
    @Timeout(300)
    void aSharedSanCertificateIsOrderedOnceAndAFailingOneIsNotImported() throws IOException {
        try (AcmeCa ca = AcmeCa.startOrSkip()) {
            Path site = site(ca);
            Path yaml = site.resolve("estate.yaml");
            Map<String, String> env = env(ca);
            String text = Files.readString(yaml).replace("smp.example.net", "smp.example.com");
            String acme = text.substring(text.indexOf("    acme:\n"), text.indexOf("\n\n", text.indexOf("    acme:\n")));
            text = text.replace("    pfx: ../certs/ns.pfx\n    password: ${file:../certs/example.pass}\n", "")
                    .replace("    trustedCaFile: ../certs/example-root-ca.pem", acme.replace("keySize: 2048",
                            "keySize: 2048\n      names: [smp.example.com, gateway.example.com]") + "\n    trustedCaFile: " + ca.issuingRoot() + "  #")
                    .replace("      keySize: 2048\n      renewBefore: 30", "      keySize: 2048\n      names: [gateway.example.com, smp.example.com]\n"
                            + "      renewBefore: 30");
            Files.writeString(yaml, text);

            CliRun plan = CliRun.run(env, tmp, "plan", "quickstart-acme");
            assertEquals(0, plan.exitCode(), plan.err() + plan.out());
            assertTrue(plan.out().contains("# apply also asks the ACME CA " + ca.directory() + " (account mailto:pki-team@example.com) for a"
                    + " certificate with a new RSA 2048-bit key, covering smp.example.com, gateway.example.com"), plan.out());
            for (String name : new String[] {"smp.example.com", "gateway.example.com"}) {
                assertTrue(plan.out().contains("# apply also writes the TXT record _acme-challenge." + name + " through RFC 2136 at "
                        + ca.dnsServer() + " (the zone its SOA answer names, TSIG key cem-acme)"), plan.out());
            }
            assertTrue(plan.out().contains("# apply also uses the certificate ordered for certificate.ns-cert (one order"), plan.out());
            CliRun json = CliRun.run(env, tmp, "plan", "--json", "quickstart-acme");
            assertTrue(json.out().contains("\"side_effects\"") && json.out().contains("writes the TXT record _acme-challenge.smp.example.com"),
                    json.out());
            assertEquals(0, ca.orders(), "the plans asked the CA nothing:\n" + ca.logs());
            assertFalse(ca.logs().contains("updating zone"), "nor the DNS server:\n" + ca.logs());

            CliRun apply = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart-acme");
            assertEquals(0, apply.exitCode(), apply.err() + apply.out() + ca.logs());
            assertEquals(1, ca.orders(), "one order for the two certificates:\n" + ca.logs());
            String shared = thumbprint(site, "certificate.ns-cert");
            assertEquals(shared, thumbprint(site, "certificate.gateway-cert"), "the NS and the gateway import the same certificate");
            CliRun again = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart-acme");
            assertEquals(0, again.exitCode(), "no changes for either: " + again.out() + again.err());

            // Let's Encrypt's certificates are valid 90 days (Pebble's here): a minDaysValid above that refuses what the CA issues.
            edit(yaml, "      names: [gateway.example.com, smp.example.com]\n      renewBefore: 30",
                    "      names: [gateway.example.com, smp.example.com]\n      renewBefore: 100000");
            edit(yaml, "    name: gateway-cert\n", "    name: gateway-cert\n    minDaysValid: 200\n");
            CliRun refused = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart-acme");
            assertEquals(1, refused.exitCode(), refused.out() + refused.err());
            assertEquals(2, ca.orders(), ca.logs());
            assertTrue(refused.err().contains("The certificate issued for \"gateway-cert\" fails cem's checks and is not imported [ACM5120]"),
                    refused.err());
            assertTrue(refused.err().contains("minDaysValid asks for at least 200 days"), refused.err());
            assertEquals(shared, thumbprint(site, "certificate.gateway-cert"), "the certificate bound before stays bound");

            // A refused order is refused for both certificates, and the CA is asked once.
            edit(yaml, "names: [smp.example.com, gateway.example.com]", "names: [smp.example.com, gateway.example.com, \"*.*.example.com\"]");
            edit(yaml, "names: [gateway.example.com, smp.example.com]", "names: [gateway.example.com, smp.example.com, \"*.*.example.com\"]");
            CliRun bothRefused = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart-acme");
            assertEquals(1, bothRefused.exitCode(), bothRefused.out() + bothRefused.err());
            assertEquals(3, ca.orders(), ca.logs());
            assertTrue(bothRefused.err().contains("ACME CA did not issue certificate \"ns-cert\"")
                    && bothRefused.err().contains("ACME CA did not issue certificate \"gateway-cert\""), bothRefused.err());
            assertEquals(shared, thumbprint(site, "certificate.ns-cert"));
        }
    }

    /** The example, with the keys it needs, pointed at the CA and its DNS server. */
    private Path site(AcmeCa ca) throws IOException {
        SavedPlanAcmeTest.prepare(tmp, ca);
        return tmp.resolve("quickstart-acme");
    }

    /** Pebble's roots lie outside the configuration's tree: their user allows them (issue 24, item 4). */
    private static Map<String, String> env(AcmeCa ca) {
        return Map.of("CEM_ALLOW_PATHS", ca.trustedCaFile().getParent().toString());
    }

    private JsonNode doctor(Map<String, String> env) {
        CliRun doctor = CliRun.run(env, tmp, "doctor", "--json", "quickstart-acme");
        assertTrue(doctor.out().startsWith("{"), doctor.err());
        return doctor.json();
    }

    /** A doctor finding as "STATUS EVIDENCE". */
    private static String finding(JsonNode doctor, String check, String subject) {
        for (JsonNode f : doctor.path("findings")) {
            if (f.path("check").asText().equals(check) && f.path("subject").asText().equals(subject)) {
                return f.path("status").asText() + " " + f.path("evidence").asText();
            }
        }
        throw new AssertionError("no " + check + " of " + subject + " in " + doctor.toPrettyString());
    }

    private static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertTrue(text.contains(from), from);
        Files.writeString(file, text.replace(from, to));
    }

    /** The thumbprint the state records for the gateway certificate. */
    private static String boundThumbprint(Path site) throws IOException {
        return thumbprint(site, "certificate.gateway-cert");
    }

    private static String thumbprint(Path site, String address) throws IOException {
        CliRun show = CliRun.run(Map.of(), site.getParent(), "state", "show", address, "--dir", site.getFileName().toString());
        var m = java.util.regex.Pattern.compile("thumbprint\\s*=\\s*\"?([0-9A-F]{40})").matcher(show.out());
        assertTrue(m.find(), show.out() + show.err());
        return m.group(1);
    }
}

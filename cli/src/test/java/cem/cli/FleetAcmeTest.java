package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.AcmeCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACME certificates in a fleet: `cem apply` of the fleet and `cem rollout` issue each site's
 * gateway certificate (after the confirmation, as for one configuration), and the rollout's gate
 * {certificateDaysLeft: N} counts the days of what the CA issued.
 */
class FleetAcmeTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(400)
    void aFleetIssuesEachSitesCertificateAndTheGateCountsItsDays() throws IOException {
        try (AcmeCa ca = AcmeCa.startOrSkip()) {
            Path fleet = RolloutTest.fleet(tmp, 2); // canary s00, ten-percent s01
            Files.writeString(fleet.resolve("state.key"), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
            ca.newAccountKey(fleet.resolve("acme-account.pem"));
            Files.writeString(fleet.resolve("tsig.secret"), ca.tsigSecret());
            Path template = fleet.resolve("templates/site/site.yaml.ftl");
            String text = Files.readString(template);
            text = replaced(text, "version: 1\n", "version: 1\n\nbackend:\n  type: local\n  encryption:\n    key: ${file:../../state.key}\n");
            text = replaced(text, "    pfx: [=gatewayPfx]\n    password: [=pfxPassword]\n", """
                        acme:
                          directory: %s
                          trustedCaFile: %s
                          accountKey: ${file:../../acme-account.pem}
                          dns01:
                            rfc2136: {server: "%s", tsigKeyName: %s, tsigSecret: "${file:../../tsig.secret}"}
                    """.formatted(ca.directory(), ca.trustedCaFile(), ca.dnsServer(), AcmeCa.TSIG_KEY));
            Files.writeString(template, text);
            Map<String, String> env = Map.of("CEM_ALLOW_PATHS", ca.trustedCaFile().getParent().toString());

            // The certificates' trustedCaFile: the root of what Pebble issues, for the chain check before import.
            String inventory = replaced(Files.readString(fleet.resolve("sites.yaml")), "trustedCaFile: ../../certs/example-root-ca.pem",
                    "trustedCaFile: " + ca.issuingRoot());
            Files.writeString(fleet.resolve("sites.yaml"), inventory + "  gate: [ig-online, {certificateDaysLeft: 21}]\n");
            CliRun rollout = CliRun.run(env, fleet, "rollout", "--auto-approve");
            assertEquals(0, rollout.exitCode(), rollout.out() + rollout.err() + ca.logs());
            assertEquals(2, orders(ca), "each site's certificate was ordered once:\n" + ca.logs());
            assertTrue(Files.isRegularFile(fleet.resolve("sites/s01/.cem/documents/acme-gateway-cert.json")));
            CliRun again = CliRun.run(env, fleet, "plan", "--sites", "all", "--detailed-exitcode");
            assertEquals(0, again.exitCode(), "no changes once issued: " + again.out() + again.err());

            Files.writeString(fleet.resolve("sites.yaml"), inventory + "  gate: [ig-online, {certificateDaysLeft: 100}]\n");
            CliRun strict = CliRun.run(env, fleet, "rollout", "--auto-approve");
            assertEquals(1, strict.exitCode(), strict.out() + strict.err());
            assertEquals(2, orders(ca), "nothing was due: no order");
            assertTrue((strict.out() + strict.err()).matches("(?s).*s00 +unhealthy gate: certificate.daysLeft certificate.gateway-cert: (89|90) days left.*"),
                    "Pebble's certificates last 90 days, fewer than the gate asks: " + strict.out() + strict.err());
        }
    }

    /**
     * A site whose ACME secret cannot be read stops with its diagnostic; the other sites' applies go on
     * (the exception escaped the site's worker and ended the whole fleet's apply).
     */
    @Test
    @Timeout(300)
    void aSiteWhoseAcmeSecretCannotBeReadDoesNotStopTheOthers() throws IOException {
        Path fleet = RolloutTest.fleet(tmp, 2);
        Files.writeString(fleet.resolve("state.key"), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        Path template = fleet.resolve("templates/site/site.yaml.ftl");
        String text = replaced(Files.readString(template), "version: 1\n",
                "version: 1\n\nbackend:\n  type: local\n  encryption:\n    key: ${file:../../state.key}\n");
        text = replaced(text, "    pfx: [=gatewayPfx]\n    password: [=pfxPassword]\n", """
                    acme:
                      directory: https://127.0.0.1:9/directory
                      accountKey: ${env:CEM_ACME_KEY_[=site.name]}
                      dns01:
                        rfc2136: {server: "127.0.0.1:9", tsigKeyName: k, tsigSecret: "${env:CEM_ACME_KEY_[=site.name]}"}
                """);
        Files.writeString(template, text);
        // s00's key is set (its CA does not answer); s01's is not: its secret cannot be read.
        CliRun apply = CliRun.run(Map.of("CEM_ACME_KEY_s00", "s00-account-key-that-is-no-pem"), fleet, "apply", "--auto-approve");
        assertEquals(1, apply.exitCode(), apply.out() + apply.err());
        assertTrue(apply.out().contains("Apply incomplete! Sites: "), "the fleet's apply ran to its end: " + apply.out() + apply.err());
        assertTrue(apply.err().contains("CEM_ACME_KEY_s01"), apply.err());
        assertTrue(apply.err().contains("[ACM5101]"), "s00 asked its CA all the same: " + apply.err());
        assertFalse(apply.err().contains("internal error"), apply.err());
    }

    private static String replaced(String text, String from, String to) {
        assertTrue(text.contains(from), from);
        return text.replace(from, to);
    }

    /** Orders Pebble received (its newOrder resource is /order-plz). */
    private static long orders(AcmeCa ca) {
        return ca.logs().lines().filter(l -> l.contains("POST /order-plz")).count();
    }
}

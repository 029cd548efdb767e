package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The doctor's finding of an ACME certificate from what the state backend keeps (issue 26, item
 * 5): expired is a failure, inside renewBefore or with changed names a warning, each with the
 * hint that `cem apply` renews it; the CA is named by its directory's host, staging by its URL.
 */
class AcmeViewTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

    private static ObjectNode kept(long daysLeft, String pending) {
        ObjectNode c = JsonNodeFactory.instance.objectNode().put("address", "certificate.gw").put("renewBefore", 30)
                .put("account", "https://acme.example/acct/7").put("notAfter", NOW.plus(Duration.ofDays(daysLeft)).plusSeconds(60).toString())
                .put("daysLeft", daysLeft).put("lastRenewal", "2026-03-01T00:00:00Z");
        c.putObject("ca").put("host", "acme-staging-v02.api.letsencrypt.org").put("staging", true);
        c.putArray("names").add("gw.example.com");
        return pending == null ? c.putNull("pending") : c.put("pending", pending);
    }

    @Test
    void aCurrentCertificateIsOkAndSaysItsCaAccountDaysAndLastRenewal() {
        Finding f = AcmeView.finding(kept(60, null), NOW);
        assertEquals(Finding.Status.OK, f.status());
        assertEquals("issued by acme-staging-v02.api.letsencrypt.org (a staging directory, judging by its URL) for the account "
                + "https://acme.example/acct/7; last renewal 2026-03-01T00:00:00Z; 60 days left (renews 30 days before expiry)", f.evidence());
    }

    @Test
    void insideItsRenewalWindowItIsAWarningThatApplyRenews() {
        Finding f = AcmeView.finding(kept(12, "will be renewed (expires in 12 days)"), NOW);
        assertEquals(Finding.Status.WARN, f.status());
        assertTrue(f.evidence().endsWith("; 12 days left (renewBefore 30); will be renewed (expires in 12 days)"), f.evidence());
        assertEquals("it is inside its renewal window", f.cause());
        assertTrue(f.action().startsWith("Run `cem apply`: it renews it"), f.action());
        assertEquals("the names the model requires changed", AcmeView.finding(kept(60, "will be renewed (names changed)"), NOW).cause());
    }

    @Test
    void anExpiredCertificateIsAFailure() {
        ObjectNode expired = kept(0, "will be renewed (expires in 0 days)").put("notAfter", NOW.minusSeconds(3600).toString());
        Finding f = AcmeView.finding(expired, NOW);
        assertEquals(Finding.Status.FAIL, f.status());
        assertTrue(f.evidence().endsWith("; expired on " + NOW.minusSeconds(3600)), f.evidence());
        assertTrue(f.action().startsWith("Run `cem apply`: it renews it."), f.action());
    }

    @Test
    void notIssuedYetIsAWarning() {
        ObjectNode none = kept(0, "will be issued").putNull("notAfter").putNull("account");
        ((ObjectNode) none.get("ca")).put("staging", false).put("host", "acme.example");
        Finding f = AcmeView.finding(none, NOW);
        assertEquals(Finding.Status.WARN, f.status());
        assertEquals("not issued yet; will be issued by acme.example", f.evidence());
    }

    @Test
    void stagingIsJudgedFromTheDirectoryUrl() {
        assertTrue(AcmeView.staging("https://acme-staging-v02.api.letsencrypt.org/directory"));
        assertTrue(AcmeView.staging("https://dv.acme-v02.test-api.pki.goog/directory"));
        assertTrue(AcmeView.staging("https://api.test4.buypass.no/acme/directory"));
        assertFalse(AcmeView.staging("https://acme-v02.api.letsencrypt.org/directory"));
        assertFalse(AcmeView.staging("https://127.0.0.1:14000/dir"));
        assertFalse(AcmeView.staging("https://contest.example/dir"), "a word that only contains \"test\" is not a test label");
    }
}

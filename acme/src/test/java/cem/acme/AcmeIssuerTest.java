package cem.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.AcmeCa;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** acme4j against a real Pebble whose DNS-01 validation reads TXT records that dnsjava put into a real BIND (RFC 2136 + TSIG). */
class AcmeIssuerTest {

    static AcmeCa ca;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        ca = AcmeCa.startOrSkip();
    }

    @AfterAll
    static void stop() {
        if (ca != null) {
            ca.close();
        }
    }

    private AcmeIssuer.Request request(List<String> names, int keySize) throws Exception {
        return request(names, keySize, Dns01.of(rfc2136()));
    }

    private Rfc2136 rfc2136() {
        return Rfc2136.of(ca.dnsServer(), null, AcmeCa.TSIG_KEY, "hmac-sha256", ca.tsigSecret());
    }

    private AcmeIssuer.Request request(List<String> names, int keySize, Dns01 dns) throws Exception {
        String accountKey = Files.readString(ca.newAccountKey(dir.resolve("account-" + names.hashCode() + ".pem")));
        return new AcmeIssuer.Request(URI.create(ca.directory()), accountKey, List.of("mailto:ops@example.com"),
                Trust.of(ca.trustedCaFile()), keySize, names, dns, null);
    }

    private static List<String> sans(Issued issued) throws Exception {
        return issued.leaf().getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).sorted().toList();
    }

    @Test
    void aCnameAtTheChallengeNameSendsTheRecordToTheZoneItPointsInto() throws Exception {
        // BIND's example.com holds _acme-challenge.delegated CNAME delegated.challenges.example.net; a TXT record put beside the
        // CNAME is ignored, so Pebble sees the digest only if cem put it in challenges.example.net.
        Dns01 dns = new Dns01(rfc2136(), ca.dnsServer(), List.of(), Dns01.DEFAULT_TIMEOUT, Dns01.DEFAULT_INTERVAL);
        Issued issued = new AcmeIssuer(Clock.systemUTC()).issue(request(List.of(AcmeCa.DELEGATED_NAME), 2048, dns));
        assertEquals(List.of(AcmeCa.DELEGATED_NAME), sans(issued), ca.logs());
        assertTrue(ca.logs().contains("updating zone '" + AcmeCa.DELEGATION_ZONE + "/IN': adding an RR at 'delegated." + AcmeCa.DELEGATION_ZONE + "' TXT"),
                ca.logs());
    }

    @Test
    void theCaChecksOnceEveryNamedNameserverAnswersTheRecords() throws Exception {
        String secondary = ca.secondary(true);
        Dns01 dns = new Dns01(rfc2136(), null, List.of(ca.dnsServer(), secondary), Dns01.DEFAULT_TIMEOUT, Duration.ofSeconds(1));
        Issued issued = new AcmeIssuer(Clock.systemUTC()).issue(request(List.of("propagated.example.com"), 2048, dns));
        assertEquals(List.of("propagated.example.com"), sans(issued));
        // Pebble asks the primary only: the secondary's queries for the record are cem's.
        String log = Files.readString(ca.secondaryLog(secondary));
        assertTrue(log.contains("query: _acme-challenge.propagated.example.com IN TXT"), log);
    }

    @Test
    void aSecondaryThatIsNotNotifiedIsNamedAfterTheTimeoutAndTheCaIsNotAsked() throws Exception {
        String secondary = ca.secondary(false);
        Dns01 dns = new Dns01(rfc2136(), null, List.of(ca.dnsServer(), secondary), Duration.ofSeconds(2), Duration.ofSeconds(1));
        AcmeFailure e = assertThrows(AcmeFailure.class,
                () -> new AcmeIssuer(Clock.systemUTC()).issue(request(List.of("lagging.example.com"), 2048, dns)));
        assertTrue(e.notPropagated(), e.getMessage());
        assertTrue(e.getMessage().contains(secondary + " (_acme-challenge.lagging.example.com."), e.getMessage());
        assertFalse(e.getMessage().contains(ca.dnsServer() + " ("), "the primary answered: " + e.getMessage());
        assertFalse(ca.pebbleLog().contains("lagging.example.com"), "Pebble never looked for the record:\n" + ca.pebbleLog());
    }

    @Test
    void issuesACertificateForTheNamesThroughDns01() throws Exception {
        Issued issued = new AcmeIssuer(Clock.systemUTC()).issue(request(List.of("gateway.example.com", "smp.example.com"), 3072));
        X509Certificate leaf = issued.leaf();
        assertEquals(List.of("gateway.example.com", "smp.example.com"), sans(issued), ca.logs());
        assertEquals(3072, ((RSAPublicKey) leaf.getPublicKey()).getModulus().bitLength());
        assertTrue(leaf.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "Server Authentication");
        assertTrue(issued.pem().contains("-----BEGIN PRIVATE KEY-----"));
        assertTrue(issued.daysLeft(Clock.systemUTC()) > 30 && issued.daysLeft(Clock.systemUTC()) <= 90, "90 days: " + issued.notAfter());
        assertTrue(ca.logs().contains("_acme-challenge.gateway.example.com"), "Pebble validated through BIND:\n" + ca.logs());
    }

    @Test
    void aRefusalCarriesTheCasProblemDocument() throws Exception {
        AcmeFailure e = assertThrows(AcmeFailure.class,
                () -> new AcmeIssuer(Clock.systemUTC()).issue(request(List.of("*.*.example.com"), 2048)));
        assertTrue(e.problemType() != null && e.problemType().startsWith("urn:ietf:params:acme:error:"), e.getMessage());
        assertTrue(e.getMessage().contains("the CA refused"), e.getMessage());
    }

    @Test
    void readsPkcs8AndTraditionalAccountKeys() throws Exception {
        var pair = org.shredzone.acme4j.util.KeyPairUtils.createKeyPair(2048);
        var w = new java.io.StringWriter();
        org.shredzone.acme4j.util.KeyPairUtils.writeKeyPair(pair, w);
        assertEquals(pair.getPublic(), AcmeIssuer.accountKey(w.toString()).getPublic());
        String pkcs8 = Files.readString(ca.newAccountKey(dir.resolve("pkcs8.pem")));
        assertTrue(pkcs8.contains("BEGIN PRIVATE KEY"));
        assertEquals("RSA", AcmeIssuer.accountKey(pkcs8).getPublic().getAlgorithm());
    }
}

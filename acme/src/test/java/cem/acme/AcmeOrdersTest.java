package cem.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.config.ConfigLoader;
import cem.config.Configuration;
import cem.config.ResourceConfig;
import cem.config.SchemaCheck;
import cem.diag.Diagnostic;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.toolbox.JSON;

/**
 * Which certificates share one order, and what a refusal says: the certificate, the CA's problem
 * document (type, detail, instance) and, for a rate limit, when to try again — for the problems
 * Pebble cannot provoke (it checks no CAA record and limits no rate).
 */
class AcmeOrdersTest {

    @TempDir
    Path dir;

    Configuration config;

    private List<ResourceConfig> certificates(String... acmeBlocks) throws Exception {
        StringBuilder yaml = new StringBuilder("version: 1\nhosts:\n  ns1: {address: ns1.example.com, os: windows}\nresources:\n");
        for (int i = 0; i < acmeBlocks.length; i++) {
            yaml.append("  - {type: certificate, name: c").append(i).append(", host: ns1, acme: ").append(acmeBlocks[i]).append("}\n");
        }
        Files.writeString(dir.resolve("estate.yaml"), yaml);
        config = new ConfigLoader(new SchemaCheck(), dir).load(dir).value();
        return config.ofType("certificate");
    }

    private AcmeCertificates.Status status(ResourceConfig cert) {
        return new AcmeCertificates.Status(cert, cem.config.RequiredNames.requested(config, cert), 30, null, "will be issued");
    }

    private static final String ACME = "{directory: 'https://ca.example/dir', accountKey: '${file:account.pem}', keySize: %d, names: [%s],"
            + " dns01: {rfc2136: {server: ns.example.com, tsigKeyName: k, tsigSecret: '${file:tsig}'}}}";

    @Test
    void theSameNamesAndKeySizeAreOneOrderAnotherKeySizeIsAnother() throws Exception {
        List<ResourceConfig> certs = certificates(ACME.formatted(2048, "a.example.com, b.example.com"),
                ACME.formatted(2048, "B.example.com, a.example.com"), ACME.formatted(3072, "a.example.com, b.example.com"));
        assertEquals(AcmeCertificates.order(status(certs.get(0))), AcmeCertificates.order(status(certs.get(1))), "names in another order");
        assertNotEquals(AcmeCertificates.order(status(certs.get(0))), AcmeCertificates.order(status(certs.get(2))), "another key size");
    }

    private Diagnostic refused(AcmeServerException e) throws Exception {
        ResourceConfig cert = certificates(ACME.formatted(2048, "gw.example.com")).get(0);
        return AcmeCertificates.refused(status(cert), AcmeIssuer.refusal(e));
    }

    private static Problem problem(String type, String detail) throws Exception {
        return new Problem(JSON.parse("{\"type\": \"urn:ietf:params:acme:error:" + type + "\", \"detail\": \"" + detail + "\","
                + " \"instance\": \"https://ca.example/docs/" + type + "\"}"), new URL("https://ca.example/acme/order/1"));
    }

    @Test
    void aCaaRefusalNamesTheCertificateTheProblemAndTheRecord() throws Exception {
        Diagnostic d = refused(new AcmeServerException(problem("caa", "CAA record for example.com prevents issuance")));
        assertEquals("ACM5101", d.code());
        assertTrue(d.summary().contains("\"c0\""), d.summary());
        assertTrue(d.detail().contains("urn:ietf:params:acme:error:caa — CAA record for example.com prevents issuance"), d.detail());
        assertTrue(d.detail().contains("problem document https://ca.example/docs/caa"), d.detail());
        assertTrue(d.hint().contains("CAA record"), d.hint());
        assertEquals("certificate.c0", d.address());
    }

    @Test
    void aRateLimitSaysWhenToTryAgainAndWhereItIsExplained() throws Exception {
        Instant retry = Instant.parse("2030-01-02T03:04:05Z");
        Diagnostic d = refused(new AcmeRateLimitedException(problem("rateLimited", "too many certificates for this exact set of names"),
                retry, List.of(new URL("https://ca.example/docs/rate-limits"))));
        assertTrue(d.detail().contains("urn:ietf:params:acme:error:rateLimited — too many certificates"), d.detail());
        assertTrue(d.detail().contains("retry after 2030-01-02T03:04:05Z"), d.detail());
        assertTrue(d.detail().contains("see https://ca.example/docs/rate-limits"), d.detail());
        assertTrue(d.hint().contains("staging directory"), d.hint());
    }

    @Test
    void aTxtRecordTheCaDidNotSeeIsADnsProblem() throws Exception {
        Diagnostic d = refused(new AcmeServerException(problem("dns", "DNS problem: NXDOMAIN looking up TXT for _acme-challenge.gw.example.com")));
        assertTrue(d.detail().contains("urn:ietf:params:acme:error:dns — DNS problem: NXDOMAIN"), d.detail());
        assertTrue(d.hint().contains("TXT record") && d.hint().contains("RFC 2136"), d.hint());
    }

    @Test
    void recordsThatDidNotReachTheNameserversAreTheirOwnProblemNamingTheServers() throws Exception {
        ResourceConfig cert = certificates(ACME.formatted(2048, "gw.example.com")).get(0);
        Diagnostic d = AcmeCertificates.refused(status(cert), AcmeFailure.notPropagated(
                "after 120 s, these nameservers did not answer the TXT record: ns2.example.com:53 (_acme-challenge.gw.example.com.: NXDOMAIN)"));
        assertEquals("ACM5140", d.code());
        assertTrue(d.summary().contains("\"c0\""), d.summary());
        assertTrue(d.detail().contains("ns2.example.com:53 (_acme-challenge.gw.example.com.: NXDOMAIN)"), d.detail());
        assertTrue(d.detail().contains("The CA was not asked"), d.detail());
        assertTrue(d.hint().contains("dns01.propagation.nameservers"), d.hint());
    }

    @Test
    void aCaThatRequiresAnExternalAccountSaysHowToBindOne() throws Exception {
        Diagnostic d = refused(new AcmeServerException(problem("externalAccountRequired", "External account binding is required")));
        assertEquals("ACM5101", d.code());
        assertTrue(d.detail().contains("urn:ietf:params:acme:error:externalAccountRequired"), d.detail());
        assertTrue(d.hint().contains("acme.externalAccountBinding"), d.hint());
    }

    @Test
    void thePlanSaysWhereTheRecordsGoAndWhoMustAnswerThemWithoutTheBindingsKey() throws Exception {
        certificates("{directory: 'https://ca.example/dir', accountKey: '${file:account.pem}', names: [gw.example.com],"
                + " externalAccountBinding: {keyId: kid-7, hmacKey: '${env:CEM_EAB_HMAC}'},"
                + " dns01: {rfc2136: {server: acme-ns.example.net, tsigKeyName: k, tsigSecret: '${file:tsig}'}, resolver: '10.0.0.53',"
                + " propagation: {nameservers: ['ns1.example.net', '[2001:db8::53]:5353'], timeout: 300}}}");
        var acme = new AcmeCertificates(config, new cem.config.SecretResolver(java.util.Map.of("CEM_EAB_HMAC", "c2VjcmV0")), null, null,
                java.time.Clock.systemUTC());
        String lines = String.join("\n", acme.requests("certificate.c0"));
        assertTrue(lines.contains("bound to the CA's external account kid-7"), lines);
        assertTrue(lines.contains("writes the TXT record _acme-challenge.gw.example.com through RFC 2136 at acme-ns.example.net"
                + " (the zone its SOA answer names, TSIG key k) — or where a CNAME at that name points (asked of 10.0.0.53 at apply) —"), lines);
        assertTrue(lines.contains("once ns1.example.net, [2001:db8::53]:5353 answer them (waiting up to 300 s)"), lines);
        assertTrue(!lines.contains("c2VjcmV0") && !lines.contains("CEM_EAB_HMAC"), lines);
    }

    @Test
    void theBindingsKeyIsASecretReferenceAndNameserversAreHostAndPort() throws Exception {
        Files.writeString(dir.resolve("estate.yaml"), "version: 1\nhosts:\n  ns1: {address: ns1.example.com, os: windows}\nresources:\n"
                + "  - {type: certificate, name: c0, host: ns1, acme: {directory: 'https://ca.example/dir', accountKey: '${file:a.pem}',"
                + " names: [gw.example.com], externalAccountBinding: {keyId: kid, hmacKey: c2VjcmV0},"
                + " dns01: {rfc2136: {server: ns, tsigKeyName: k, tsigSecret: '${file:tsig}'}, propagation: {nameservers: ['ns2:fifty']}}}}\n");
        var result = new ConfigLoader(new SchemaCheck(), dir).load(dir);
        var codes = result.diagnostics().list().stream().map(Diagnostic::code).toList();
        assertTrue(codes.contains("SEC2101"), codes.toString());
        assertTrue(result.diagnostics().list().stream().anyMatch(d -> d.summary().contains("ns2:fifty")), result.diagnostics().toString());
    }
}

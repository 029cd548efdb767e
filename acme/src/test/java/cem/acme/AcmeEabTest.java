package cem.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.AcmeCa;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** External Account Binding (RFC 8555 §7.3.4) against a real Pebble that registers no account without it. */
class AcmeEabTest {

    static AcmeCa ca;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        ca = AcmeCa.startWithEab();
    }

    @AfterAll
    static void stop() {
        if (ca != null) {
            ca.close();
        }
    }

    private AcmeIssuer.Request request(String name, AcmeIssuer.ExternalAccount binding) throws Exception {
        String accountKey = Files.readString(ca.newAccountKey(dir.resolve("account-" + name + ".pem")));
        return new AcmeIssuer.Request(URI.create(ca.directory()), accountKey, List.of(), Trust.of(ca.trustedCaFile()), 2048, List.of(name),
                Dns01.of(Rfc2136.of(ca.dnsServer(), null, AcmeCa.TSIG_KEY, null, ca.tsigSecret())), binding);
    }

    @Test
    void withoutTheBindingTheCaRefusesTheAccountWithItsProblem() throws Exception {
        long orders = ca.orders();
        AcmeFailure e = assertThrows(AcmeFailure.class, () -> new AcmeIssuer(Clock.systemUTC()).issue(request("unbound.example.com", null)));
        assertEquals("urn:ietf:params:acme:error:externalAccountRequired", e.problemType(), e.getMessage());
        assertEquals(orders, ca.orders(), "no order without an account");
    }

    @Test
    void withTheBindingTheAccountIsCreatedAndTheCertificateIssued() throws Exception {
        Issued issued = new AcmeIssuer(Clock.systemUTC()).issue(request("bound.example.com",
                new AcmeIssuer.ExternalAccount(AcmeCa.EAB_KEY_ID, ca.eabHmacKey())));
        assertEquals("bound.example.com", String.valueOf(issued.leaf().getSubjectAlternativeNames().iterator().next().get(1)), ca.logs());
    }

    @Test
    void aKeyInPlainBase64IsReadAsBase64UrlAndAWrongKeyIsRefused() throws Exception {
        String plain = Base64.getEncoder().encodeToString(Base64.getUrlDecoder().decode(ca.eabHmacKey()));
        new AcmeIssuer(Clock.systemUTC()).issue(request("plain.example.com", new AcmeIssuer.ExternalAccount(AcmeCa.EAB_KEY_ID, plain)));
        String wrong = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
        AcmeFailure e = assertThrows(AcmeFailure.class, () -> new AcmeIssuer(Clock.systemUTC())
                .issue(request("wrong.example.com", new AcmeIssuer.ExternalAccount(AcmeCa.EAB_KEY_ID, wrong))));
        assertTrue(e.problemType() != null, e.getMessage());
        assertFalse(e.getMessage().contains(wrong) || e.getMessage().contains(ca.eabHmacKey()), "the key never shows: " + e.getMessage());
        assertFalse(new AcmeIssuer.ExternalAccount(AcmeCa.EAB_KEY_ID, wrong).toString().contains(wrong));
    }

    /** The configuration's way: the key identifier as written, the HMAC key from a secret reference; the CA's refusal as a diagnostic. */
    @Test
    void aCertificateWithoutTheBindingIsRefusedWithTheCasProblemAndWithItIsIssued() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.copy(ca.trustedCaFile(), site.resolve("pebble-root.pem"));
        Files.copy(ca.issuingRoot(), site.resolve("issuing-root.pem")); // the issued chain's root: cem checks the chain before it keeps it
        ca.newAccountKey(site.resolve("account.pem"));
        Files.writeString(site.resolve("tsig.secret"), ca.tsigSecret());
        String acme = "{directory: '%s', accountKey: '${file:account.pem}', trustedCaFile: pebble-root.pem, names: [%s],%s"
                + " dns01: {rfc2136: {server: '%s', tsigKeyName: %s, tsigSecret: '${file:tsig.secret}'}}}";
        Files.writeString(site.resolve("estate.yaml"), "version: 1\nhosts:\n  ns1: {address: ns1.example.com, os: windows}\nresources:\n"
                + "  - {type: certificate, name: unbound, host: ns1, trustedCaFile: issuing-root.pem, acme: " + acme.formatted(ca.directory(), "config-unbound.example.com", "",
                        ca.dnsServer(), AcmeCa.TSIG_KEY) + "}\n"
                + "  - {type: certificate, name: bound, host: ns1, trustedCaFile: issuing-root.pem, acme: " + acme.formatted(ca.directory(), "config-bound.example.com",
                        " externalAccountBinding: {keyId: " + AcmeCa.EAB_KEY_ID + ", hmacKey: '${env:CEM_EAB_HMAC}'},", ca.dnsServer(),
                        AcmeCa.TSIG_KEY) + "}\n");
        var config = new cem.config.ConfigLoader(new cem.config.SchemaCheck(), site).load(site).value();
        var encryption = new cem.state.StateEncryption(new byte[32], List.of(), true);
        var certificates = new AcmeCertificates(config, new cem.config.SecretResolver(java.util.Map.of("CEM_EAB_HMAC", ca.eabHmacKey())),
                new cem.state.LocalStateStore(site.resolve(".cem"), null, encryption), encryption, Clock.systemUTC());
        var diagnostics = certificates.issuePending().list();
        assertEquals(1, diagnostics.size(), diagnostics.toString());
        assertEquals("ACM5101", diagnostics.get(0).code());
        assertEquals("certificate.unbound", diagnostics.get(0).address());
        assertTrue(diagnostics.get(0).detail().contains("urn:ietf:params:acme:error:externalAccountRequired"), diagnostics.get(0).detail());
        assertTrue(diagnostics.get(0).hint().contains("externalAccountBinding"), diagnostics.get(0).hint());
        assertEquals(null, certificates.statuses().get("certificate.bound").pending(), "issued and kept");
        assertFalse(diagnostics.toString().contains(ca.eabHmacKey()));
    }
}

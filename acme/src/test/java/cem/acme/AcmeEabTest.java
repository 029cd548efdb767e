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
}

package cem.acme;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What holds a private key never prints it: a record's default toString would, in a log line or an exception message. */
class KeysNotPrintedTest {

    private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIsecret\n-----END PRIVATE KEY-----\n";

    @Test
    void anIssuedCertificateAndARequestPrintNoKey() {
        Issued issued = new Issued(KEY, List.of("gw.example.com"), Instant.EPOCH, Instant.EPOCH, "https://ca.example/dir", "https://ca.example/acct/1");
        assertFalse(issued.toString().contains("MIIsecret"), issued.toString());
        AcmeIssuer.Request request = new AcmeIssuer.Request(URI.create("https://ca.example/dir"), KEY, List.of(), null, 2048,
                List.of("gw.example.com"), null, null);
        assertFalse(request.toString().contains("MIIsecret"), request.toString());
    }
}

package cem.acme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate an ACME CA issued, as cem keeps it (sealed): the private key and chain in PEM,
 * the names requested, and where it came from.
 *
 * @param pem the leaf, the chain and the PKCS#8 private key, PEM
 * @param names the names requested, lower case
 * @param notAfter the leaf's end of validity
 * @param issuedAt when cem received it
 * @param directory the CA's directory URL
 * @param account the ACME account's URL
 */
public record Issued(String pem, List<String> names, Instant notAfter, Instant issuedAt, String directory, String account) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Issued {
        names = List.copyOf(names);
    }

    /** Without the PEM: it holds the private key. */
    @Override
    public String toString() {
        return "Issued[names=" + names + ", notAfter=" + notAfter + ", issuedAt=" + issuedAt + ", directory=" + directory + ", account=" + account + "]";
    }

    /** Whole days of validity left at {@code clock}'s now (negative once expired). */
    public long daysLeft(Clock clock) {
        return Duration.between(clock.instant(), notAfter).toDays();
    }

    /** The leaf certificate. */
    public X509Certificate leaf() {
        try {
            int begin = pem.indexOf("-----BEGIN CERTIFICATE-----");
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.substring(begin).getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | RuntimeException e) {
            throw new IllegalStateException("the kept certificate cannot be read: " + e.getMessage(), e);
        }
    }

    String toJson() {
        ObjectNode o = JSON.createObjectNode().put("pem", pem).put("notAfter", notAfter.toString()).put("issuedAt", issuedAt.toString())
                .put("directory", directory).put("account", account);
        names.forEach(o.putArray("names")::add);
        return o.toString();
    }

    static Issued fromJson(String text) throws java.io.IOException {
        JsonNode o = JSON.readTree(text);
        List<String> names = new ArrayList<>();
        o.path("names").forEach(n -> names.add(n.asText()));
        return new Issued(o.path("pem").asText(), names, Instant.parse(o.path("notAfter").asText()),
                Instant.parse(o.path("issuedAt").asText()), o.path("directory").asText(), o.path("account").asText());
    }
}

package cem.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import cem.lab.Certificates;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * Writes the certificates the examples use into {@code examples/certs/}. Their keys protect
 * nothing: they exist so that the examples validate. Good ones are valid until the year 9999, so
 * the examples never expire; each bad one is bad for one reason only.
 *
 * <p>Run: {@code ./mvnw -q -pl testkit -am install -DskipTests && ./mvnw -q -pl testkit exec:java}
 */
public final class ExampleCertificates {

    public static final String PASSWORD = "example-only";

    private ExampleCertificates() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "examples/certs");
        write(dir);
        System.out.println("wrote example certificates to " + dir);
    }

    public static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        var root = Certificates.rootCa("CN=cem Example Root CA (example only),O=cem examples");
        Files.writeString(dir.resolve("example-root-ca.pem"), root.certificatePem(), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("example.pass"), PASSWORD + "\n", StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("wrong.pass"), "not-the-password\n", StandardCharsets.US_ASCII);

        root.issue("CN=smp.example.net").dns("smp.example.net").build().writePfx(dir.resolve("ns.pfx"), PASSWORD, true);
        root.issue("CN=gateway.example.com").dns("gateway.example.com").build()
                .writePfx(dir.resolve("gateway.pfx"), PASSWORD, true);
        root.issue("CN=smp.example.net").dns("smp.example.net", "gateway.example.com").build()
                .writePfx(dir.resolve("san.pfx"), PASSWORD, true);
        root.issue("CN=sitesrv.example.net").dns("sitesrv.example.net", "sitesrv.example.com").build()
                .writePfx(dir.resolve("sitesrv.pfx"), PASSWORD, true);
        root.issue("CN=*.example.com").dns("*.example.com").build().writePfx(dir.resolve("wildcard.pfx"), PASSWORD, true);

        // One defect each.
        root.issue("CN=gateway.example.com").dns("gateway.example.com")
                .validity(Instant.parse("2019-01-01T00:00:00Z"), Instant.parse("2021-01-01T00:00:00Z")).build()
                .writePfx(dir.resolve("expired.pfx"), PASSWORD, true);
        root.issue("CN=gateway.example.com").dns("gateway.example.com")
                .validity(Instant.parse("9000-01-01T00:00:00Z"), Certificates.FAR_FUTURE).build()
                .writePfx(dir.resolve("not-yet-valid.pfx"), PASSWORD, true);
        root.issue("CN=gateway.example.com").dns("gateway.example.com").signature("SHA1withRSA").build()
                .writePfx(dir.resolve("sha1.pfx"), PASSWORD, true);
        root.issue("CN=gateway.example.com").dns("gateway.example.com").eku(KeyPurposeId.id_kp_clientAuth).build()
                .writePfx(dir.resolve("client-auth-only.pfx"), PASSWORD, true);
        root.issue("CN=gateway.example.com").dns("gateway.example.com").rsa(1024).build()
                .writePfx(dir.resolve("rsa1024.pfx"), PASSWORD, true);
        root.issue("CN=gateway.example.com").dns("gateway.example.com").ecdsa().build()
                .writePfx(dir.resolve("ecdsa.pfx"), PASSWORD, true);
        root.issue("CN=gateway.example.com").dns("gateway.example.com").build()
                .writePem(dir.resolve("cert-only.pem"), false, true);
        root.issue("CN=gateway.example.com").dns("gateway.example.com").build()
                .writePfx(dir.resolve("leaf-only.pfx"), PASSWORD, false);
        byte[] junk = new byte[2048];
        new java.util.Random(42).nextBytes(junk);
        Files.write(dir.resolve("corrupt.pfx"), junk);
    }
}

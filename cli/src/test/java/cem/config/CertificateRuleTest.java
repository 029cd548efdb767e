package cem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.diag.Diagnostic;
import cem.diag.Severity;
import cem.lab.Certificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificate rules on certificates made for each case (testkit), with a fixed clock. */
class CertificateRuleTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final Certificates.Issued CA = Certificates.rootCa("CN=Test Root");

    @TempDir
    Path dir;

    private List<String> codes(String certificateYaml, String gatewayFqdn) throws IOException {
        return diagnostics(certificateYaml, gatewayFqdn).stream().map(Diagnostic::code).toList();
    }

    private List<Diagnostic> diagnostics(String certificateYaml, String gatewayFqdn) throws IOException {
        Files.writeString(dir.resolve("pass"), "pw\n");
        Files.writeString(dir.resolve("estate.yaml"), """
                version: 1
                hosts:
                  ig1: {address: 192.0.2.1, os: windows}
                perimeter: {managedBy: net, openPorts: [443]}
                resources:
                  - type: certificate
                    name: c
                    host: ig1
                %s
                  - type: internet_gateway
                    name: ig1
                    host: ig1
                    externalFqdn: %s
                    listenerPort: 443
                    certificate: c
                    servers: [{fqdn: ns.example.net}]
                """.formatted(certificateYaml.indent(4).stripTrailing(), gatewayFqdn));
        var result = new Validator(dir, new SecretResolver(Map.of()), Clock.fixed(NOW, ZoneOffset.UTC), Severity.ERROR)
                .validate(dir);
        return result.diagnostics().list();
    }

    private Path pfx(Certificates.Issued cert, boolean chain) {
        Path file = dir.resolve("c" + System.nanoTime() + ".pfx");
        cert.writePfx(file, "pw", chain);
        return file;
    }

    @Test
    void aGoodCertificatePasses() throws IOException {
        Path file = pfx(CA.issue("CN=gw.example.com").dns("gw.example.com").build(), true);
        assertEquals(List.of(), codes("pfx: " + file.getFileName() + "\npassword: ${file:pass}", "gw.example.com"));
    }

    @Test
    void expiringWithinMinDaysValidIsAnError() throws IOException {
        Path file = pfx(CA.issue("CN=gw.example.com").dns("gw.example.com")
                .validity(NOW.minus(Duration.ofDays(300)), NOW.plus(Duration.ofDays(10))).build(), true);
        String yaml = "pfx: " + file.getFileName() + "\npassword: ${file:pass}";
        assertEquals(List.of(ConfigCodes.CERT_EXPIRES_SOON), codes(yaml, "gw.example.com"));
        assertEquals(List.of(), codes(yaml + "\nminDaysValid: 5", "gw.example.com"));
    }

    @Test
    void aWildcardCoversOneLabelOnly() throws IOException {
        Path file = pfx(CA.issue("CN=*.example.com").dns("*.example.com").build(), true);
        String yaml = "pfx: " + file.getFileName() + "\npassword: ${file:pass}";
        assertEquals(List.of(), codes(yaml, "gw.example.com"));
        assertEquals(List.of(ConfigCodes.CERT_NAME_MISMATCH), codes(yaml, "a.gw.example.com"));
        assertEquals(List.of(ConfigCodes.CERT_NAME_MISMATCH), codes(yaml, "example.com"));
    }

    /** Issue 20, item 6: CRT3205 spoke of wildcards when the certificate has none. */
    @Test
    void theWildcardRuleIsExplainedOnlyWhenAWildcardIsInvolved() throws IOException {
        Path plain = pfx(CA.issue("CN=other.example.com").dns("other.example.com").build(), true);
        Diagnostic d = diagnostics("pfx: " + plain.getFileName() + "\npassword: ${file:pass}", "gw.example.com").stream()
                .filter(x -> x.code().equals(ConfigCodes.CERT_NAME_MISMATCH)).findFirst().orElseThrow();
        assertFalse(d.detail().contains("wildcard"), d.detail());
        Path wild = pfx(CA.issue("CN=*.example.com").dns("*.example.com").build(), true);
        Diagnostic w = diagnostics("pfx: " + wild.getFileName() + "\npassword: ${file:pass}", "a.gw.example.com").stream()
                .filter(x -> x.code().equals(ConfigCodes.CERT_NAME_MISMATCH)).findFirst().orElseThrow();
        assertTrue(w.detail().contains("A wildcard stands for exactly one label."), w.detail());
    }

    @Test
    void theCommonNameCountsOnlyWithoutDnsSans() throws IOException {
        Path cnOnly = pfx(CA.issue("CN=gw.example.com").build(), true);
        assertEquals(List.of(), codes("pfx: " + cnOnly.getFileName() + "\npassword: ${file:pass}", "gw.example.com"));
        Path sanOther = pfx(CA.issue("CN=gw.example.com").dns("other.example.com").build(), true);
        assertEquals(List.of(ConfigCodes.CERT_NAME_MISMATCH),
                codes("pfx: " + sanOther.getFileName() + "\npassword: ${file:pass}", "gw.example.com"));
    }

    @Test
    void aTrustedCaFileCompletesTheChain() throws IOException {
        Path leafOnly = pfx(CA.issue("CN=gw.example.com").dns("gw.example.com").build(), false);
        String yaml = "pfx: " + leafOnly.getFileName() + "\npassword: ${file:pass}";
        assertEquals(List.of(ConfigCodes.CERT_INCOMPLETE_CHAIN), codes(yaml, "gw.example.com"));
        Files.writeString(dir.resolve("ca.pem"), CA.certificatePem());
        assertEquals(List.of(), codes(yaml + "\ntrustedCaFile: ca.pem", "gw.example.com"));
    }

    @Test
    void anIntermediateInTheFileCompletesTheChain() throws IOException {
        Certificates.Issued intermediate = CA.issue("CN=Test Intermediate").ca().eku().build();
        Path file = pfx(intermediate.issue("CN=gw.example.com").dns("gw.example.com").build(), true);
        assertEquals(List.of(), codes("pfx: " + file.getFileName() + "\npassword: ${file:pass}", "gw.example.com"));
    }

    @Test
    void pemWithKeyPassesAndEcdsaNeedsOptIn() throws IOException {
        Certificates.Issued ec = CA.issue("CN=gw.example.com").dns("gw.example.com").ecdsa().build();
        ec.writePem(dir.resolve("ec.pem"), true, true);
        assertEquals(List.of(ConfigCodes.CERT_ECDSA), codes("pem: ec.pem", "gw.example.com"));
        assertEquals(List.of(), codes("pem: ec.pem\nallowEcdsa: true", "gw.example.com"));
    }

    @Test
    void noExtendedKeyUsageExtensionAtAllIsMissingServerAuth() throws IOException {
        Path file = pfx(CA.issue("CN=gw.example.com").dns("gw.example.com").eku().build(), true);
        assertEquals(List.of(ConfigCodes.CERT_NO_SERVER_AUTH),
                codes("pfx: " + file.getFileName() + "\npassword: ${file:pass}", "gw.example.com"));
    }

    @Test
    void bothOrNeitherFileIsAnError() throws IOException {
        assertEquals(List.of(ConfigCodes.MISSING_KEY), codes("friendlyName: x", "gw.example.com"));
        Path file = pfx(CA.issue("CN=gw.example.com").dns("gw.example.com").build(), true);
        assertEquals(List.of(ConfigCodes.CONFLICTING_KEYS),
                codes("pfx: " + file.getFileName() + "\npem: x.pem\npassword: ${file:pass}", "gw.example.com"));
    }
}

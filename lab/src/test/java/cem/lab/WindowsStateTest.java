package cem.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Windows' rules as the lab's twin applies them. */
class WindowsStateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Certificates.Issued CA = Certificates.rootCa("CN=t");

    @TempDir
    Path tmp;

    private String importCert(WindowsState s, Certificates.Issued cert) throws Exception {
        Path pfx = tmp.resolve("c" + System.nanoTime() + ".pfx");
        cert.writePfx(pfx, "pw", true);
        ObjectNode args = JSON.createObjectNode().put("pfx", Base64.getEncoder().encodeToString(Files.readAllBytes(pfx))).put("password", "pw");
        return s.run("certificate.import", args).path("thumbprint").asText();
    }

    private static ObjectNode binding(String site, int port, String thumbprint) {
        return JSON.createObjectNode().put("site", site).put("protocol", "https").put("ip", "*").put("port", port).put("hostHeader", "")
                .put("sni", false).put("thumbprint", thumbprint);
    }

    @Test
    void importsComputeTheThumbprintAndAWrongPasswordIsRefused() throws Exception {
        WindowsState s = new WindowsState(null, List.of("Default Web Site"), Map.of());
        Certificates.Issued cert = CA.issue("CN=a").dns("a").build();
        String thumb = importCert(s, cert);
        assertEquals(40, thumb.length());
        assertEquals(thumb, importCert(s, cert), "the same certificate imported twice");
        assertEquals(1, s.snapshot().get("certificates").size(), "idempotent: one entry");
        ObjectNode bad = JSON.createObjectNode().put("pfx", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3})).put("password", "x");
        assertThrows(IllegalStateException.class, () -> s.run("certificate.import", bad));
    }

    @Test
    void bindingsFollowIisAndHttpSysRules() throws Exception {
        WindowsState s = new WindowsState(tmp.resolve("ns.json"), List.of("Default Web Site", "Reports"), Map.of());
        String good = importCert(s, CA.issue("CN=a").dns("a").build());
        String clientOnly = importCert(s, CA.issue("CN=b").dns("b").eku(KeyPurposeId.id_kp_clientAuth).build());
        s.run("iis_binding.set", binding("Default Web Site", 443, good));
        IllegalStateException duplicate = assertThrows(IllegalStateException.class, () -> s.run("iis_binding.set", binding("Reports", 443, good)));
        assertTrue(duplicate.getMessage().startsWith("Cannot add duplicate collection entry of type 'binding'"), duplicate.getMessage());
        IllegalStateException eku = assertThrows(IllegalStateException.class,
                () -> s.run("iis_binding.set", binding("Default Web Site", 4726, clientOnly)));
        assertTrue(eku.getMessage().contains("Server Authentication"), eku.getMessage());
        ObjectNode reports = binding("Reports", 443, good);
        reports.put("hostHeader", "reports.example.net");
        s.run("iis_binding.set", reports); // another host header on 443, no SNI: shares the HTTP.SYS binding
        assertEquals(good, s.snapshot().at("/sslBindings/0.0.0.0:443/thumbprint").asText());
        assertTrue(Files.readString(tmp.resolve("ns.json")).contains(good), "kept in the lab directory");
        WindowsState reloaded = new WindowsState(tmp.resolve("ns.json"), List.of(), Map.of());
        assertEquals(2, reloaded.snapshot().at("/sites/Reports/bindings").size() + reloaded.snapshot().at("/sites/Default Web Site/bindings").size());
    }
}

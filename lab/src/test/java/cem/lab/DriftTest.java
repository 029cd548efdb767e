package cem.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cem lab drift leaves hosts as Windows holds them: the twin reads its changes back through the ops. */
class DriftTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path lab;

    @Test
    void driftIsWindowsShaped() throws Exception {
        WindowsState ns = new WindowsState(lab.resolve("ns1.json"), List.of("Default Web Site"), Map.of("W3SVC", "running"));
        Certificates.Issued cert = Certificates.rootCa("CN=r").issue("CN=smp").dns("smp.example.net").build();
        Path pfx = lab.resolve("c.pfx");
        cert.writePfx(pfx, "pw", true);
        String tp = ns.run("certificate.import", JSON.createObjectNode().put("pfx", Base64.getEncoder().encodeToString(Files.readAllBytes(pfx)))
                .put("password", "pw").putNull("friendlyName")).path("thumbprint").asText();
        Files.delete(pfx);
        ns.run("iis_binding.set", JSON.createObjectNode().put("site", "Default Web Site").put("protocol", "https").put("bindingInformation", "*:443:")
                .put("sslFlags", 0).put("thumbprint", tp).put("sslEndpointParameter", "ipport").put("sslEndpoint", "0.0.0.0:443").putNull("sslBindingPath"));
        ObjectNode rule = JSON.createObjectNode().put("name", "cem-in").put("group", "cem").put("displayName", "in").put("direction", "Inbound")
                .put("action", "Allow").put("enabled", "True").put("profile", "Any").put("protocol", "TCP").putNull("localPort").putNull("remotePort");
        rule.putArray("remoteAddress").add("Any");
        ns.run("windows_firewall_rule.set", rule);

        List<String> done = Drift.apply(lab);
        assertTrue(done.stream().anyMatch(l -> l.contains("HTTP.SYS binding 0.0.0.0:443")), done.toString());
        WindowsState after = new WindowsState(lab.resolve("ns1.json"), List.of(), Map.of());
        String swapped = after.sslCertificate("0.0.0.0:443");
        assertFalse(swapped.equals(tp));
        assertTrue(after.run("certificate.read", JSON.createObjectNode()).toString().contains(swapped), "the new certificate is in My");
        assertEquals("False", after.run("windows_firewall_rule.read", JSON.createObjectNode().put("group", "cem")).at("/0/enabled").asText());
        assertFalse(after.running("W3SVC"));
        int answered = 0;
        for (var l : after.run("host.facts", JSON.createObjectNode().put("iisLogRoot", "C:\\inetpub\\logs\\LogFiles")).path("lines")) {
            answered += l.path("line").asText().contains(" 403 7 0 ") ? 1 : 0;
        }
        assertEquals(37, answered);
        assertTrue(after.snapshot().at("/certificates").toString().contains(CertificateStores.OTHER_PRODUCT), "another product's certificate is left alone");
    }
}

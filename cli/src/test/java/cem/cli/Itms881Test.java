package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ITMS 8.8.1's ephemeral agent certificates (KB 440752) in the doctor and the report, and a
 * gateway without Auto Refresh around an NS certificate replacement (KB 204333) in the doctor and the plan.
 */
class Itms881Test {

    @TempDir
    Path tmp;

    private static JsonNode finding(JsonNode report, String check, String subject) {
        return DoctorPortsTest.finding(report, check, subject);
    }

    @Test
    void versionsAreComparedByNumber() {
        assertTrue(ItmsVersions.ephemeral("8.8.1") && ItmsVersions.ephemeral("8.8.1.5") && ItmsVersions.ephemeral("8.10"));
        assertTrue(!ItmsVersions.ephemeral("8.8") && !ItmsVersions.ephemeral("8.7.3") && !ItmsVersions.ephemeral("") && !ItmsVersions.ephemeral("x"));
        assertEquals(0, ItmsVersions.compare("8.8.1", "8.8.1.0"));
    }

    @Test
    @Timeout(300)
    void doctorReportAndPlanFollow881AndAutoRefresh() throws Exception {
        Path site = CliRun.copyExample(tmp, "quickstart");
        assertEquals(0, CliRun.run(Map.of(), tmp, "apply", "--auto-approve", "quickstart").exitCode());
        CliRun healthy = CliRun.run(Map.of(), tmp, "doctor", "--json", "quickstart");
        assertEquals("ok", finding(healthy.json(), "itms881.versions", "internet_gateway.ig1").path("status").asText());
        assertTrue(finding(healthy.json(), "itms881.blocked", "cem_policy").path("evidence").asText().contains("Cloud-enabled Agents Access Troubleshooting"));

        // The gateway left on 8.8.0 while the NS runs 8.8.1, and its Auto Refresh turned off in Gateway Manager.
        Path ig = site.resolve(".cem/lab/ig1.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode state = (ObjectNode) json.readTree(ig.toFile());
        ObjectNode key = state.with("registry").with("HKLM:\\SOFTWARE\\Symantec\\Internet Gateway");
        key.put("Version", "8.8.0").put("AutoRefresh", 0);
        Files.writeString(ig, state.toPrettyString());

        CliRun doctor = CliRun.run(Map.of(), tmp, "doctor", "--json", "quickstart");
        assertEquals(1, doctor.exitCode(), doctor.out());
        JsonNode versions = finding(doctor.json(), "itms881.versions", "internet_gateway.ig1");
        assertEquals("fail", versions.path("status").asText());
        assertTrue(versions.path("action").asText().contains("Cloud-enabled Agents Access Troubleshooting"), versions.toString());
        assertTrue(finding(doctor.json(), "gatewayManager.autoRefresh", "internet_gateway.ig1").path("evidence").asText().contains("Finalize"));

        CliRun report = CliRun.run(Map.of(), tmp, "report", "--json", "quickstart");
        JsonNode r = report.json();
        assertTrue(r.path("ephemeralCertificates").path("applies").asBoolean(), r.toPrettyString());
        assertTrue(!r.path("gateways").path(0).path("versionMatchesNs").asBoolean(), r.toPrettyString());

        // The NS's certificate replaced while the gateway has Auto Refresh off: the plan says what to do in Gateway Manager.
        Path estate = site.resolve("estate.yaml");
        String yaml = Files.readString(estate);
        Files.writeString(estate, yaml.replace("pfx: ../certs/ns.pfx", "pfx: ../certs/san.pfx")
                .replace("    listenerPort: 443\n    certificate: gateway-cert", "    listenerPort: 443\n    autoRefresh: false\n    certificate: gateway-cert"));
        CliRun plan = CliRun.run(Map.of(), tmp, "plan", "--no-color", "quickstart");
        assertTrue(plan.out().contains("Note: certificate.ns-cert on the NS is replaced, and Auto Refresh is off on internet_gateway.ig1"),
                plan.out() + plan.err());
        assertTrue(plan.out().contains("again after Finalize (KB 204333)"), plan.out());
    }
}

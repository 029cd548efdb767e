package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.NftTables;
import cem.lab.WindowsState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The doctor's port places on the quickstart: the Windows Firewall of the gateway's host and of
 * the NS, the gateway's server ports against the NS's bindings, a perimeter that dropped out, IIS
 * stopped, and the 403 count's window.
 */
class DoctorPortsTest {

    @TempDir
    Path tmp;

    /** The doctor's finding of {@code check} on {@code subject} in its JSON report; fails when there is none. */
    static JsonNode finding(JsonNode report, String check, String subject) {
        for (JsonNode f : report.path("findings")) {
            if (f.path("check").asText().equals(check) && f.path("subject").asText().equals(subject)) {
                return f;
            }
        }
        throw new AssertionError("no " + check + " of " + subject + " in " + report.toPrettyString());
    }

    private static String status(JsonNode report, String check, String subject) {
        return finding(report, check, subject).path("status").asText();
    }

    private static String evidence(JsonNode report, String check, String subject) {
        return finding(report, check, subject).path("evidence").asText();
    }

    @Test
    @Timeout(300)
    void eachPortPlaceAndIisStateIsCheckedLive() {
        Path site = CliRun.copyExample(tmp, "quickstart");
        Map<String, String> env = Map.of();
        assertEquals(0, CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart").exitCode());
        Path lab = site.resolve(".cem/lab");

        JsonNode ok = CliRun.run(env, tmp, "doctor", "--json", "quickstart").json();
        assertEquals("ok", status(ok, "firewall.gateway", "internet_gateway.ig1"), ok.toPrettyString());
        assertEquals("ok", status(ok, "firewall.server", "ns1:4726"));
        assertEquals("ok", status(ok, "ports.servers", "internet_gateway.ig1"));
        assertEquals("ok", status(ok, "iis.service", "ns1"));
        assertEquals("ok", status(ok, "ig.registered", "internet_gateway.ig1"), "the NS serves 4726: the lab's gateway registered");
        assertTrue(evidence(ok, "iis.log403", "ns1").contains("since the last change cem applied"), evidence(ok, "iis.log403", "ns1"));

        // By hand: the gateway host's rule turned into a block rule, the NS's rule disabled, the gateway sent
        // to port 4727, W3SVC stopped on the NS, old 403s in its IIS log, and the perimeter rule deleted.
        new WindowsState(lab.resolve("ig1.json"), List.of(), Map.of()).change(s -> {
            ((ObjectNode) s.path("firewall").path("cem-ig-agents-in")).put("action", "Block");
            s.path("registry").forEach(key -> {
                if (key.has("Servers")) {
                    ((ObjectNode) key).putArray("Servers").add("smp.example.net:4727");
                }
            });
        });
        new WindowsState(lab.resolve("ns1.json"), List.of(), Map.of()).change(s -> {
            ((ObjectNode) s.path("firewall").path("cem-ns-cem-agent-in")).put("enabled", "False");
            ((ObjectNode) s.path("services").path("W3SVC")).put("state", "Stopped");
            s.path("files").path("C:\\inetpub\\logs\\LogFiles\\W3SVC1").forEach(log -> {
                ArrayNode lines = (ArrayNode) log.path("lines");
                lines.add("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) "
                        + "sc-status sc-substatus sc-win32-status time-taken");
                lines.add("2020-01-01 00:00:00 10.0.0.5 GET /Altiris/NS/Agent/GetClientPolicies.aspx - 443 - 198.51.100.20 Altiris+Agent - 403 7 0 15");
            });
        });
        NftTables nft = new NftTables(lab.resolve("edge-fw-nftables.json"));
        String comment = null;
        for (JsonNode chain : nft.snapshot().get("inet cem").path("chains")) {
            for (JsonNode rule : chain.path("rules")) {
                comment = rule.path("comment").asText().contains("agents-to-gateway") ? rule.path("comment").asText() : comment;
            }
        }
        assertTrue(nft.deleteRule("inet", "cem", comment), "the perimeter rule is gone: " + comment);

        CliRun sick = CliRun.run(env, tmp, "doctor", "--json", "quickstart");
        JsonNode r = sick.json();
        assertEquals("fail", status(r, "firewall.gateway", "internet_gateway.ig1"), r.toPrettyString());
        assertTrue(evidence(r, "firewall.gateway", "internet_gateway.ig1").contains("windows_firewall_rule.ig-agents-in blocks inbound TCP 443"),
                evidence(r, "firewall.gateway", "internet_gateway.ig1"));
        assertEquals("fail", status(r, "firewall.server", "ns1:4727"));
        assertEquals("fail", status(r, "ports.servers", "internet_gateway.ig1"));
        assertTrue(evidence(r, "ports.servers", "internet_gateway.ig1").contains("server smp.example.net:4727"));
        assertEquals("warn", status(r, "ports.agree", "internet_gateway.ig1"), "the perimeter dropped out: never ok");
        assertTrue(evidence(r, "ports.agree", "internet_gateway.ig1").contains("perimeter nft_rule.agents-to-gateway not found on host edge-fw"),
                evidence(r, "ports.agree", "internet_gateway.ig1"));
        assertEquals("fail", status(r, "iis.service", "ns1"));
        assertTrue(evidence(r, "tls.handshake", "iis_binding.ns-default-https").contains("W3SVC is Stopped"),
                evidence(r, "tls.handshake", "iis_binding.ns-default-https"));
        assertEquals("IIS is stopped (W3SVC Stopped)", finding(r, "tls.handshake", "iis_binding.ns-default-https").path("cause").asText());
        assertEquals("ok", status(r, "iis.log403", "ns1"), "the 2020 403 is older than the last apply");

        JsonNode wide = CliRun.run(env, tmp, "doctor", "--json", "--since", "100000d", "quickstart").json();
        assertEquals("warn", status(wide, "iis.log403", "ns1"));
        assertTrue(evidence(wide, "iis.log403", "ns1").contains("lines of the last 100000d"), evidence(wide, "iis.log403", "ns1"));
        CliRun bad = CliRun.run(env, tmp, "doctor", "--since", "yesterday", "quickstart");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("--since takes a duration such as 24h"), bad.err());
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.windows.Assumptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `cem probe` on the quickstart's lab: the lab's picture confirmed, what no host can answer unknown, nothing changed. */
class ProbeTest {

    @TempDir
    Path tmp;

    private static Map<String, String> verdicts(JsonNode report) {
        Map<String, String> out = new TreeMap<>();
        report.path("checks").forEach(c -> out.put((c.path("host").asText().isEmpty() ? "-" : c.path("host").asText()) + " " + c.path("id").asText(),
                c.path("status").asText()));
        return out;
    }

    @Test
    @Timeout(300)
    void theLabsAssumptionsAreConfirmed() throws Exception {
        Path site = CliRun.copyExample(tmp, "quickstart");
        assertEquals(0, CliRun.run(Map.of(), tmp, "apply", "--auto-approve", "quickstart").exitCode());
        // An administrator binds a certificate to two sites in IIS Manager (one with SNI): records cem did not write.
        Path ns = site.resolve(".cem/lab/ns1.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode state = (ObjectNode) json.readTree(ns.toFile());
        String thumbprint = state.path("sslBindings").path("0.0.0.0:443").path("thumbprint").asText();
        assertTrue(!thumbprint.isEmpty(), state.path("sslBindings").toString());
        state.with("sites").with("Default Web Site").withArray("bindings").addObject().put("protocol", "https")
                .put("bindingInformation", "*:8443:").put("sslFlags", 0);
        state.with("sites").with("Default Web Site").withArray("bindings").addObject().put("protocol", "https")
                .put("bindingInformation", "*:9443:smp.example.net").put("sslFlags", 1);
        state.with("sslBindings").putObject("0.0.0.0:8443").put("ipAddress", "0.0.0.0").put("port", 8443).put("host", "")
                .put("thumbprint", thumbprint).put("store", "My");
        state.with("sslBindings").putObject("smp.example.net:9443").put("ipAddress", "").put("port", 9443).put("host", "smp.example.net")
                .put("thumbprint", thumbprint).put("store", "My");
        Files.writeString(ns, state.toPrettyString());
        String before = Files.readString(ns) + Files.readString(site.resolve(".cem/lab/ig1.json"));

        CliRun run = CliRun.run(Map.of(), tmp, "probe", "--json", "quickstart");
        assertEquals(0, run.exitCode(), run.out() + run.err());
        JsonNode report = run.json();
        Map<String, String> expected = new TreeMap<>();
        for (String id : new String[] {"ig.service", "ig.settings.key", "ig.value.ListenerPort", "ig.value.Servers", "ig.value.AutoRefresh",
            "ig.value.Version", "ig.logs"}) {
            expected.put("ig1 " + id, "confirmed");
        }
        expected.put("ns1 ns.version", "confirmed");
        expected.put("ns1 iis.sni", "confirmed");
        expected.put("ns1 iis.appid", "confirmed");
        expected.put("ns1 ns.policy.type", "confirmed");
        expected.put("ns1 ns.policy.xml", "confirmed");
        expected.put("- ns.policy.import", "unknown");
        assertEquals(expected, verdicts(report), report.toPrettyString());
        assertTrue(report.path("readOnly").asBoolean());
        assertEquals(before, Files.readString(ns) + Files.readString(site.resolve(".cem/lab/ig1.json")), "the probe changed a host");

        CliRun one = CliRun.run(Map.of(), tmp, "probe", "quickstart", "ig1");
        assertEquals(0, one.exitCode(), one.err());
        assertTrue(one.out().contains("confirmed    ig.settings.key") && !one.out().contains("ns.version"), one.out());
        assertTrue(one.out().contains("Probe: 7 confirmed, 0 contradicted, 1 unknown. Nothing was changed."), one.out());
        assertEquals(1, CliRun.run(Map.of(), tmp, "probe", "quickstart", "edge-fw").exitCode(), "a Linux host is no probe target");
    }

    @Test
    void theHostsWordsAreShownWithTheirEscapesNotObeyed() {
        // What a hostile host holds reaches the evidence: a Version value that clears the screen and retitles the window (issue 24, item 11).
        String escapes = "8.7\u001b[2J\u001b]0;pwned\u0007\u009b";
        String text = ProbeCommand.text(List.of(new Assumptions.Check("ns.version", "ns1", "the NS's version is the Version value",
                Assumptions.Status.CONTRADICTED, "Version = \"" + escapes + "\" (String)", "Correct Get-CemNsVersion for \"" + escapes + "\".")));
        assertTrue(text.contains("Version = \"8.7\\x1b[2J\\x1b]0;pwned\\x07\\u009b\""), text);
        assertTrue(text.chars().noneMatch(c -> c < 0x20 && c != '\n' || c >= 0x7f && c <= 0x9f), text);
    }
}

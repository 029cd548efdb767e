package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Execution;
import cem.lab.WindowsHost;
import cem.lab.WindowsState;
import cem.testkit.PowerShellSyntax;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent's scripts parse with tree-sitter, values never become PowerShell source, and the
 * contract of every op (request and answer shapes) holds against the lab's twin.
 */
class AgentTest {

    /** Names that would do harm if they were ever spliced into a script. */
    static final List<String> HOSTILE = List.of("it's", "a\"b", "$(Remove-Item C:\\ -Recurse)", "`whoami`", "x; Stop-Computer",
            "line1\nline2", "naïve ünïcødé 中文", "%COMPUTERNAME%", "{0}", "a && b | c");

    private static ObjectNode args() {
        return Agent.JSON.createObjectNode();
    }

    private static JsonNode run(WindowsHost host, Agent agent) {
        Execution e = host.powershell(agent.script());
        assertEquals(0, e.exitCode(), e.stderr());
        return Agent.results(e.stdout());
    }

    @Test
    void theShippedModuleAndAGeneratedScriptParse() throws Exception {
        assertEquals(List.of(), PowerShellSyntax.problems(Path.of("src/main/resources/cem/windows/agent.psm1"),
                Path.of("src/main/resources/cem/windows/loader.ps1"), Path.of("src/main/resources/cem/windows/install.ps1"),
                Path.of("src/main/resources/cem/windows/remove.ps1")));
        assertEquals(List.of(), PowerShellSyntax.problems(Agent.installScript()));
        Agent agent = new Agent();
        agent.add("windows_firewall_rule.set", args().put("ruleName", HOSTILE.get(2)).put("displayName", HOSTILE.get(5)));
        assertEquals(List.of(), PowerShellSyntax.problems(agent.script()));
        assertEquals(List.of(), PowerShellSyntax.problems(agent.loaderScript()));
    }

    private static ObjectNode rule(String name, String displayName) {
        ObjectNode rule = args().put("name", name).put("group", "cem").put("displayName", displayName).put("direction", "Inbound")
                .put("action", "Allow").put("enabled", "True").put("profile", "Any").put("protocol", "TCP");
        rule.putArray("localPort").add("443");
        rule.putArray("remotePort").add("Any");
        rule.putArray("remoteAddress").add("Any");
        return rule;
    }

    @Test
    void hostileNamesTravelEncodedAndArriveUnchanged() {
        WindowsHost host = new WindowsHost("ns1", new WindowsState(null, List.of("Default Web Site"), Map.of()));
        for (int i = 0; i < HOSTILE.size(); i++) {
            String name = HOSTILE.get(i);
            Agent agent = new Agent();
            agent.add("windows_firewall_rule.set", rule("cem-hostile-" + i, name));
            int read = agent.add("windows_firewall_rule.read", args().put("group", "cem"));
            String script = agent.script();
            assertFalse(script.substring(Agent.MODULE.length()).contains(name), "the value is not in the script's text: " + name);
            JsonNode r = run(host, agent);
            assertTrue(r.path(0).path("ok").asBoolean(), r.toString());
            boolean found = false;
            for (JsonNode listed : r.path(read).path("data")) {
                found |= listed.path("name").asText().equals("cem-hostile-" + i) && listed.path("displayName").asText().equals(name);
            }
            assertTrue(found, "the display name arrives unchanged: " + name);
        }
    }

    @Test
    void hostileValuesReachEveryKindOfOpUnchanged() {
        WindowsHost host = new WindowsHost("ns1", new WindowsState(null, List.of("Default Web Site"), Map.of()));
        for (String name : HOSTILE) {
            Agent agent = new Agent();
            int service = agent.add("windows_service.set", args().put("name", name).putNull("startMode").put("state", "running"));
            int site = agent.add("iis_binding.set", args().put("site", name).put("protocol", "https").put("bindingInformation", "*:443:" )
                    .put("sslFlags", 0).putNull("thumbprint").putNull("sslEndpointParameter").putNull("sslEndpoint").putNull("sslBindingPath"));
            JsonNode r = run(host, agent);
            assertEquals("Cannot find any service with service name '" + name + "'.", r.at("/" + service + "/error/message").asText());
            assertEquals("Cannot find path 'IIS:\\Sites\\" + name + "' because it does not exist.", r.at("/" + site + "/error/message").asText());
            assertFalse(agent.loaderScript().contains(name), "never in the script: " + name);
        }
    }

    @Test
    void theGatewayOpsKeepTheirContract() {
        WindowsHost host = new WindowsHost("ig1", new WindowsState(null, List.of("Default Web Site"), Map.of()));
        String key = "HKLM:\\SOFTWARE\\Symantec\\Internet Gateway";
        ObjectNode read = args().put("settingsKey", key).put("serviceDisplayName", Itms.IG_SERVICE).put("logDirectory", Itms.DEFAULT_LOG_DIRECTORY)
                .put("registrationLine", Itms.REGISTERED);
        ObjectNode set = args().put("settingsKey", key).put("serviceDisplayName", Itms.IG_SERVICE).put("backupDirectory", Itms.BACKUPS)
                .put("keepBackups", 3).put("listenerPort", 8443).put("autoRefresh", 1).put("restartService", true);
        set.putArray("servers").add("smp.example.net:4726");
        Agent agent = new Agent();
        int before = agent.add("internet_gateway.read", read);
        int notInstalled = agent.add("internet_gateway.set", set);
        int install = agent.add("internet_gateway.install", args().put("settingsKey", key).put("package", "C:\\Installers\\ig.msi")
                .put("file", "msiexec.exe").put("arguments", "/i C:\\Installers\\ig.msi").put("policyKey", Itms.POLICY_KEY));
        int again = agent.add("internet_gateway.set", set);
        int after = agent.add("internet_gateway.read", read);
        JsonNode r = run(host, agent);
        assertFalse(r.at("/" + before + "/data/keyExists").asBoolean());
        assertEquals("The Internet Gateway is not installed on this host.", r.at("/" + notInstalled + "/error/message").asText());
        assertEquals(0, r.at("/" + install + "/data/exitCode").asInt());
        assertTrue(r.at("/" + again + "/ok").asBoolean(), r.toString());
        assertEquals(8443, r.at("/" + after + "/data/values/ListenerPort").asInt());
        JsonNode live = Itms.gateway(new cem.spi.ResourceInstance("internet_gateway.ig1", "internet_gateway", null,
                args().put("externalFqdn", "gw.example.com"), Map.of()), r.at("/" + after + "/data")).attributes();
        assertTrue(live.path("registered").asBoolean(), "registered once servers are set and the service runs: " + r.at("/" + after + "/data"));
        assertEquals("running", live.path("serviceState").asText());
    }

    @Test
    void anythingButTheAgentIsNotRecognized() {
        Execution e = new WindowsHost("ns1").powershell("Get-Process\nexit 0\n");
        assertEquals(1, e.exitCode());
        assertTrue(e.stderr().contains("The term 'Get-Process' is not recognized as the name of a cmdlet"), e.stderr());
    }
}

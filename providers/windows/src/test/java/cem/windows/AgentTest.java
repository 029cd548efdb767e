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

    @Test
    void hostileNamesTravelEncodedAndArriveUnchanged() {
        WindowsHost host = new WindowsHost("ns1", new WindowsState(null, List.of("Default Web Site"), Map.of()));
        for (String name : HOSTILE) {
            Agent agent = new Agent();
            agent.add("windows_firewall_rule.set", args().put("ruleName", name).put("displayName", name).put("direction", "inbound")
                    .put("action", "allow"));
            String script = agent.script();
            assertFalse(script.substring(Agent.MODULE.length()).contains(name), "the value is not in the script's text: " + name);
            assertTrue(run(host, agent).path(0).path("ok").asBoolean());
            JsonNode stored = host.state().snapshot().path("firewall").path(name);
            assertEquals(name, stored.path("ruleName").asText());
            assertEquals(name, stored.path("displayName").asText());
        }
    }

    @Test
    void hostileValuesReachEveryKindOfOpUnchanged() {
        WindowsHost host = new WindowsHost("ns1", new WindowsState(null, List.of("Default Web Site"), Map.of()));
        for (String name : HOSTILE) {
            Agent agent = new Agent();
            int service = agent.add("windows_service.set", args().put("service", name).put("state", "running"));
            int site = agent.add("iis_binding.set", args().put("site", name).put("protocol", "https").put("ip", "*").put("port", 443)
                    .put("hostHeader", name));
            int cert = agent.add("certificate.remove", args().put("thumbprint", name));
            JsonNode r = run(host, agent);
            assertEquals("Cannot find any service with service name '" + name + "'.", r.at("/" + service + "/error/message").asText());
            assertEquals("Cannot find path 'IIS:\\Sites\\" + name + "' because it does not exist.", r.at("/" + site + "/error/message").asText());
            assertEquals(name, r.at("/" + cert + "/data/removed").asText());
            assertFalse(agent.loaderScript().contains(name), "never in the script: " + name);
        }
    }

    @Test
    void everyOpKeepsItsContract() {
        WindowsHost host = new WindowsHost("ns1", new WindowsState(null, List.of("Default Web Site", "CEM Agent"), Map.of("W3SVC", "running")));
        Agent agent = new Agent();
        int fwSet = agent.add("windows_firewall_rule.set", args().put("ruleName", "r").put("direction", "inbound").put("action", "allow"));
        int fwRead = agent.add("windows_firewall_rule.read", args());
        int svcSet = agent.add("windows_service.set", args().put("service", "W3SVC").put("state", "stopped"));
        ObjectNode names = args();
        names.putArray("names").add("W3SVC").add("NoSuch");
        int svcRead = agent.add("windows_service.read", names);
        int missing = agent.add("windows_service.set", args().put("service", "NoSuch").put("state", "running"));
        int certRead = agent.add("certificate.read", args());
        int iisRead = agent.add("iis_binding.read", args());
        int badSite = agent.add("iis_binding.set", args().put("site", "Nope").put("protocol", "https").put("ip", "*").put("port", 443)
                .put("hostHeader", ""));
        JsonNode r = run(host, agent);
        assertEquals("r", r.at("/" + fwSet + "/data/ruleName").asText());
        assertEquals("inbound", r.at("/" + fwRead + "/data/0/direction").asText());
        assertEquals("W3SVC", r.at("/" + svcSet + "/data/service").asText());
        assertEquals(1, r.at("/" + svcRead + "/data").size(), "a missing service is absent from the list");
        assertEquals("stopped", r.at("/" + svcRead + "/data/0/state").asText());
        assertFalse(r.at("/" + missing + "/ok").asBoolean());
        assertEquals("Cannot find any service with service name 'NoSuch'.", r.at("/" + missing + "/error/message").asText());
        assertTrue(r.at("/" + certRead + "/data").isArray());
        assertTrue(r.at("/" + iisRead + "/data/bindings").isArray() && r.at("/" + iisRead + "/data/sslBindings").isArray());
        assertEquals("Cannot find path 'IIS:\\Sites\\Nope' because it does not exist.", r.at("/" + badSite + "/error/message").asText());
    }

    @Test
    void itmsOpsKeepTheirContract() {
        WindowsHost host = new WindowsHost("ns1", new WindowsState(null, List.of("Default Web Site"),
                Map.of("Symantec Internet Gateway Service", "stopped")));
        Agent agent = new Agent();
        int gwBefore = agent.add("internet_gateway.read", args());
        int notInstalled = agent.add("internet_gateway.set", args().put("listenerPort", 443));
        int install = agent.add("internet_gateway.install", args().put("package", "C:\\Installers\\ig.msi"));
        ObjectNode gw = args().put("listenerPort", 8443).put("autoRefresh", true).put("statusReporting", true).put("keepBackups", 3);
        gw.putArray("servers").addObject().put("fqdn", "smp.example.net").put("port", 4726);
        int gwSet = agent.add("internet_gateway.set", gw);
        int gwAfter = agent.add("internet_gateway.read", args());
        ObjectNode target = args().put("name", "laptops").put("mode", "computers").put("baseGroup", "All Discovered Resources");
        target.putArray("filters");
        int tSet = agent.add("resource_target.set", target);
        ObjectNode policy = args().put("policyName", "Cloud-enabled Management Settings").put("enabled", true)
                .put("allowCloudCommunication", true);
        policy.putArray("gateways").addObject().put("fqdn", "gw.example.com").put("port", 8443);
        policy.putArray("targetNames").add("laptops");
        int pSet = agent.add("cem_policy.set", policy);
        int pRead = agent.add("cem_policy.read", args().put("policyName", "Cloud-enabled Management Settings"));
        ObjectNode missing = args().put("policyName", "Cloud-enabled Management Settings");
        missing.putArray("targetNames").add("nope");
        int pBad = agent.add("cem_policy.set", missing);
        JsonNode r = run(host, agent);
        assertFalse(r.at("/" + gwBefore + "/data/installed").asBoolean());
        assertEquals("The Internet Gateway is not installed on this host.", r.at("/" + notInstalled + "/error/message").asText());
        assertTrue(r.at("/" + install + "/ok").asBoolean());
        assertTrue(r.at("/" + gwSet + "/ok").asBoolean());
        assertEquals(8443, r.at("/" + gwAfter + "/data/listenerPort").asInt());
        assertTrue(r.at("/" + gwAfter + "/data/registered").asBoolean(), "registered once servers are set and the service runs");
        assertEquals("running", r.at("/" + gwAfter + "/data/serviceState").asText());
        String guid = r.at("/" + tSet + "/data/guid").asText();
        assertEquals(r.at("/" + pSet + "/data/guid").asText(), r.at("/" + pRead + "/data/guid").asText());
        assertEquals(guid, r.at("/" + pRead + "/data/targets/0/guid").asText());
        assertEquals("laptops", r.at("/" + pRead + "/data/targets/0/name").asText());
        assertEquals("Resource target \"nope\" not found.", r.at("/" + pBad + "/error/message").asText());
    }

    @Test
    void anythingButTheAgentIsNotRecognized() {
        Execution e = new WindowsHost("ns1").powershell("Get-Process\nexit 0\n");
        assertEquals(1, e.exitCode());
        assertTrue(e.stderr().contains("The term 'Get-Process' is not recognized as the name of a cmdlet"), e.stderr());
    }
}

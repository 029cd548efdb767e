package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Execution;
import cem.lab.WindowsHost;
import cem.lab.WindowsState;
import cem.windows.Assumptions.Check;
import cem.windows.Assumptions.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** cem probe's verdicts: the lab's picture confirmed through the twin's agent path; each way a real server may differ, contradicted. */
class AssumptionsTest {

    private static final Assumptions.Target IG = new Assumptions.Target("ig1", true, false, false, Assumptions.defaultSettingsKey(),
            Assumptions.defaultLogDirectory(), Set.of());
    private static final Assumptions.Target NS = new Assumptions.Target("ns1", false, true, true, Assumptions.defaultSettingsKey(),
            Assumptions.defaultLogDirectory(), Set.of("0.0.0.0:443"));

    private static JsonNode json(String text) throws Exception {
        return Agent.JSON.readTree(text.replace('\'', '"'));
    }

    private static Map<String, Status> verdicts(List<Check> checks) {
        Map<String, Status> out = new TreeMap<>();
        checks.forEach(c -> out.put(c.id(), c.status()));
        return out;
    }

    /** The probe's ops through the twin (WindowsHost prints what agent.psm1 prints), then Java's verdicts. */
    private static List<Check> throughTwin(WindowsHost host, Assumptions.Target t) throws Exception {
        List<Map.Entry<String, JsonNode>> ops = Assumptions.ops(t);
        ObjectNode request = Agent.JSON.createObjectNode().put("v", 1);
        ops.forEach(op -> request.withArray("ops").addObject().put("op", op.getKey()).set("args", op.getValue()));
        String b64 = Base64.getEncoder().encodeToString(request.toString().getBytes(StandardCharsets.UTF_8));
        Execution e = host.powershell(WindowsHost.AGENT + "\nInvoke-CemBatch -Request '" + b64 + "'\n");
        JsonNode results = Agent.JSON.readTree(e.stdout()).path("results");
        Map<String, JsonNode> answers = new HashMap<>();
        Map<String, String> errors = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            assertTrue(results.path(i).path("ok").asBoolean(), ops.get(i).getKey() + ": " + results.path(i));
            assertTrue(OpContracts.violations(ops.get(i).getKey(), "data", results.path(i).path("data")).isEmpty(), ops.get(i).getKey());
            answers.put(ops.get(i).getKey(), results.path(i).path("data"));
        }
        return Assumptions.judge(t, answers, errors);
    }

    @Test
    void theLabsGatewayConfirmsEveryAssumption() throws Exception {
        WindowsHost ig = new WindowsHost("ig1", new WindowsState(null, List.of(), Map.of("Symantec Internet Gateway Service", "running")));
        // Gateway Manager's servers set, and the service restarted: it registers and writes a.log (the lab's picture of KB 216202).
        ObjectNode set = Agent.JSON.createObjectNode().put("settingsKey", Assumptions.defaultSettingsKey()).put("serviceDisplayName", Itms.IG_SERVICE)
                .put("backupDirectory", Itms.BACKUPS).put("keepBackups", 1).put("listenerPort", 443).put("autoRefresh", 1).put("restartService", true);
        set.putArray("servers").add("smp.example.net:4726");
        ObjectNode request = Agent.JSON.createObjectNode().put("v", 1);
        request.withArray("ops").addObject().put("op", "internet_gateway.set").set("args", set);
        ig.powershell(WindowsHost.AGENT + "\nInvoke-CemBatch -Request '" + Base64.getEncoder().encodeToString(request.toString().getBytes(StandardCharsets.UTF_8)) + "'\n");
        Map<String, Status> v = verdicts(throughTwin(ig, IG));
        assertEquals(Map.of("ig.service", Status.CONFIRMED, "ig.settings.key", Status.CONFIRMED, "ig.value.ListenerPort", Status.CONFIRMED,
                "ig.value.Servers", Status.CONFIRMED, "ig.value.AutoRefresh", Status.CONFIRMED, "ig.value.Version", Status.CONFIRMED,
                "ig.logs", Status.CONFIRMED), v);
    }

    @Test
    void aHostWithoutTheGatewayIsUnknownNotContradicted() throws Exception {
        WindowsHost bare = new WindowsHost("ig1", new WindowsState(null, List.of(), Map.of("W3SVC", "running")));
        for (Check c : throughTwin(bare, IG)) {
            assertEquals(Status.UNKNOWN, c.status(), c.toString());
        }
    }

    @Test
    void gatewaysThatDifferAreContradicted() throws Exception {
        Map<String, JsonNode> answers = new HashMap<>();
        answers.put("probe.registry", json("[{'key':'HKLM:\\\\SOFTWARE\\\\Symantec\\\\Internet Gateway','exists':false,'values':[],'subKeys':[]},"
                + "{'key':'HKLM:\\\\SOFTWARE\\\\WOW6432Node\\\\Symantec\\\\Internet Gateway','exists':true,'values':["
                + "{'name':'ListenerPort','kind':'String','data':'443'},{'name':'Servers','kind':'MultiString','data':['smp.example.net:4726']},"
                + "{'name':'Version','kind':'String','data':'8.8.1'}],'subKeys':[]},"
                + "{'key':'HKLM:\\\\SOFTWARE\\\\Symantec','exists':true,'values':[],'subKeys':['SMP']}]"));
        answers.put("probe.services", json("[{'name':'SymIG','displayName':'Symantec Internet Gateway','state':'Running','startMode':'Auto','pathName':'C:\\\\IG\\\\ig.exe'}]"));
        answers.put("probe.files", json("[{'directory':'C:\\\\ProgramData\\\\Symantec\\\\SMP\\\\Logs','exists':false,'files':[]}]"));
        List<Check> checks = Assumptions.judge(IG, answers, Map.of());
        Map<String, Status> v = verdicts(checks);
        assertEquals(Status.CONTRADICTED, v.get("ig.service"), checks.toString());
        assertEquals(Status.CONTRADICTED, v.get("ig.settings.key"), "found only in the 32-bit view");
        assertEquals(Status.CONTRADICTED, v.get("ig.value.ListenerPort"), "a string, not a DWORD");
        assertEquals(Status.CONFIRMED, v.get("ig.value.Servers"));
        assertEquals(Status.CONTRADICTED, v.get("ig.value.AutoRefresh"), "missing");
        assertEquals(Status.CONTRADICTED, v.get("ig.logs"), "the IG's service runs but writes no a*.log there");
        assertTrue(checks.stream().anyMatch(c -> c.evidence().contains("SymIG")), "the candidate service's key name is the evidence");
    }

    @Test
    void theNsVersionAndHttpSys() throws Exception {
        Map<String, JsonNode> answers = new HashMap<>();
        answers.put("probe.registry", json("[{'key':'HKLM:\\\\SOFTWARE\\\\Altiris\\\\eXpress\\\\Notification Server','exists':true,'values':"
                + "[{'name':'ProductVersion','kind':'String','data':null}],'subKeys':[]}]"));
        answers.put("iis_binding.read", json("{'sites':[{'name':'Default Web Site','id':1,'bindings':[{'protocol':'https','bindingInformation':'*:443:','sslFlags':0},"
                + "{'protocol':'https','bindingInformation':'*:8443:','sslFlags':0},{'protocol':'https','bindingInformation':'*:443:gw.example.com','sslFlags':1}]}],"
                + "'sslBindings':[]}"));
        String netsh = "\r\nSSL Certificate bindings:\r\n-------------------------\r\n\r\n"
                + "    IP:port                      : 0.0.0.0:443\r\n    Certificate Hash             : ab\r\n"
                + "    Application ID               : {4dc3e181-e14b-4a21-b022-59fc669b0914}\r\n    Certificate Store Name       : My\r\n\r\n"
                + "    IP:port                      : 0.0.0.0:8443\r\n    Certificate Hash             : cd\r\n"
                + "    Application ID               : {4dc3e181-e14b-4a21-b022-59fc669b0914}\r\n\r\n"
                + "    IP:port                      : 0.0.0.0:5986\r\n    Certificate Hash             : ef\r\n"
                + "    Application ID               : {afebb9ad-9b97-4a91-9ab5-daf4d59122f6}\r\n\r\n"
                + "    Hostname:port                : gw.example.com:443\r\n    Certificate Hash             : 01\r\n"
                + "    Application ID               : {4dc3e181-e14b-4a21-b022-59fc669b0914}\r\n\r\n";
        answers.put("probe.sslcert", Agent.JSON.createObjectNode().put("exitCode", 0).put("output", netsh));
        List<Check> checks = Assumptions.judge(NS, answers, Map.of());
        Map<String, Status> v = verdicts(checks);
        assertEquals(Status.CONTRADICTED, v.get("ns.version"), "the key holds no Version");
        assertEquals(Status.CONFIRMED, v.get("iis.sni"));
        assertEquals(Status.CONFIRMED, v.get("iis.appid"), "0.0.0.0:8443 is IIS's and not the configuration's: " + checks);
        assertTrue(checks.stream().anyMatch(c -> c.id().equals("iis.appid") && c.evidence().contains("0.0.0.0:5986")), "WinRM's record is listed, not counted");

        answers.put("probe.sslcert", Agent.JSON.createObjectNode().put("exitCode", 0).put("output", netsh.replace("{4dc3e181-e14b-4a21-b022-59fc669b0914}",
                "{00000000-0000-0000-0000-000000000001}").replace("Hostname:port                : gw.example.com:443", "IP:port : 10.0.0.1:443")));
        Map<String, Status> other = verdicts(Assumptions.judge(NS, answers, Map.of()));
        assertEquals(Status.CONTRADICTED, other.get("iis.appid"));
        assertEquals(Status.CONTRADICTED, other.get("iis.sni"), "IIS has an SNI binding that netsh does not list by name");
    }

    @Test
    void whatNoHostCanAnswerIsUnknownWithWhatWouldSettleIt() {
        for (Check c : Assumptions.unanswerable()) {
            assertEquals(Status.UNKNOWN, c.status());
            assertTrue(!c.settles().isEmpty());
        }
    }
}

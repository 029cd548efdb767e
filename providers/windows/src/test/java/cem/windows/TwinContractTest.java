package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Certificates;
import cem.lab.Execution;
import cem.lab.WindowsHost;
import cem.lab.WindowsState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The lab's twin against the op contracts: for every op schema of {@code cem/windows/ops}, a
 * request that holds {@code $defs.args} goes through the twin's agent path (WindowsHost, then
 * WindowsState) and its answer must hold {@code $defs.data}. An op schema without a request here
 * fails the test, so no op is left out.
 */
class TwinContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPS = "/cem/windows/ops/";
    private static final String KEY = "HKLM:\\SOFTWARE\\Symantec\\Internet Gateway";
    private static final String BACKUPS = "C:\\ProgramData\\cem\\ig-backups";
    private static final Certificates.Issued ROOT = Certificates.rootCa("CN=contract root");
    private static final Certificates.Issued CERT = ROOT.issue("CN=contract intermediate").ca().eku().build()
            .issue("CN=smp.example.net").dns("smp.example.net").build();

    /** One host for the whole sequence: later ops find what earlier ones made (a certificate, the IG, a target). */
    private static final WindowsHost HOST = new WindowsHost("ns1", new WindowsState(null, List.of("Default Web Site", "CEM Agent"),
            Map.of("W3SVC", "running")));

    private static ObjectNode o() {
        return JSON.createObjectNode();
    }

    /**
     * One request per op, in an order that lets each find what it needs; removals last. The
     * certificate.import request is the sealed one Java sends; the twin receives what WindowsHost
     * hands on after opening it (pfx, password), see {@link #twinArgs}.
     */
    static Map<String, ObjectNode> requests() {
        String tp = thumbprint();
        Map<String, ObjectNode> r = new LinkedHashMap<>();
        r.put("agent.info", o());
        r.put("certificate.import", o().put("sealed", Base64.getEncoder().encodeToString("CMS EnvelopedData".getBytes(StandardCharsets.US_ASCII)))
                .put("recipient", "AB".repeat(20)).putNull("friendlyName"));
        r.put("certificate.read", o());
        r.put("iis_binding.set", o().put("site", "Default Web Site").put("protocol", "https").put("bindingInformation", "*:443:").put("sslFlags", 0)
                .put("thumbprint", tp).put("sslEndpointParameter", "ipport").put("sslEndpoint", "0.0.0.0:443")
                .put("sslBindingPath", "IIS:\\SslBindings\\0.0.0.0!443"));
        r.put("iis_binding.read", o());
        ObjectNode rule = o().put("name", "cem-agents-in").put("group", "cem").put("displayName", "cem agents in").put("direction", "Inbound")
                .put("action", "Allow").put("enabled", "True").put("profile", "Any").put("protocol", "TCP");
        rule.putArray("localPort").add("443").add("4726");
        rule.putNull("remotePort");
        rule.putArray("remoteAddress").add("10.0.0.0/8");
        r.put("windows_firewall_rule.set", rule);
        r.put("windows_firewall_rule.read", o().put("group", "cem"));
        r.put("windows_service.set", o().put("name", "W3SVC").put("startMode", "delayed-auto").put("state", "running"));
        ObjectNode services = o();
        services.putArray("names").add("W3SVC").add("NoSuchService");
        r.put("windows_service.read", services);
        r.put("internet_gateway.install", o().put("settingsKey", KEY).put("package", "C:\\Installers\\Symantec_IG.msi").put("file", "msiexec.exe").put("arguments", "/i C:\\Installers\\Symantec_IG.msi /qn")
                .put("policyKey", "HKLM:\\SOFTWARE\\cem"));
        ObjectNode gateway = o().put("settingsKey", KEY).put("serviceDisplayName", "Symantec Internet Gateway Service").put("backupDirectory", BACKUPS)
                .put("keepBackups", 5).put("listenerPort", 443).put("autoRefresh", 1).put("restartService", true);
        gateway.putArray("servers").add("smp.example.net:443");
        r.put("internet_gateway.set", gateway);
        r.put("internet_gateway.read", o().put("settingsKey", KEY).put("serviceDisplayName", "Symantec Internet Gateway Service")
                .put("logDirectory", "C:\\ProgramData\\Symantec\\SMP\\Logs")
                .put("registrationLine", "Internet Gateway successfully registered with Notification Server"));
        r.put("internet_gateway.restore", o().put("settingsKey", KEY).put("serviceDisplayName", "Symantec Internet Gateway Service")
                .put("backupDirectory", BACKUPS).putNull("backup"));
        ObjectNode call = o().put("baseUrl", "https://smp.example.net/Altiris/ASDK.NS/").put("service", "ItemManagementService")
                .put("method", "GetItemsByName");
        call.putArray("fields").addObject().put("name", "itemName").put("value", "Cloud-enabled Management Settings");
        r.put("asdk.call", call);
        r.put("ns.facts", o().put("versionKey", "HKLM:\\SOFTWARE\\Altiris\\eXpress\\Notification Server"));
        ObjectNode server = o().put("serverFqdn", "site1.example.net").put("cemRole", true);
        server.putArray("communicationHosts").addObject().put("fqdn", "gw.example.com").put("port", 443);
        r.put("site_server.set", server);
        ObjectNode servers = o();
        servers.putArray("names").add("site1.example.net");
        r.put("site_server.read", servers);
        r.put("offline_package.generate", o());
        r.put("cem_certificate.revoke", o().put("computer", "LAPTOP-1").put("thumbprint", "CD".repeat(20)));
        r.put("cem_certificate.read", o());
        ObjectNode status = o().put("communicationsKey", "HKLM:\\SOFTWARE\\Altiris\\Communications").put("switchLine", "Switching to Internet Gateway mode");
        status.putArray("logDirectories").add("C:\\ProgramData\\Symantec\\Symantec Agent\\Logs");
        r.put("agent.status", status);
        r.put("host.facts", o().put("iisLogRoot", "C:\\inetpub\\logs\\LogFiles"));
        ObjectNode registry = o();
        registry.putArray("keys").add(KEY).add("HKLM:\\SOFTWARE\\Symantec").add("HKLM:\\SOFTWARE\\Altiris\\eXpress\\Notification Server");
        registry.putArray("valueNames").add("ListenerPort").add("Servers").add("Version");
        r.put("probe.registry", registry);
        ObjectNode words = o();
        words.putArray("words").add("Gateway");
        r.put("probe.services", words);
        ObjectNode files = o().put("filter", "a*.log").put("line", "Internet Gateway successfully registered with Notification Server");
        files.putArray("directories").add("C:\\ProgramData\\Symantec\\SMP\\Logs").add("C:\\NoSuchFolder");
        r.put("probe.files", files);
        r.put("probe.sslcert", o());
        r.put("iis_binding.remove", o().put("site", "Default Web Site").put("protocol", "https").put("bindingInformation", "*:443:")
                .put("sslEndpointParameter", "ipport").put("sslEndpoint", "0.0.0.0:443"));
        r.put("windows_firewall_rule.remove", o().put("name", "cem-agents-in").put("group", "cem"));
        r.put("certificate.remove", o().put("thumbprint", tp));
        return r;
    }

    /** What the twin's WindowsState receives: a sealed import arrives opened (pfx, password), as WindowsHost decrypts it. */
    private static JsonNode twinArgs(String op, ObjectNode args) {
        if (!op.equals("certificate.import")) {
            return args;
        }
        try {
            Path pfx = Files.createTempFile("contract", ".pfx");
            CERT.writePfx(pfx, "contract-pw", true);
            ObjectNode opened = o().put("pfx", Base64.getEncoder().encodeToString(Files.readAllBytes(pfx))).put("password", "contract-pw");
            Files.delete(pfx);
            return opened.set("friendlyName", args.get("friendlyName"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String thumbprint() {
        try {
            return java.util.HexFormat.of().withUpperCase().formatHex(
                    java.security.MessageDigest.getInstance("SHA-1").digest(CERT.certificate().getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyOpSchemaHasARequest() throws Exception {
        assertEquals(OpContracts.ops(), new TreeSet<>(requests().keySet()), "one request per op schema in " + OPS + " (add the new op's request here)");
    }

    @Test
    void theCheckCatchesAnAnswerOfTheOldShape() throws Exception {
        JsonNode old = o().put("removed", "ABCD");
        assertTrue(!OpContracts.violations("certificate.remove", "data", old).isEmpty(), "the old certificate.remove answer must not pass");
    }

    @TestFactory
    Stream<DynamicTest> everyAnswerHoldsItsSchema() {
        return requests().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            String op = e.getKey();
            List<String> argProblems = OpContracts.violations(op, "args", e.getValue());
            assertTrue(argProblems.isEmpty(), op + ": the test's request breaks $defs.args: " + argProblems);
            JsonNode result = run(op, twinArgs(op, e.getValue()));
            assertTrue(result.path("ok").asBoolean(), op + ": the twin failed: " + result);
            List<String> dataProblems = OpContracts.violations(op, "data", result.path("data"));
            assertTrue(dataProblems.isEmpty(), op + ": the twin's answer breaks $defs.data: " + dataProblems + " in " + result.path("data"));
        }));
    }

    /** One op through the twin's agent path: WindowsHost answers an agent batch as agent.psm1 prints it. */
    private static JsonNode run(String op, JsonNode args) throws IOException {
        ObjectNode request = o().put("v", 1);
        request.putArray("ops").addObject().put("op", op).set("args", args);
        String b64 = Base64.getEncoder().encodeToString(request.toString().getBytes(StandardCharsets.UTF_8));
        Execution e = HOST.powershell(WindowsHost.AGENT + "\nInvoke-CemBatch -Request '" + b64 + "'\n");
        assertEquals(0, e.exitCode(), e.stderr());
        return JSON.readTree(e.stdout()).path("results").path(0);
    }

}

package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Certificates;
import cem.spi.ApplyRequest;
import cem.spi.HostTarget;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

/**
 * Every request the provider builds — reads of every type, every change of every type, the
 * doctor's probes — holds every key its op's schema requires and nothing else, so that the agent
 * never reads a missing key under strict mode; and every op of the agent has a schema.
 */
class AgentContractTest {

    private static final Path CONFIG = Path.of("../../examples/quickstart").toAbsolutePath().normalize();

    private static JsonNode json(String text) throws Exception {
        return Agent.JSON.readTree(text.replace('\'', '"'));
    }

    private static ResourceInstance r(String type, String name, String attributes, Map<String, JsonNode> related) throws Exception {
        // A delete carries the identity the state recorded (a certificate's thumbprint).
        String identity = type.equals("certificate") ? "AB".repeat(20) : null;
        return new ResourceInstance(type + "." + name, type, identity, json(attributes), related);
    }

    static List<ResourceInstance> resources() throws Exception {
        JsonNode cert = json("{'pfx':'../certs/gateway.pfx','password':'${file:../certs/example.pass}'}");
        ((com.fasterxml.jackson.databind.node.ObjectNode) cert).put("password", java.nio.file.Files.readString(
                CONFIG.resolve("../certs/example.pass")).trim());
        return List.of(
                r("certificate", "gw", cert.toString(), Map.of()),
                r("certificate", "named", "{'pfx':'../certs/gateway.pfx','password':'" + cert.get("password").asText() + "','friendlyName':'CEM gateway'}", Map.of()),
                r("iis_binding", "ns", "{'site':'Default Web Site','port':443,'certificate':'gw'}", Map.of("certificate.gw", cert)),
                r("iis_binding", "sni", "{'site':'Default Web Site','port':443,'hostHeader':'gw.example.com','sni':true,'certificate':'gw'}",
                        Map.of("certificate.gw", cert)),
                r("iis_binding", "plain", "{'site':'Default Web Site','protocol':'http','port':80}", Map.of()),
                r("windows_firewall_rule", "in", "{'direction':'inbound','action':'allow','localPorts':[443],'remoteAddresses':['10.0.0.0/8']}", Map.of()),
                r("windows_firewall_rule", "any", "{'direction':'outbound','action':'block','protocol':'any','enabled':false}", Map.of()),
                r("windows_service", "w3svc", "{'service':'W3SVC','state':'running','startType':'delayed'}", Map.of()),
                r("windows_service", "bare", "{'service':'W3SVC','state':'stopped'}", Map.of()),
                r("internet_gateway", "ig", "{'externalFqdn':'gw.example.com','listenerPort':443,'servers':[{'fqdn':'smp.example.net'}],"
                        + "'installer':{'package':'C:\\\\Installers\\\\ig.msi','arguments':['/qn','INSTALLDIR=C:\\\\Program Files\\\\IG']}}", Map.of()),
                r("internet_gateway", "noargs", "{'externalFqdn':'gw.example.com','listenerPort':443,'servers':[{'fqdn':'smp.example.net','port':4727}],"
                        + "'installer':{'package':'C:\\\\Installers\\\\setup.exe'},'settingsKey':'HKLM:\\\\SOFTWARE\\\\X'}", Map.of()),
                r("resource_target", "laptops", "{'filters':[{'type':'organizationalGroup','operation':'union','ref':'All Discovered Resources'}]}", Map.of()),
                r("resource_target", "adopted", "{'guid':'{01234567-89ab-cdef-0123-456789abcdef}'}", Map.of()),
                r("cem_policy", "default", "{'gateways':[{'gateway':'ig','port':443}],'targets':['laptops']}",
                        Map.of("internet_gateway.ig", json("{'externalFqdn':'gw.example.com'}"))),
                r("cem_certificate", "lost", "{'computer':'LAPTOP1'}", Map.of()),
                r("site_server", "ss", "{'serverFqdn':'ss.example.net','communicationHosts':[]}", Map.of()),
                r("offline_package", "pkg", "{'output':'out/pkg.zip'}", Map.of()));
    }

    @Test
    void everyRequestTheProviderBuildsKeepsItsOpsContract() throws Exception {
        HostTarget host = new HostTarget("ns1", Agent.JSON.createObjectNode(), Map.of(), CONFIG);
        Certificates.Issued encryption = Certificates.selfSigned("CN=cem agent document encryption")
                .eku(KeyPurposeId.getInstance(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.311.80.1"))).build();
        JsonNode sharedIis = json("{'sites':[],'sslBindings':[]}");
        WindowsProvider.Known known = new WindowsProvider.Known(encryption.certificate(), sharedIis, json("{'service':{'state':'Running'}}"),
                AsdkShapes.knownNs("https://ns1/Altiris/ASDK.NS/"));
        Agent agent = new Agent();
        Reads.add(agent, resources(), host);
        for (ApplyRequest.Operation operation : ApplyRequest.Operation.values()) {
            for (ResourceInstance r : resources()) {
                Ops.add(agent, new ApplyRequest.Change(operation, r), host, known);
            }
        }
        agent.add(Probes.hostFacts().getKey(), Probes.hostFacts().getValue());
        agent.add(Probes.agentStatus().getKey(), Probes.agentStatus().getValue());
        // cem probe: every read-only probe op, for a host that is gateway, NS and IIS at once.
        for (Map.Entry<String, JsonNode> op : Assumptions.ops(new Assumptions.Target("ns1", true, true, true, Assumptions.defaultSettingsKey(),
                Assumptions.defaultLogDirectory(), Set.of("0.0.0.0:443")))) {
            agent.add(op.getKey(), op.getValue());
        }
        agent.add(Probes.gatewayRestore(null, null).getKey(), Probes.gatewayRestore(null, null).getValue());
        agent.add(Probes.gatewayRestore(json("{'settingsKey':'HKLM:\\\\SOFTWARE\\\\X'}"), "20261203T080000000Z").getKey(),
                Probes.gatewayRestore(json("{'settingsKey':'HKLM:\\\\SOFTWARE\\\\X'}"), "20261203T080000000Z").getValue());
        List<String> problems = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (JsonNode op : agent.request().path("ops")) {
            seen.add(op.path("op").asText());
            problems.addAll(OpContracts.violations(op.path("op").asText(), "args", op.path("args")));
        }
        assertEquals(List.of(), problems);
        Set<String> all = new TreeSet<>(OpContracts.ops());
        all.removeAll(seen);
        // Read by the provider only through other paths: the install-time op is asked by the reads of certificates.
        assertEquals(Set.of(), all, "ops no request of the provider exercises");
    }

    @Test
    void theAgentDispatchesExactlyTheOpsThatHaveSchemas() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\n\\s+'([a-z_]+\\.[a-z_]+)' \\{ [A-Za-z-]+ \\$op\\.args \\}").matcher(Agent.MODULE);
        Set<String> dispatched = new TreeSet<>();
        while (m.find()) {
            dispatched.add(m.group(1));
        }
        assertEquals(new TreeSet<>(OpContracts.ops()), dispatched);
    }

    @Test
    void aMissingKeyOrAWildcardIsAViolation() throws Exception {
        assertTrue(OpContracts.violations("windows_firewall_rule.remove", "args", json("{'name':'x'}")).size() > 0, "group is required");
        assertTrue(OpContracts.violations("windows_firewall_rule.remove", "args", json("{'name':'*','group':'cem'}")).size() > 0,
                "a wildcard would select every rule");
        assertTrue(OpContracts.violations("windows_service.set", "args", json("{'name':'W3*','startMode':null,'state':null}")).size() > 0);
        assertEquals(List.of(), OpContracts.violations("windows_service.set", "args", json("{'name':'W3SVC','startMode':null,'state':'running'}")));
    }
}

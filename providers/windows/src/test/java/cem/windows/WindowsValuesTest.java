package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What Windows returns, as its documentation describes it, read into cem's model: the decisions
 * the thin agent leaves to Java.
 */
class WindowsValuesTest {

    private static JsonNode json(String text) throws Exception {
        return Agent.JSON.readTree(text.replace('\'', '"'));
    }

    private static ResourceInstance resource(String type, String name, String attributes) throws Exception {
        return new ResourceInstance(type + "." + name, type, null, json(attributes), Map.of());
    }

    @Test
    void firewallPortsAreStringsWithAnyAndKeywords() throws Exception {
        assertEquals(json("[443, 8443]"), Firewall.livePorts(json("['443', '8443']")));
        assertEquals(json("[]"), Firewall.livePorts(json("['Any']")), "Any is no restriction: the model's empty list");
        assertEquals(json("['RPC', '1000-2000']"), Firewall.livePorts(json("['RPC', '1000-2000']")));
    }

    @Test
    void addressesInMaskNotationMatchWhatTheModelWrote() throws Exception {
        assertEquals("10.0.0.0/8", Firewall.canonicalAddress("10.0.0.0/255.0.0.0"));
        assertEquals("10.0.0.0/8", Firewall.canonicalAddress("10.0.0.0/8"));
        assertEquals("10.1.2.3/32", Firewall.canonicalAddress("10.1.2.3"));
        assertEquals("10.1.2.3/32", Firewall.canonicalAddress("10.1.2.3/32"));
        assertEquals("2001:db8:0:0:0:0:0:0/32", Firewall.canonicalAddress("2001:db8::/32"));
        assertEquals("localsubnet", Firewall.canonicalAddress("LocalSubnet"));
        ArrayNode live = Firewall.liveAddresses(json("['10.0.0.0/255.0.0.0', '192.0.2.7', 'LocalSubnet']"), json("['10.0.0.0/8', '192.0.2.7/32']"));
        assertEquals(json("['10.0.0.0/8', '192.0.2.7/32', 'LocalSubnet']"), live, "the model's spelling where it means the same; the rest as listed");
        assertEquals(json("[]"), Firewall.liveAddresses(json("['Any']"), json("[]")));
    }

    @Test
    void aRuleReadAsWindowsPrintsItShowsNoDrift() throws Exception {
        ResourceInstance r = resource("windows_firewall_rule", "gw-in", "{'direction':'inbound','action':'allow','protocol':'tcp',"
                + "'localPorts':[443],'remoteAddresses':['10.0.0.0/8'],'profiles':['domain','private'],'enabled':true}");
        JsonNode rules = json("[{'name':'cem-gw-in','displayName':'cem-gw-in','group':'cem','direction':'Inbound','action':'Allow',"
                + "'enabled':'True','profile':'Domain, Private','protocol':'TCP','localPort':['443'],'remotePort':['Any'],"
                + "'localAddress':['Any'],'remoteAddress':['10.0.0.0/255.0.0.0']}]");
        LiveResource live = Firewall.live(r, rules);
        assertTrue(live.exists());
        for (String f : new String[] {"direction", "action", "protocol", "localPorts", "remoteAddresses", "enabled"}) {
            assertEquals(r.attributes().get(f), live.attributes().get(f), f);
        }
        assertEquals(json("['domain','private']"), live.attributes().get("profiles"));
        assertEquals(json("[]"), live.attributes().get("remotePorts"));
    }

    @Test
    void aRuleOfAnotherGroupIsNotCems() throws Exception {
        ResourceInstance r = resource("windows_firewall_rule", "x", "{'direction':'inbound','action':'allow'}");
        JsonNode rules = json("[{'name':'cem-x','group':'Remote Desktop','direction':'Inbound','action':'Allow','enabled':'True',"
                + "'profile':'Any','protocol':'TCP','localPort':['3389'],'remotePort':['Any'],'localAddress':['Any'],'remoteAddress':['Any']}]");
        assertFalse(Firewall.live(r, rules).exists());
    }

    @Test
    void removedFiltersAreResetToAnyAndPortsOnlyForTcpAndUdp() throws Exception {
        ObjectNode tcp = Firewall.setArgs(resource("windows_firewall_rule", "a", "{'direction':'outbound','action':'block','profiles':['public','domain']}"));
        assertEquals(json("['Any']"), tcp.get("localPort"));
        assertEquals(json("['Any']"), tcp.get("remoteAddress"));
        assertEquals("Domain, Public", tcp.get("profile").asText());
        assertEquals("TCP", tcp.get("protocol").asText());
        ObjectNode any = Firewall.setArgs(resource("windows_firewall_rule", "b", "{'direction':'inbound','action':'allow','protocol':'any'}"));
        assertTrue(any.get("localPort").isNull() && any.get("remotePort").isNull(), "a port filter is valid only with TCP or UDP");
        assertEquals("Any", any.get("protocol").asText());
    }

    @Test
    void bindingInformationOfEveryProtocolParses() {
        assertEquals("0.0.0.0:443", Bindings.parse("s", "https", "*:443:", 0).orElseThrow().endpoint());
        assertEquals("gw.example.com:443", Bindings.parse("s", "https", "*:443:gw.example.com", 1).orElseThrow().endpoint());
        Bindings.Binding v6 = Bindings.parse("s", "https", "[::]:8443:", 0).orElseThrow();
        assertEquals("[::]", v6.ip());
        assertEquals(8443, v6.port());
        assertTrue(Bindings.parse("s", "net.tcp", "808:*", 0).isEmpty(), "WCF bindings are listed, never managed");
        assertTrue(Bindings.parse("s", "net.pipe", "*", 0).isEmpty());
        assertTrue(Bindings.parse("s", "https", "garbage", 0).isEmpty());
    }

    @Test
    void aSharedHttpSysRecordIsNeverDeletedWithOneBinding() throws Exception {
        ResourceInstance mine = resource("iis_binding", "b", "{'site':'CEM','port':443}");
        JsonNode shared = json("{'sites':[{'name':'CEM','id':2,'bindings':[{'protocol':'https','bindingInformation':'*:443:','sslFlags':0}]},"
                + "{'name':'Default Web Site','id':1,'bindings':[{'protocol':'https','bindingInformation':'*:443:','sslFlags':0},"
                + "{'protocol':'net.tcp','bindingInformation':'808:*','sslFlags':0}]}],'sslBindings':[]}");
        assertTrue(Bindings.removeArgs(mine, shared).get("sslEndpoint").isNull());
        JsonNode alone = json("{'sites':[{'name':'CEM','id':2,'bindings':[{'protocol':'https','bindingInformation':'*:443:','sslFlags':0}]}],'sslBindings':[]}");
        assertEquals("0.0.0.0:443", Bindings.removeArgs(mine, alone).get("sslEndpoint").asText());
        assertTrue(Bindings.removeArgs(mine, null).get("sslEndpoint").isNull(), "not read in this run: kept");
    }

    @Test
    void aBindingsCertificateComesFromItsHttpSysRecord() throws Exception {
        JsonNode iis = json("{'sites':[],'sslBindings':[{'ipAddress':'0.0.0.0','port':443,'host':'','thumbprint':'aa','store':'My'},"
                + "{'ipAddress':'','port':443,'host':'GW.example.com','thumbprint':'bb','store':'My'}]}");
        assertEquals("AA", Bindings.certificateOf(iis, Bindings.parse("s", "https", "*:443:", 0).orElseThrow()));
        assertEquals("BB", Bindings.certificateOf(iis, Bindings.parse("s", "https", "*:443:gw.example.com", 1).orElseThrow()));
        assertEquals("", Bindings.certificateOf(iis, Bindings.parse("s", "https", "10.0.0.5:443:", 0).orElseThrow()));
    }

    @Test
    void aStoreWithAnEcdsaCertificateIsReadFromDer() throws Exception {
        // On .NET Framework, PublicKey.Key throws NotSupportedException for ECC keys (NET PublicKey.Key): the old agent's read failed
        // for the whole store. The agent now returns RawData, and Java reads every certificate from it.
        java.nio.file.Path certs = java.nio.file.Path.of("../../examples/certs").toAbsolutePath().normalize();
        String password = java.nio.file.Files.readString(certs.resolve("example.pass")).trim();
        java.security.KeyStore pfx = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(certs.resolve("gateway.pfx"))) {
            pfx.load(in, password.toCharArray());
        }
        java.security.cert.X509Certificate gateway = null;
        for (String alias : java.util.Collections.list(pfx.aliases())) {
            if (pfx.isKeyEntry(alias)) {
                gateway = (java.security.cert.X509Certificate) pfx.getCertificate(alias);
            }
        }
        java.security.cert.X509Certificate ecc = cem.lab.Certificates.selfSigned("CN=another product").ecdsa().build().certificate();
        ArrayNode store = Agent.JSON.createArrayNode();
        for (java.security.cert.X509Certificate c : new java.security.cert.X509Certificate[] {ecc, gateway}) {
            store.addObject().put("thumbprint", java.util.HexFormat.of().withUpperCase().formatHex(
                    java.security.MessageDigest.getInstance("SHA-1").digest(c.getEncoded())))
                    .put("rawData", java.util.Base64.getEncoder().encodeToString(c.getEncoded())).put("hasPrivateKey", true)
                    .put("friendlyName", "").putArray("chainStatus");
        }
        assertEquals("CN=another product", Reads.der(store.get(0).path("rawData").asText()).getSubjectX500Principal().getName());
        ResourceInstance r = new ResourceInstance("certificate.gw", "certificate", null, Agent.JSON.createObjectNode()
                .put("pfx", "../certs/gateway.pfx").put("password", password), Map.of());
        cem.spi.HostTarget host = new cem.spi.HostTarget("ig1", Agent.JSON.createObjectNode(), Map.of(), certs.resolveSibling("quickstart"));
        LiveResource live = Reads.add(new Agent(), java.util.List.of(), host).liveCertificate(r, store, host);
        assertTrue(live.exists());
        assertEquals(gateway.getNotAfter().toInstant().toString(), live.attributes().path("notAfter").asText());
    }

    @Test
    void startModesAndTheDelayedFlag() {
        assertEquals("delayed", Reads.startType("Auto", true));
        assertEquals("automatic", Reads.startType("Auto", false));
        assertEquals("manual", Reads.startType("Manual", false));
        assertEquals("disabled", Reads.startType("Disabled", false));
    }

    @Test
    void w3cLogsAreCountedByTheHeaderAboveEachLine() throws Exception {
        // A restart wrote a second header block with other columns: sc-status moved.
        JsonNode facts = json("{'utcNow':'2026-12-03T08:00:00Z','iisLog':'C:\\\\inetpub\\\\logs\\\\LogFiles\\\\W3SVC1\\\\u_ex261203.log','lines':["
                + "{'lineNumber':4,'line':'#Fields: date time s-ip cs-method cs-uri-stem sc-status'},"
                + "{'lineNumber':9,'line':'2026-12-03 07:00:00 10.0.0.5 GET /a 403'},"
                + "{'lineNumber':12,'line':'2026-12-03 07:01:00 10.0.0.5 GET /b 200 403'},"
                + "{'lineNumber':20,'line':'#Fields: date time sc-status s-ip cs-method cs-uri-stem'},"
                + "{'lineNumber':25,'line':'2026-12-03 07:30:00 403 10.0.0.5 GET /c'},"
                + "{'lineNumber':26,'line':'2026-12-03 07:31:00 200 10.0.0.5 GET /403'}]}");
        Probes.IisLog log = Probes.iisLog(facts);
        assertEquals(2, log.count403());
        assertTrue(log.sample().contains("/c"));
    }

    @Test
    void installerArgumentsAreQuotedAsWindowsReadsThem() throws Exception {
        assertEquals("/qn ALLUSERS=1", Itms.commandLine(json("['/qn', 'ALLUSERS=1']")));
        assertEquals("/qn \"INSTALLDIR=C:\\Program Files\\IG\"", Itms.commandLine(json("['/qn', 'INSTALLDIR=C:\\\\Program Files\\\\IG']")));
        assertEquals("\"a\\\"b\" \"\"", Itms.commandLine(json("['a\\\"b', '']")));
        assertTrue(Itms.installSucceeded(3010), "msiexec: done, a restart needed");
        assertFalse(Itms.installSucceeded(1603));
    }

    @Test
    void aGatewayIsReadFromItsRawRegistryValuesAndEveryLog() throws Exception {
        ResourceInstance r = resource("internet_gateway", "ig1", "{'externalFqdn':'gw.example.com','listenerPort':443,'servers':[{'fqdn':'smp.example.net'}]}");
        JsonNode raw = json("{'keyExists':true,'values':{'ListenerPort':443,'Servers':['smp.example.net:4726'],'AutoRefresh':1,'StatusReporting':0,"
                + "'Version':'8.8.1'},'service':{'name':'IGService','state':'Stopped','startMode':'Auto'},"
                + "'logs':[{'name':'a.log','lastWriteTimeUtc':'2026-12-03T08:00:00Z','hasRegistrationLine':false},"
                + "{'name':'a1.log','lastWriteTimeUtc':'2026-12-02T08:00:00Z','hasRegistrationLine':true}]}");
        JsonNode a = Itms.gateway(r, raw).attributes();
        assertEquals(json("[{'fqdn':'smp.example.net'}]"), a.get("servers"), "the default port 4726 stays implied");
        assertTrue(a.get("autoRefresh").asBoolean());
        assertFalse(a.has("statusReporting"), "status reporting is an NS setting: the IG's StatusReporting value is not read (KB 216202 step 4)");
        assertTrue(a.get("registered").asBoolean(), "logs rotate: the line may be in an older a*.log");
        assertEquals("stopped", a.get("serviceState").asText());
        assertFalse(Itms.gateway(r, json("{'keyExists':false,'values':null,'service':null,'logs':[]}")).exists());
    }
}

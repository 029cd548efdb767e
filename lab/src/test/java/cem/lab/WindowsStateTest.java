package cem.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Windows' behaviours as the lab's twin models them, one test per behaviour (each names its source in the twin). */
class WindowsStateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Certificates.Issued ROOT = Certificates.rootCa("CN=t root");
    private static final Certificates.Issued INTERMEDIATE = ROOT.issue("CN=t intermediate").ca().eku().build();

    @TempDir
    Path tmp;

    private static WindowsState host() {
        return new WindowsState(null, List.of("Default Web Site", "Reports"), Map.of("W3SVC", "running"));
    }

    private JsonNode importCert(WindowsState s, Certificates.Issued cert, String password) throws Exception {
        Path pfx = tmp.resolve("c" + System.nanoTime() + ".pfx");
        cert.writePfx(pfx, "pw", true);
        ObjectNode args = JSON.createObjectNode().put("pfx", Base64.getEncoder().encodeToString(Files.readAllBytes(pfx))).put("password", password)
                .putNull("friendlyName");
        return s.run("certificate.import", args);
    }

    private String importCert(WindowsState s, Certificates.Issued cert) throws Exception {
        return importCert(s, cert, "pw").path("thumbprint").asText();
    }

    private static ObjectNode binding(String site, String info, int sslFlags, String thumbprint, String parameter, String endpoint) {
        ObjectNode a = JSON.createObjectNode().put("site", site).put("protocol", "https").put("bindingInformation", info).put("sslFlags", sslFlags)
                .put("thumbprint", thumbprint).put("sslEndpointParameter", parameter).put("sslEndpoint", endpoint);
        return a.putNull("sslBindingPath");
    }

    private static ObjectNode removal(String site, String info, String parameter, String endpoint) {
        return JSON.createObjectNode().put("site", site).put("protocol", "https").put("bindingInformation", info)
                .put("sslEndpointParameter", parameter).put("sslEndpoint", endpoint);
    }

    private static ObjectNode rule(String name, String group, String protocol, List<String> localPort, List<String> remoteAddress) {
        ObjectNode a = JSON.createObjectNode().put("name", name).put("group", group).put("displayName", name).put("direction", "Inbound")
                .put("action", "Allow").put("enabled", "True").put("profile", "Any").put("protocol", protocol);
        if (localPort == null) {
            a.putNull("localPort");
        } else {
            localPort.forEach(a.putArray("localPort")::add);
        }
        a.putNull("remotePort");
        remoteAddress.forEach(a.putArray("remoteAddress")::add);
        return a;
    }

    private static JsonNode firewall(WindowsState s, String group) {
        return s.run("windows_firewall_rule.read", JSON.createObjectNode().put("group", group));
    }

    @Test
    void aWrongPasswordFailsWithWindowsText() throws Exception {
        WindowsState s = host();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> importCert(s, ROOT.issue("CN=a").dns("a").build(), "wrong"));
        assertEquals("The specified network password is not correct.", e.getMessage());
        ObjectNode notPfx = JSON.createObjectNode().put("pfx", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3})).put("password", "x");
        assertThrows(IllegalStateException.class, () -> s.run("certificate.import", notPfx));
    }

    @Test
    void aPfxWithItsChainPutsTheIntermediateInCaAndLeavesTheRootOut() throws Exception {
        WindowsState s = host();
        Certificates.Issued leaf = INTERMEDIATE.issue("CN=gw").dns("gw.example.com").build();
        JsonNode r = importCert(s, leaf, "pw");
        String thumb = r.path("thumbprint").asText();
        assertEquals(List.of(CertificateStores.thumbprint(INTERMEDIATE.certificate())), texts(r.path("intermediates")));
        assertEquals(List.of(CertificateStores.thumbprint(ROOT.certificate())), texts(r.path("roots")));
        JsonNode stored = s.snapshot();
        assertTrue(stored.path("caStore").has(CertificateStores.thumbprint(INTERMEDIATE.certificate())), "the intermediate is in LocalMachine\\CA");
        assertFalse(stored.path("caStore").has(CertificateStores.thumbprint(ROOT.certificate())), "the root is added nowhere");
        assertFalse(stored.path("rootStore").has(CertificateStores.thumbprint(ROOT.certificate())));
        JsonNode mine = find(s.run("certificate.read", JSON.createObjectNode()), thumb);
        assertEquals(List.of("PartialChain"), texts(mine.path("chainStatus")), "the root is in no store: the chain does not build");
        s.trustRoot(ROOT.certificate());
        assertEquals(List.of(), texts(find(s.run("certificate.read", JSON.createObjectNode()), thumb).path("chainStatus")));
        assertEquals(thumb, importCert(s, leaf), "imported twice: the same certificate");
        assertEquals(2, s.snapshot().path("certificates").size(), "the seeded ECC certificate and this one");
    }

    @Test
    void aPfxWithTwoKeysIsRefused() throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (String name : List.of("a", "b")) {
            Certificates.Issued c = ROOT.issue("CN=" + name).dns(name).build();
            ks.setKeyEntry(name, c.keys().getPrivate(), "pw".toCharArray(), new java.security.cert.Certificate[] {c.certificate()});
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ks.store(out, "pw".toCharArray());
        ObjectNode args = JSON.createObjectNode().put("pfx", Base64.getEncoder().encodeToString(out.toByteArray())).put("password", "pw")
                .putNull("friendlyName");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> host().run("certificate.import", args));
        assertEquals("The PFX holds more than one certificate with a private key.", e.getMessage());
    }

    @Test
    void everyHostHoldsAnEcdsaCertificateListedRaw() throws Exception {
        JsonNode list = host().run("certificate.read", JSON.createObjectNode());
        assertEquals(1, list.size());
        JsonNode ecc = list.get(0);
        X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(ecc.path("rawData").asText())));
        assertEquals("EC", parsed.getPublicKey().getAlgorithm());
        assertEquals(CertificateStores.thumbprint(parsed), ecc.path("thumbprint").asText());
        assertTrue(ecc.path("hasPrivateKey").asBoolean());
        assertEquals(List.of("UntrustedRoot"), texts(ecc.path("chainStatus")), "self-signed, not in Root");
    }

    @Test
    void bindingsAreListedRawWithNetTcpNetPipeAndIpv6() {
        WindowsState s = host();
        JsonNode empty = JSON.createObjectNode();
        s.run("iis_binding.set", binding("Reports", "[::]:8443:", 0, null, null, null));
        JsonNode read = s.run("iis_binding.read", empty);
        JsonNode site = read.path("sites").get(0);
        assertEquals("Default Web Site", site.path("name").asText());
        assertEquals(1, site.path("id").asInt());
        List<String> infos = new ArrayList<>();
        site.path("bindings").forEach(b -> infos.add(b.path("protocol").asText() + " " + b.path("bindingInformation").asText()));
        assertEquals(List.of("http *:80:", "net.tcp 808:*", "net.pipe *"), infos);
        assertEquals("[::]:8443:", read.at("/sites/1/bindings/0/bindingInformation").asText());
        assertEquals(2, read.at("/sites/1/id").asInt());
    }

    @Test
    void httpSysAddOnAnExistingRecordFailsWith183AndUpdateOnAMissingOneFails() throws Exception {
        WindowsState s = host();
        String tp = importCert(s, ROOT.issue("CN=a").dns("a").build());
        ObjectNode state = JSON.createObjectNode();
        state.putObject("sslBindings");
        Iis.netshAdd(state, "ipport", "0.0.0.0:443", tp);
        IllegalStateException add = assertThrows(IllegalStateException.class, () -> Iis.netshAdd(state, "ipport", "0.0.0.0:443", tp));
        assertEquals("SSL Certificate add failed, Error: 183 Cannot create a file when that file already exists.", add.getMessage());
        IllegalStateException update = assertThrows(IllegalStateException.class, () -> Iis.netshUpdate(state, "hostnameport", "a:443", tp));
        assertTrue(update.getMessage().startsWith("SSL Certificate update failed, Error: 2"), update.getMessage());
        // The op reads first: add when missing, nothing when equal, update when different.
        assertEquals("added", s.run("iis_binding.set", binding("Default Web Site", "*:443:", 0, tp, "ipport", "0.0.0.0:443")).path("ssl").asText());
        JsonNode again = s.run("iis_binding.set", binding("Default Web Site", "*:443:", 0, tp, "ipport", "0.0.0.0:443"));
        assertEquals("unchanged", again.path("ssl").asText());
        assertFalse(again.path("created").asBoolean());
        String other = importCert(s, ROOT.issue("CN=b").dns("b").build());
        assertEquals("updated", s.run("iis_binding.set", binding("Default Web Site", "*:443:", 0, other, "ipport", "0.0.0.0:443")).path("ssl").asText());
        JsonNode record = s.run("iis_binding.read", JSON.createObjectNode()).path("sslBindings").get(0);
        assertEquals("0.0.0.0", record.path("ipAddress").asText());
        assertEquals(443, record.path("port").asInt());
        assertEquals("", record.path("host").asText());
        assertEquals(other, record.path("thumbprint").asText());
    }

    @Test
    void sniBindingsHaveAHostnamePortRecord() throws Exception {
        WindowsState s = host();
        String tp = importCert(s, ROOT.issue("CN=r").dns("reports.example.net").build());
        s.run("iis_binding.set", binding("Reports", "*:443:reports.example.net", 1, tp, "hostnameport", "reports.example.net:443"));
        JsonNode read = s.run("iis_binding.read", JSON.createObjectNode());
        assertEquals(1, read.at("/sites/1/bindings/0/sslFlags").asInt());
        assertEquals("reports.example.net", read.at("/sslBindings/0/host").asText());
    }

    @Test
    void removingABindingWithoutItsEndpointKeepsTheSharedRecord() throws Exception {
        WindowsState s = host();
        String tp = importCert(s, ROOT.issue("CN=a").dns("a").build());
        s.run("iis_binding.set", binding("Default Web Site", "*:443:", 0, tp, "ipport", "0.0.0.0:443"));
        s.run("iis_binding.set", binding("Reports", "*:443:reports.example.net", 0, tp, "ipport", "0.0.0.0:443"));
        JsonNode r = s.run("iis_binding.remove", removal("Reports", "*:443:reports.example.net", null, null));
        assertTrue(r.path("removed").asBoolean());
        assertFalse(r.path("sslRemoved").asBoolean());
        assertEquals(tp, s.sslCertificate("0.0.0.0:443"), "the record the default site uses stays");
        JsonNode wildcard = s.run("iis_binding.remove", removal("Default Web Site", "*:443:x", null, null));
        assertFalse(wildcard.path("removed").asBoolean(), "exact match only: '*:443:x' is not '*:443:'");
        // Asked to, the twin deletes a record another binding still uses: that binding is left without a certificate.
        JsonNode forced = s.run("iis_binding.remove", removal("Reports", "*:443:none", "ipport", "0.0.0.0:443"));
        assertTrue(forced.path("sslRemoved").asBoolean());
        assertEquals("", s.sslCertificate("0.0.0.0:443"));
        assertEquals("*:443:", s.run("iis_binding.read", JSON.createObjectNode()).at("/sites/0/bindings/3/bindingInformation").asText());
    }

    @Test
    void certificateErrorsStayAsTheyWere() throws Exception {
        WindowsState s = host();
        String clientOnly = importCert(s, ROOT.issue("CN=b").dns("b").eku(KeyPurposeId.id_kp_clientAuth).build());
        IllegalStateException eku = assertThrows(IllegalStateException.class,
                () -> s.run("iis_binding.set", binding("Default Web Site", "*:4726:", 0, clientOnly, "ipport", "0.0.0.0:4726")));
        assertTrue(eku.getMessage().contains("Server Authentication"), eku.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> s.run("iis_binding.set", binding("Default Web Site", "*:443:", 0, "00".repeat(20), "ipport", "0.0.0.0:443")));
        assertTrue(missing.getMessage().contains("LocalMachine\\My"), missing.getMessage());
        IllegalStateException site = assertThrows(IllegalStateException.class,
                () -> s.run("iis_binding.set", binding("Nope", "*:443:", 0, null, null, null)));
        assertEquals("Cannot find path 'IIS:\\Sites\\Nope' because it does not exist.", site.getMessage());
    }

    @Test
    void firewallPortsAreStringsWithAnyAndKeywords() {
        WindowsState s = host();
        assertTrue(s.run("windows_firewall_rule.set", rule("cem-rpc", "cem", "TCP", List.of("rpc", "1000-2000", "4726"), List.of("Any")))
                .path("created").asBoolean());
        s.run("windows_firewall_rule.set", rule("cem-any", "cem", "UDP", null, List.of("*")));
        JsonNode rules = firewall(s, "cem");
        assertEquals("cem-any", rules.at("/0/name").asText());
        assertEquals(List.of("Any"), texts(rules.at("/0/localPort")));
        assertEquals(List.of("Any"), texts(rules.at("/0/remotePort")));
        assertEquals(List.of("Any"), texts(rules.at("/0/remoteAddress")));
        assertEquals(List.of("RPC", "1000-2000", "4726"), texts(rules.at("/1/localPort")));
        assertTrue(rules.at("/1/localPort/2").isTextual());
        assertEquals("True", rules.at("/1/enabled").asText());
        assertEquals("Inbound", rules.at("/1/direction").asText());
        IllegalStateException icmp = assertThrows(IllegalStateException.class,
                () -> s.run("windows_firewall_rule.set", rule("cem-ping", "cem", "ICMPv4", List.of("80"), List.of("Any"))));
        assertTrue(icmp.getMessage().contains("TCP and UDP"), icmp.getMessage());
    }

    @Test
    void addressesComeBackInMaskNotationOrAsKeywords() {
        WindowsState s = host();
        s.run("windows_firewall_rule.set", rule("cem-in", "cem", "TCP", List.of("443"),
                List.of("10.0.0.0/8", "192.0.2.7/32", "192.0.2.0/255.255.255.0", "localsubnet", "dns", "2001:db8::/32", "198.51.100.1-198.51.100.9")));
        assertEquals(List.of("10.0.0.0/255.0.0.0", "192.0.2.7", "192.0.2.0/255.255.255.0", "LocalSubnet", "DNS", "2001:db8::/32",
                "198.51.100.1-198.51.100.9"), texts(firewall(s, "cem").at("/0/remoteAddress")));
        assertEquals(List.of("Any"), texts(firewall(s, "cem").at("/0/localAddress")));
    }

    @Test
    void setRenamesWithNewDisplayNameKeepsUnsetPortsAndReplacesGivenValues() {
        WindowsState s = host();
        s.run("windows_firewall_rule.set", rule("cem-in", "cem", "TCP", List.of("443", "4726"), List.of("10.0.0.0/8", "DNS")));
        ObjectNode change = rule("cem-in", "cem", "TCP", null, List.of("192.0.2.0/24"));
        change.put("displayName", "Agents in (renamed)").put("enabled", "False");
        JsonNode r = s.run("windows_firewall_rule.set", change);
        assertFalse(r.path("created").asBoolean());
        JsonNode rule = firewall(s, "cem").get(0);
        assertEquals("cem-in", rule.path("name").asText(), "the Name never changes");
        assertEquals("Agents in (renamed)", rule.path("displayName").asText());
        assertEquals("False", rule.path("enabled").asText());
        assertEquals(List.of("443", "4726"), texts(rule.path("localPort")), "a null port leaves the ports as they were");
        assertEquals(List.of("192.0.2.0/255.255.255.0"), texts(rule.path("remoteAddress")), "given values replace the old ones");
        s.run("windows_firewall_rule.set", rule("cem-in", "cem", "TCP", List.of("8443"), List.of("Any")));
        assertEquals(List.of("8443"), texts(firewall(s, "cem").at("/0/localPort")));
    }

    @Test
    void anotherGroupsRuleIsRefusedAndNotRemoved() {
        WindowsState s = host();
        s.run("windows_firewall_rule.set", rule("WINRM-HTTP-In-TCP", "Windows Remote Management", "TCP", List.of("5985"), List.of("Any")));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> s.run("windows_firewall_rule.set", rule("WINRM-HTTP-In-TCP", "cem", "TCP", List.of("1"), List.of("Any"))));
        assertTrue(e.getMessage().contains("not to cem's group \"cem\""), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> s.run("windows_firewall_rule.remove", JSON.createObjectNode().put("name", "WINRM-HTTP-In-TCP").put("group", "cem")));
        JsonNode gone = s.run("windows_firewall_rule.remove", JSON.createObjectNode().put("name", "cem-none").put("group", "cem"));
        assertFalse(gone.path("removed").asBoolean());
        assertEquals(1, firewall(s, "Windows Remote Management").size());
        assertEquals(0, firewall(s, "cem").size());
    }

    @Test
    void servicesFollowScConfigAndStartService() {
        WindowsState s = host();
        ObjectNode names = JSON.createObjectNode();
        names.putArray("names").add("W3SVC").add("NoSuch");
        JsonNode w3svc = s.run("windows_service.read", names);
        assertEquals(1, w3svc.size(), "a missing service is absent");
        assertEquals("Running", w3svc.at("/0/state").asText());
        assertEquals("World Wide Web Publishing Service", w3svc.at("/0/displayName").asText());
        s.run("windows_service.set", JSON.createObjectNode().put("name", "W3SVC").put("startMode", "delayed-auto").putNull("state"));
        JsonNode delayed = s.run("windows_service.read", names).get(0);
        assertEquals("Auto", delayed.path("startMode").asText());
        assertTrue(delayed.path("delayedAutoStart").asBoolean());
        s.run("windows_service.set", JSON.createObjectNode().put("name", "W3SVC").put("startMode", "auto").putNull("state"));
        assertFalse(s.run("windows_service.read", names).get(0).path("delayedAutoStart").asBoolean(), "auto clears the flag");
        s.run("windows_service.set", JSON.createObjectNode().put("name", "W3SVC").put("startMode", "disabled").put("state", "stopped"));
        IllegalStateException start = assertThrows(IllegalStateException.class,
                () -> s.run("windows_service.set", JSON.createObjectNode().put("name", "W3SVC").putNull("startMode").put("state", "running")));
        assertTrue(start.getMessage().startsWith("Service 'World Wide Web Publishing Service (W3SVC)' cannot be started"), start.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> s.run("windows_service.set", JSON.createObjectNode().put("name", "NoSuch").putNull("startMode").put("state", "running")));
        assertEquals("Cannot find any service with service name 'NoSuch'.", missing.getMessage());
    }

    @Test
    void w3cHeadersAppearAtTheTopAndAfterEachRestart() {
        WindowsState s = host();
        ObjectNode args = JSON.createObjectNode().put("iisLogRoot", "C:\\inetpub\\logs\\LogFiles");
        s.change(st -> Iis.append403(st, 3));
        JsonNode facts = s.run("host.facts", args);
        assertTrue(facts.path("iisLog").asText().startsWith("C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex"), facts.toString());
        List<Integer> fields = new ArrayList<>();
        int answered403 = 0;
        int status = -1;
        for (JsonNode l : facts.path("lines")) {
            String line = l.path("line").asText();
            if (line.startsWith("#Fields:")) {
                fields.add(l.path("lineNumber").asInt());
                status = List.of(line.substring(8).trim().split(" ")).indexOf("sc-status");
            } else if (line.split(" ")[status].equals("403")) {
                answered403++;
            }
        }
        assertEquals(4, fields.get(0), "#Software, #Version, #Date, then #Fields at the top");
        assertEquals(3, fields.size(), "and again after each restart");
        assertEquals(3, answered403, "the 403 answers, counted with the header in force (the decoy's time-taken 403 is no answer)");
        assertEquals(4, facts.path("lines").size() - fields.size(), "Select-String's candidates include the decoy");
        JsonNode elsewhere = s.run("host.facts", JSON.createObjectNode().put("iisLogRoot", "D:\\logs"));
        assertEquals("", elsewhere.path("iisLog").asText());
    }

    @Test
    void theGatewayIsInstalledSetAndRestartedOnlyWhenAsked() {
        WindowsState s = host();
        String key = "HKLM:\\SOFTWARE\\Symantec\\Internet Gateway";
        ObjectNode read = JSON.createObjectNode().put("settingsKey", key).put("serviceDisplayName", WindowsState.IG_SERVICE)
                .put("logDirectory", InternetGateway.LOG_DIRECTORY).put("registrationLine", WindowsState.REGISTERED);
        JsonNode before = s.run("internet_gateway.read", read);
        assertFalse(before.path("keyExists").asBoolean());
        assertTrue(before.path("service").isNull(), "no IG, no IG service");
        assertTrue(before.path("values").isNull());
        ObjectNode install = JSON.createObjectNode().put("settingsKey", key).put("package", "C:\\Installers\\ig-reboot.msi").putNull("arguments")
                .put("policyKey", "HKLM:\\SOFTWARE\\cem");
        assertEquals(3010, s.run("internet_gateway.install", install).path("exitCode").asInt());
        assertTrue(s.run("internet_gateway.install", install).path("alreadyInstalled").asBoolean());
        ObjectNode set = JSON.createObjectNode().put("settingsKey", key).put("serviceDisplayName", WindowsState.IG_SERVICE)
                .put("backupDirectory", "C:\\ProgramData\\cem\\ig-backups").put("keepBackups", 2).put("listenerPort", 8443)
                .put("autoRefresh", 1).put("restartService", false);
        set.putArray("servers").add("smp.example.net:4726");
        s.run("internet_gateway.set", set);
        JsonNode after = s.run("internet_gateway.read", read);
        assertEquals(8443, after.at("/values/ListenerPort").asInt());
        assertEquals("smp.example.net:4726", after.at("/values/Servers/0").asText());
        assertEquals("Stopped", after.at("/service/state").asText(), "no hidden start of a stopped service");
        set.put("restartService", true);
        s.run("internet_gateway.set", set);
        JsonNode running = s.run("internet_gateway.read", read);
        assertEquals("Running", running.at("/service/state").asText());
        assertEquals("a.log", running.at("/logs/0/name").asText());
        assertTrue(running.at("/logs/0/hasRegistrationLine").asBoolean());
        set.put("keepBackups", 2);
        s.run("internet_gateway.set", set);
        assertEquals(2, s.snapshot().path("files").path("C:\\ProgramData\\cem\\ig-backups").size(), "the newest backups are kept");
        ObjectNode restore = JSON.createObjectNode().put("settingsKey", key).put("serviceDisplayName", WindowsState.IG_SERVICE)
                .put("backupDirectory", "C:\\ProgramData\\cem\\ig-backups").putNull("backup");
        assertTrue(s.run("internet_gateway.restore", restore).path("restored").asText().matches("[0-9TZ]+"));
        ObjectNode failing = JSON.createObjectNode().put("settingsKey", "HKLM:\\SOFTWARE\\Other").put("package", "C:\\Installers\\x-fail.msi").putNull("arguments")
                .put("policyKey", "HKLM:\\SOFTWARE\\cem");
        s.change(st -> st.with("registry").putObject("HKLM:\\SOFTWARE\\cem").put("InstallerDirectory", "C:\\Installers"));
        assertEquals(1603, s.run("internet_gateway.install", failing).path("exitCode").asInt());
        failing.put("package", "D:\\elsewhere\\ig.msi");
        IllegalStateException confined = assertThrows(IllegalStateException.class, () -> s.run("internet_gateway.install", failing));
        assertTrue(confined.getMessage().startsWith("This host allows installers only from C:\\Installers\\"), confined.getMessage());
    }

    @Test
    void theGatewayLogRotates() {
        WindowsState s = host();
        s.run("internet_gateway.install", JSON.createObjectNode().put("settingsKey", "HKLM:\\x").put("package", "ig.msi").putNull("arguments")
                .put("policyKey", "HKLM:\\SOFTWARE\\cem"));
        s.change(st -> {
            for (int i = 0; i < InternetGateway.LOG_LINES + 1; i++) {
                InternetGateway.log(st, "line " + i);
            }
        });
        ObjectNode read = JSON.createObjectNode().put("settingsKey", "HKLM:\\x").put("serviceDisplayName", WindowsState.IG_SERVICE)
                .put("logDirectory", InternetGateway.LOG_DIRECTORY).put("registrationLine", WindowsState.REGISTERED);
        JsonNode logs = s.run("internet_gateway.read", read).path("logs");
        assertEquals(List.of("a.log", "a1.log"), List.of(logs.at("/0/name").asText(), logs.at("/1/name").asText()));
    }

    @Test
    void anOlderStateFileIsReplacedAndTheNewOneKeptWithItsFormat() throws Exception {
        Path file = tmp.resolve("ns.json");
        Files.writeString(file, "{\"certificates\":{},\"sites\":{}}");
        WindowsState s = new WindowsState(file, List.of("Default Web Site"), Map.of("W3SVC", "running"));
        assertEquals(3, s.snapshot().at("/sites/Default Web Site/bindings").size(), "started afresh");
        s.run("windows_service.set", JSON.createObjectNode().put("name", "W3SVC").putNull("startMode").put("state", "stopped"));
        assertTrue(Files.readString(file).contains("\"format\" : 2"));
        WindowsState reloaded = new WindowsState(file, List.of(), Map.of());
        assertFalse(reloaded.running("W3SVC"), "kept in the lab directory");
    }

    private static JsonNode find(JsonNode list, String thumbprint) {
        for (JsonNode c : list) {
            if (c.path("thumbprint").asText().equals(thumbprint)) {
                return c;
            }
        }
        throw new AssertionError("no certificate " + thumbprint + " in " + list);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a simulated Windows host holds — LocalMachine\My, IIS sites and bindings, HTTP.SYS SSL
 * bindings, the firewall rules of group cem, services — and the agent's ops on it, with Windows'
 * rules and error texts. Kept as JSON in the lab directory so successive commands see one host.
 */
public final class WindowsState {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private final Path file;
    private ObjectNode state;
    /**
     * What peers may see of this host without taking its lock: a copy made after every change.
     * Hosts ask each other (an NS asks its gateways whether they report Online; an agent asks its
     * NS); with locks on both sides, two NSs asking each other at once would deadlock.
     */
    private volatile JsonNode published = JSON.createObjectNode();
    /** The other hosts of the lab, for what the NS sees of its gateways (their status reports). */
    private java.util.function.Supplier<java.util.Collection<WindowsState>> peers = java.util.List::of;

    /** @param file where the host's state is kept, or null to keep it in memory */
    public WindowsState(Path file, List<String> sites, Map<String, String> services) {
        this.file = file;
        ObjectNode loaded = null;
        if (file != null && Files.exists(file)) {
            try {
                loaded = (ObjectNode) JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (loaded == null) {
            loaded = JSON.createObjectNode();
            loaded.putObject("certificates");
            ObjectNode s = loaded.putObject("sites");
            sites.forEach(name -> s.putObject(name).putArray("bindings"));
            loaded.putObject("sslBindings");
            loaded.putObject("firewall");
            ObjectNode svc = loaded.putObject("services");
            new java.util.TreeMap<>(services).forEach((name, st) -> svc.putObject(name).put("state", st).put("startType", "automatic"));
        }
        this.state = loaded;
        this.published = loaded.deepCopy();
    }

    /** Whether %ProgramData%\\cem holds the agent module with this SHA-256. */
    public synchronized boolean agentInstalled(String sha256) {
        return state.path("programData").has("cem\\agent-" + sha256 + ".psm1");
    }

    /** Installs the agent module (replacing any other version), as install.ps1 does. */
    public synchronized void installAgent(String sha256) {
        ObjectNode dir = state.putObject("programData");
        dir.put("cem\\agent-" + sha256 + ".psm1", sha256);
        save();
    }

    /** Deletes %ProgramData%\\cem; true when it was there. */
    public synchronized boolean removeAgent() {
        boolean had = state.path("programData").size() > 0;
        state.remove("programData");
        save();
        return had;
    }

    /** Where this host's state is kept. */
    public Path file() {
        return file;
    }

    /** Lets this host see the others (the NS receives its gateways' status reports). */
    public void peers(java.util.function.Supplier<java.util.Collection<WindowsState>> others) {
        this.peers = others;
    }

    /** The fault {@code cem lab fault --gateway-offline} sets: the gateway's status reports never reach the NS. */
    public static final String GATEWAY_OFFLINE = "gatewayOffline";

    /** Whether this host is a gateway that reports to the NS as Online under this external name. */
    boolean reportsOnline(String externalFqdn) {
        JsonNode state = published;
        JsonNode g = state.path("gateway");
        boolean registered = false;
        for (JsonNode line : g.path("log")) {
            registered |= line.asText().contains(REGISTERED);
        }
        if (state.path("faults").path(GATEWAY_OFFLINE).asBoolean()) {
            return false; // an injected fault: the gateway cannot reach its NS (a proxy or firewall between them)
        }
        return g.path("installed").asBoolean() && g.path("externalFqdn").asText().equalsIgnoreCase(externalFqdn)
                && g.path("statusReporting").asBoolean() && registered
                && state.path("services").path(IG_SERVICE).path("state").asText().equals("running");
    }

    /** A copy of the whole state (for tests and drift). */
    public synchronized ObjectNode snapshot() {
        return state.deepCopy();
    }

    /** Changes the state out of band (drift), as an administrator at the console would. */
    public synchronized void change(java.util.function.Consumer<ObjectNode> edit) {
        edit.accept(state);
        save();
    }

    /** Runs one op; returns its data, or throws with Windows' message. */
    public synchronized JsonNode run(String op, JsonNode args) {
        JsonNode data = switch (op) {
            case "certificate.read" -> values(state.get("certificates"));
            case "certificate.import" -> importPfx(args);
            case "certificate.remove" -> {
                state.with("certificates").remove(args.path("thumbprint").asText().toUpperCase(Locale.ROOT));
                yield JSON.createObjectNode().put("removed", args.path("thumbprint").asText());
            }
            case "iis_binding.read" -> readBindings();
            case "iis_binding.set" -> setBinding(args);
            case "iis_binding.remove" -> removeBinding(args);
            case "windows_firewall_rule.read" -> values(state.get("firewall"));
            case "windows_firewall_rule.set" -> {
                ObjectNode rule = ((ObjectNode) args).deepCopy();
                state.with("firewall").set(args.path("ruleName").asText(), rule);
                yield JSON.createObjectNode().put("ruleName", args.path("ruleName").asText());
            }
            case "windows_firewall_rule.remove" -> {
                state.with("firewall").remove(args.path("ruleName").asText());
                yield JSON.createObjectNode().put("ruleName", args.path("ruleName").asText());
            }
            case "windows_service.read" -> readServices(args);
            case "windows_service.set" -> setService(args);
            case "internet_gateway.read" -> readGateway();
            case "internet_gateway.set" -> setGateway(args);
            case "internet_gateway.install" -> {
                String pkg = args.path("package").asText("").toLowerCase(Locale.ROOT);
                if (!pkg.endsWith(".msi") && !pkg.endsWith(".exe")) {
                    throw new IllegalStateException("This command cannot be run due to the error: The system cannot find the file specified.");
                }
                gateway().put("installed", true).put("version", "8.8.1");
                yield JSON.createObjectNode().put("installed", true);
            }
            case "internet_gateway.restore" -> restoreGateway(args);
            case "resource_target.read" -> readTargets(args);
            case "resource_target.set" -> setTarget(args);
            case "resource_target.remove" -> {
                ns().with("targets").remove(args.path("name").asText());
                yield JSON.createObjectNode().put("name", args.path("name").asText());
            }
            case "cem_policy.read" -> readPolicy(args);
            case "cem_policy.set" -> setPolicy(args);
            case "site_server.read" -> {
                ArrayNode out = JSON.createArrayNode();
                for (JsonNode n : args.path("names")) {
                    JsonNode server = ns().path("siteServers").get(n.asText().toLowerCase(Locale.ROOT));
                    if (server != null) {
                        out.add(server.deepCopy());
                    }
                }
                yield out;
            }
            case "site_server.set" -> {
                ObjectNode server = ns().with("siteServers").putObject(args.path("serverFqdn").asText().toLowerCase(Locale.ROOT));
                server.put("serverFqdn", args.path("serverFqdn").asText()).put("cemRole", args.path("cemRole").asBoolean(true));
                server.set("communicationHosts", args.path("communicationHosts").deepCopy());
                yield JSON.createObjectNode().put("serverFqdn", args.path("serverFqdn").asText());
            }
            case "offline_package.generate" -> {
                ObjectNode policy = (ObjectNode) ns().path("policies").path(DEFAULT_POLICY);
                String content = "CEM offline package (lab)\ngateways: " + policy.path("gateways") + "\n";
                yield JSON.createObjectNode().put("package", Base64.getEncoder().encodeToString(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            case "cem_certificate.read" -> ns().withArray("revocations").deepCopy();
            case "cem_certificate.revoke" -> {
                ArrayNode revoked = ns().withArray("revocations");
                boolean known = false;
                for (JsonNode r : revoked) {
                    known |= r.path("thumbprint").asText().equalsIgnoreCase(args.path("thumbprint").asText())
                            && r.path("computer").asText().equalsIgnoreCase(args.path("computer").asText());
                }
                if (!known) {
                    revoked.addObject().put("computer", args.path("computer").asText()).put("thumbprint", args.path("thumbprint").asText());
                }
                yield JSON.createObjectNode().put("revoked", true);
            }
            case "host.facts" -> JSON.createObjectNode()
                    .put("utcNow", java.time.Instant.now().plusSeconds(state.path("clockSkewSeconds").asLong()).toString())
                    .put("iisLog", "C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex261127.log")
                    .put("iis403", state.path("iis403").asInt())
                    .put("iis403Sample", state.path("iis403").asInt() == 0 ? ""
                            : "2026-11-27 08:00:00 10.0.0.5 GET /Altiris/NS/Agent/GetClientPolicies.aspx - 4726 - 198.51.100.20 - - 403 7 5 15");
            case "agent.status" -> agentStatus();
            default -> throw new IllegalArgumentException("Unknown op " + op);
        };
        if (!op.endsWith(".read") && !op.equals("host.facts") && !op.equals("agent.status")) {
            save();
        }
        return data;
    }

    private ArrayNode values(JsonNode map) {
        ArrayNode out = JSON.createArrayNode();
        map.forEach(out::add);
        return out;
    }

    /** A PFX as opened: its leaf, and its key and chain when it has one. */
    private record Opened(X509Certificate leaf, java.security.Key key, java.security.cert.Certificate[] chain) {}

    /** PFX files already opened (opening one costs a PBKDF2 run, and many hosts import the same PFX at once). */
    private static final cem.cert.PfxCache<Opened> OPENED = new cem.cert.PfxCache<>();

    private static Opened open(byte[] pfx, String password) throws Exception {
        return OPENED.get(pfx, password, () -> openUncached(pfx, password));
    }

    private static Opened openUncached(byte[] pfx, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(pfx), password.toCharArray());
        String alias = null;
        for (String a : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(a) || alias == null) {
                alias = a;
            }
        }
        return ks.isKeyEntry(alias)
                ? new Opened((X509Certificate) ks.getCertificateChain(alias)[0], ks.getKey(alias, password.toCharArray()), ks.getCertificateChain(alias))
                : new Opened((X509Certificate) ks.getCertificate(alias), null, null);
    }

    private JsonNode importPfx(JsonNode args) {
        byte[] pfx = Base64.getDecoder().decode(args.path("pfx").asText());
        X509Certificate leaf;
        boolean key;
        try {
            Opened opened = open(pfx, args.path("password").asText(""));
            leaf = opened.leaf();
            key = opened.key() != null;
            if (key && file != null && file.getParent() != null) {
                // The machine key store: the lab presents this certificate in real TLS handshakes (LabKeys).
                String tp = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(leaf.getEncoded()));
                LabKeys.keep(file.getParent(), tp, opened.key(), opened.chain());
            }
        } catch (IOException e) {
            throw new IllegalStateException("The specified network password is not correct.");
        } catch (Exception e) {
            throw new IllegalStateException("Cannot find the requested object.");
        }
        try {
            String thumbprint = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(leaf.getEncoded()));
            ObjectNode c = JSON.createObjectNode();
            c.put("thumbprint", thumbprint);
            c.put("subject", leaf.getSubjectX500Principal().getName());
            ArrayNode dns = c.putArray("dnsNames");
            if (leaf.getSubjectAlternativeNames() != null) {
                leaf.getSubjectAlternativeNames().forEach(san -> {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        dns.add(String.valueOf(san.get(1)));
                    }
                });
            }
            ArrayNode ekus = c.putArray("ekus");
            if (leaf.getExtendedKeyUsage() != null) {
                leaf.getExtendedKeyUsage().forEach(ekus::add);
            }
            c.put("keyAlgorithm", leaf.getPublicKey().getAlgorithm().equals("EC") ? "ECC" : "RSA");
            c.put("signatureAlgorithm", leaf.getSigAlgName().toLowerCase(Locale.ROOT).replace("with", ""));
            c.put("notBefore", leaf.getNotBefore().toInstant().toString());
            c.put("notAfter", leaf.getNotAfter().toInstant().toString());
            c.put("hasPrivateKey", key);
            c.put("friendlyName", args.path("friendlyName").asText(""));
            c.put("chainOk", true);
            state.with("certificates").set(thumbprint, c);
            return JSON.createObjectNode().put("thumbprint", thumbprint);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot find the requested object.");
        }
    }

    private JsonNode readBindings() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode bindings = out.putArray("bindings");
        state.get("sites").fields().forEachRemaining(site -> site.getValue().path("bindings").forEach(b -> {
            ObjectNode copy = ((ObjectNode) b).deepCopy();
            copy.put("site", site.getKey());
            String endpoint = endpoint(b);
            JsonNode ssl = state.get("sslBindings").get(endpoint);
            copy.put("thumbprint", b.path("protocol").asText().equals("https") && ssl != null ? ssl.path("thumbprint").asText() : "");
            bindings.add(copy);
        }));
        ArrayNode ssl = out.putArray("sslBindings");
        state.get("sslBindings").fields().forEachRemaining(e -> ssl.add(((ObjectNode) e.getValue().deepCopy()).put("endpoint", e.getKey())));
        return out;
    }

    private static String endpoint(JsonNode b) {
        String ip = b.path("ip").asText("*");
        return b.path("sni").asBoolean(false) ? b.path("hostHeader").asText() + ":" + b.path("port").asInt()
                : (ip.equals("*") ? "0.0.0.0" : ip) + ":" + b.path("port").asInt();
    }

    private static String bindingInformation(JsonNode b) {
        return b.path("ip").asText("*") + ":" + b.path("port").asInt() + ":" + b.path("hostHeader").asText("");
    }

    private JsonNode setBinding(JsonNode a) {
        String site = a.path("site").asText();
        JsonNode siteNode = state.get("sites").get(site);
        if (siteNode == null) {
            throw new IllegalStateException("Cannot find path 'IIS:\\Sites\\" + site + "' because it does not exist.");
        }
        String info = bindingInformation(a);
        String protocol = a.path("protocol").asText("https");
        ObjectNode mine = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = state.get("sites").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> s = it.next();
            for (JsonNode b : s.getValue().path("bindings")) {
                if (b.path("protocol").asText().equals(protocol) && bindingInformation(b).equalsIgnoreCase(info)) {
                    if (!s.getKey().equals(site)) {
                        throw new IllegalStateException("Cannot add duplicate collection entry of type 'binding' with combined key attributes "
                                + "'protocol, bindingInformation' respectively set to '" + protocol + ", " + info + "'");
                    }
                    mine = (ObjectNode) b;
                }
            }
        }
        String thumbprint = a.path("thumbprint").asText("").toUpperCase(Locale.ROOT);
        if (protocol.equals("https") && !thumbprint.isEmpty()) {
            JsonNode cert = state.get("certificates").get(thumbprint);
            if (cert == null) {
                throw new IllegalStateException("Cannot find the certificate with thumbprint " + thumbprint + " in store LocalMachine\\My.");
            }
            if (!cert.path("hasPrivateKey").asBoolean()) {
                throw new IllegalStateException("A specified logon session does not exist. It may already have been terminated. (0x80070520)");
            }
            boolean serverAuth = false;
            for (JsonNode e : cert.path("ekus")) {
                serverAuth |= e.asText().equals(SERVER_AUTH);
            }
            if (!serverAuth) {
                throw new IllegalStateException("SSL Certificate add failed, Error: 1312 — the certificate " + thumbprint
                        + " does not have the Server Authentication enhanced key usage.");
            }
        }
        if (mine == null) {
            mine = ((ArrayNode) siteNode.get("bindings")).addObject();
        }
        mine.put("protocol", protocol).put("ip", a.path("ip").asText("*")).put("port", a.path("port").asInt())
                .put("hostHeader", a.path("hostHeader").asText("")).put("sni", a.path("sni").asBoolean(false));
        if (protocol.equals("https") && !thumbprint.isEmpty()) {
            state.with("sslBindings").putObject(endpoint(mine)).put("thumbprint", thumbprint).put("store", "My");
        }
        return JSON.createObjectNode().put("site", site);
    }

    private JsonNode removeBinding(JsonNode a) {
        String site = a.path("site").asText();
        JsonNode siteNode = state.get("sites").get(site);
        if (siteNode != null) {
            ArrayNode bindings = (ArrayNode) siteNode.get("bindings");
            for (int i = bindings.size() - 1; i >= 0; i--) {
                JsonNode b = bindings.get(i);
                if (b.path("protocol").asText().equals(a.path("protocol").asText("https"))
                        && bindingInformation(b).equalsIgnoreCase(bindingInformation(a))) {
                    bindings.remove(i);
                    if (!stillUsed(endpoint(b))) {
                        state.with("sslBindings").remove(endpoint(b));
                    }
                }
            }
        }
        return JSON.createObjectNode().put("site", site);
    }

    private boolean stillUsed(String endpoint) {
        for (JsonNode s : state.get("sites")) {
            for (JsonNode b : s.path("bindings")) {
                if (b.path("protocol").asText().equals("https") && endpoint(b).equals(endpoint)) {
                    return true;
                }
            }
        }
        return false;
    }

    static final String IG_SERVICE = "Symantec Internet Gateway Service";
    static final String DEFAULT_POLICY = "Cloud-enabled Management Settings";
    static final String REGISTERED = "Internet Gateway successfully registered with Notification Server";

    /** The Internet Gateway as installed on this lab host (every lab host has one, not yet configured). */
    private ObjectNode gateway() {
        if (!state.has("gateway")) {
            ObjectNode g = state.putObject("gateway");
            g.put("installed", false).put("version", "").put("listenerPort", 443).put("autoRefresh", true).put("statusReporting", false);
            g.putArray("servers");
            g.putArray("log");
        }
        return (ObjectNode) state.get("gateway");
    }

    private JsonNode readGateway() {
        ObjectNode g = gateway().deepCopy();
        JsonNode service = state.path("services").path(IG_SERVICE);
        g.put("serviceState", service.isMissingNode() ? "missing" : service.path("state").asText());
        boolean registered = false;
        for (JsonNode line : g.path("log")) {
            registered |= line.asText().contains(REGISTERED);
        }
        g.put("registered", registered);
        g.remove("log");
        return g;
    }

    private JsonNode restoreGateway(JsonNode a) {
        ObjectNode g = gateway();
        ArrayNode backups = g.withArray("backups");
        if (backups.isEmpty()) {
            throw new IllegalStateException("There is no backup of the Internet Gateway settings on this host.");
        }
        JsonNode saved = backups.get(backups.size() - 1);
        for (String f : new String[] {"listenerPort", "servers", "autoRefresh", "statusReporting"}) {
            g.set(f, saved.get(f).deepCopy());
        }
        ((ObjectNode) state.with("services").get(IG_SERVICE)).put("state", "running");
        return JSON.createObjectNode().put("restored", "lab-" + backups.size());
    }

    private JsonNode setGateway(JsonNode a) {
        ObjectNode g = gateway();
        if (!g.path("installed").asBoolean()) {
            throw new IllegalStateException("The Internet Gateway is not installed on this host.");
        }
        ArrayNode backups = g.withArray("backups");
        ObjectNode backup = g.deepCopy();
        backup.remove("backups");
        backup.remove("log");
        backups.add(backup);
        while (backups.size() > Math.max(0, a.path("keepBackups").asInt(5))) {
            backups.remove(0);
        }
        g.put("listenerPort", a.path("listenerPort").asInt());
        if (a.hasNonNull("externalFqdn")) {
            g.put("externalFqdn", a.get("externalFqdn").asText());
        }
        g.set("servers", a.path("servers").deepCopy());
        g.put("autoRefresh", a.path("autoRefresh").asBoolean(true));
        g.put("statusReporting", a.path("statusReporting").asBoolean(true));
        ObjectNode service = (ObjectNode) state.with("services").get(IG_SERVICE);
        if (service == null) {
            throw new IllegalStateException("Cannot find any service with display name '" + IG_SERVICE + "'.");
        }
        service.put("state", "running"); // Restart-Service
        ArrayNode log = g.withArray("log");
        log.add(g.path("servers").isEmpty() ? "No Notification Server is configured" : REGISTERED);
        return JSON.createObjectNode().put("backup", "lab-" + backups.size());
    }

    private ObjectNode ns() {
        if (!state.has("ns")) {
            ObjectNode ns = state.putObject("ns");
            ns.putObject("targets");
            ObjectNode policy = ns.putObject("policies").putObject(DEFAULT_POLICY);
            policy.put("guid", java.util.UUID.nameUUIDFromBytes(DEFAULT_POLICY.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
            policy.put("enabled", false).put("allowCloudCommunication", false).put("preferCem", false).put("preferCemOnVpn", false);
            policy.putArray("gateways");
            policy.putArray("targets");
        }
        return (ObjectNode) state.get("ns");
    }

    private JsonNode readTargets(JsonNode args) {
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode guid : args.path("guids")) {
            for (JsonNode t : ns().path("targets")) {
                if (t.path("guid").asText().equalsIgnoreCase(guid.asText().replace("{", "").replace("}", ""))) {
                    out.add(((ObjectNode) t.deepCopy()).put("memberCount", t.path("filters").isEmpty() ? 0 : 12));
                }
            }
        }
        for (JsonNode name : args.path("names")) {
            JsonNode t = ns().path("targets").get(name.asText());
            if (t != null) {
                // The lab's NS knows twelve computers; a target with filters holds them all.
                out.add(((ObjectNode) t.deepCopy()).put("memberCount", t.path("filters").isEmpty() ? 0 : 12));
            }
        }
        return out;
    }

    private JsonNode setTarget(JsonNode a) {
        if (a.hasNonNull("guid")) {
            String guid = a.get("guid").asText().replace("{", "").replace("}", "");
            for (JsonNode t : ns().path("targets")) {
                if (t.path("guid").asText().equalsIgnoreCase(guid)) {
                    return JSON.createObjectNode().put("guid", guid);
                }
            }
            throw new IllegalStateException("No resource target has the GUID " + guid + ".");
        }
        String name = a.path("name").asText();
        ObjectNode targets = ns().with("targets");
        JsonNode existing = targets.get(name);
        String guid = existing != null ? existing.path("guid").asText() : java.util.UUID.randomUUID().toString();
        ObjectNode t = targets.putObject(name);
        t.put("name", name).put("guid", guid).put("mode", a.path("mode").asText("computers"))
                .put("baseGroup", a.path("baseGroup").asText("All Discovered Resources"));
        t.set("filters", a.path("filters").isArray() ? a.get("filters").deepCopy() : JSON.createArrayNode());
        return JSON.createObjectNode().put("guid", guid);
    }

    /**
     * This host as a managed computer: its agent switched to gateway mode when some NS delivers an
     * enabled CEM policy with targets and an Online gateway — unless its Secure Gateway Mode was
     * left at 1 (the 8.7 stuck state, KB 397041), which drift can set.
     */
    private JsonNode agentStatus() {
        boolean delivered = false;
        for (WindowsState peer : peers.get()) {
            delivered |= peer != this && peer.deliversCem();
        }
        int stored = state.path("agent").path("secureGatewayMode").asInt(0);
        boolean switched = delivered && stored != 1;
        ObjectNode out = JSON.createObjectNode().put("agentLog", "C:\\ProgramData\\Symantec\\Symantec Agent\\Logs\\Agent.log")
                .put("switched", switched).put("secureGatewayMode", stored == 1 ? 1 : switched ? 2 : 0)
                .put("preferSecureGatewayConnect", state.path("agent").path("preferSecureGatewayConnect").asInt(1));
        return out;
    }

    /** Whether this host is an NS whose CEM policy reaches agents: enabled, cloud allowed, targets set, a gateway Online. */
    boolean deliversCem() {
        JsonNode p = published.path("ns").path("policies").path(DEFAULT_POLICY);
        if (!p.path("enabled").asBoolean() || !p.path("allowCloudCommunication").asBoolean() || p.path("targets").isEmpty()) {
            return false;
        }
        for (JsonNode g : p.path("gateways")) {
            for (WindowsState peer : peers.get()) {
                if (peer != this && peer.reportsOnline(g.path("fqdn").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    private JsonNode readPolicy(JsonNode a) {
        JsonNode p = ns().path("policies").get(a.path("policyName").asText());
        if (p == null) {
            return JSON.createObjectNode().put("exists", false);
        }
        ObjectNode out = ((ObjectNode) p).deepCopy();
        out.put("exists", true);
        out.put("nsVersion", "8.8.1");
        for (JsonNode g : out.path("gateways")) {
            String fqdn = g.path("fqdn").asText();
            boolean online = false;
            for (WindowsState peer : peers.get()) {
                online |= peer != this && peer.reportsOnline(fqdn);
            }
            ((ObjectNode) g).put("online", online);
        }
        ArrayNode targets = out.putArray("targets");
        for (JsonNode guid : p.path("targets")) {
            String name = "";
            for (JsonNode t : ns().path("targets")) {
                if (t.path("guid").asText().equals(guid.asText())) {
                    name = t.path("name").asText();
                }
            }
            targets.addObject().put("guid", guid.asText()).put("name", name);
        }
        return out;
    }

    private JsonNode setPolicy(JsonNode a) {
        String name = a.path("policyName").asText();
        ObjectNode p = (ObjectNode) ns().path("policies").get(name);
        if (p == null) {
            throw new IllegalStateException("The policy \"" + name + "\" does not exist on this Notification Server.");
        }
        ArrayNode guids = JSON.createArrayNode();
        a.path("targetGuids").forEach(g -> guids.add(g.asText()));
        for (JsonNode t : a.path("targetNames")) {
            JsonNode target = ns().path("targets").get(t.asText());
            if (target == null) {
                throw new IllegalStateException("Resource target \"" + t.asText() + "\" not found.");
            }
            guids.add(target.path("guid").asText());
        }
        p.put("enabled", a.path("enabled").asBoolean(true)).put("allowCloudCommunication", a.path("allowCloudCommunication").asBoolean(true))
                .put("preferCem", a.path("preferCem").asBoolean(false)).put("preferCemOnVpn", a.path("preferCemOnVpn").asBoolean(false));
        p.set("gateways", a.path("gateways").deepCopy());
        p.set("targets", guids);
        return JSON.createObjectNode().put("guid", p.path("guid").asText());
    }

    private JsonNode readServices(JsonNode args) {
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode name : args.path("names")) {
            JsonNode s = state.get("services").get(name.asText());
            if (s != null) {
                out.add(((ObjectNode) s.deepCopy()).put("service", name.asText()));
            }
        }
        return out;
    }

    private JsonNode setService(JsonNode a) {
        String name = a.path("service").asText();
        ObjectNode s = (ObjectNode) state.get("services").get(name);
        if (s == null) {
            throw new IllegalStateException("Cannot find any service with service name '" + name + "'.");
        }
        if (a.hasNonNull("startType")) {
            s.put("startType", a.get("startType").asText());
        }
        if (a.hasNonNull("state")) {
            if (a.get("state").asText().equals("running") && s.path("startType").asText().equals("disabled")) {
                throw new IllegalStateException("Service '" + name + "' cannot be started due to the following error: Cannot start service "
                        + name + " on computer '.'.");
            }
            s.put("state", a.get("state").asText());
        }
        return JSON.createObjectNode().put("service", name);
    }

    private void save() {
        published = state.deepCopy();
        if (file == null) {
            return;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, state.toPrettyString());
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

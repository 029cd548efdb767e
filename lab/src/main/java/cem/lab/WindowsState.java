package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a simulated Windows host holds — the certificate stores, IIS sites and bindings, HTTP.SYS
 * SSL records, firewall rules, services, registry values and files of ITMS — and the agent's ops
 * on it, answered as Windows answers the cmdlets and APIs the agent calls (the op contracts are
 * {@code providers/windows/src/main/resources/cem/windows/ops/*.schema.json}). Each modelled
 * behaviour names its documentation source beside its code; what no source settles is marked
 * [?]. Kept as JSON in the lab directory ({@code "format": 2}) so successive commands see one host.
 * Thread-safe: every op runs under the instance's lock.
 */
public final class WindowsState {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    /** The layout of the state file; a file of another layout is replaced by a fresh host. */
    static final int FORMAT = 2;

    /** The IG service's display name, documented (KB 216202); its key name is [?] (read it with Get-Service on a real IG). */
    static final String IG_SERVICE = "Symantec Internet Gateway Service";
    static final String IG_SERVICE_NAME = "SymantecInternetGateway";
    static final String DEFAULT_POLICY = "Cloud-enabled Management Settings";
    /** The IG's registration line in its a.log (KB 216202). */
    static final String REGISTERED = "Internet Gateway successfully registered with Notification Server";
    /** The fault {@code cem lab fault --gateway-offline} sets: the gateway's status reports never reach the NS. */
    public static final String GATEWAY_OFFLINE = "gatewayOffline";
    /** The fault {@code cem lab fault --garbled-answer TEXT} sets: the agent answers TEXT instead of a batch, as a broken host would. */
    public static final String GARBLED_ANSWER = "garbledAnswer";

    private final Path file;
    /** The file as every process running a lab on its directory shares it; null when the host is kept in memory. */
    private final SharedFile shared;
    private final List<String> sites;
    private final Map<String, String> services;
    private ObjectNode state;
    /**
     * What peers may see of this host without taking its lock: a copy made after every change
     * (and read again when another process changed the file). Hosts ask each other (an NS asks its
     * gateways whether they report Online; an agent asks its NS); with locks on both sides, two NSs
     * asking each other at once would deadlock.
     */
    private volatile Published published;
    /** The other hosts of the lab, for what the NS sees of its gateways (their status reports). */
    private Supplier<Collection<WindowsState>> peers = List::of;

    /** A published copy and the file text it was read from (null: made in this process). */
    private record Published(JsonNode state, String text) {}

    /**
     * @param file where the host's state is kept, or null to keep it in memory
     * @param sites the IIS sites of a new host (ids 1, 2, … in this order)
     * @param services the services of a new host, key name → "running" or "stopped"; the IG's
     *     service (named by its display name) only exists once the IG is installed
     */
    public WindowsState(Path file, List<String> sites, Map<String, String> services) {
        this.file = file;
        this.shared = file == null ? null : new SharedFile(file);
        this.sites = List.copyOf(sites);
        this.services = Map.copyOf(services);
        this.state = fresh(sites, services);
        this.published = new Published(state.deepCopy(), null);
        atomically(() -> null); // reads the file, if there is one
    }

    /** Runs {@code work} on the host as it is now: under the file's lock, after reading what another process changed. */
    private synchronized <T> T atomically(Supplier<T> work) {
        if (shared == null) {
            return work.get();
        }
        return shared.locked(() -> {
            shared.refresh(this::load);
            return work.get();
        });
    }

    private void load(ObjectNode loaded) {
        if (loaded != null && loaded.path("format").asInt() != FORMAT) {
            System.err.println("cem lab: " + file + " holds an older lab host (no \"format\": " + FORMAT + "); starting it afresh");
            loaded = null;
        }
        state = loaded != null ? loaded : fresh(sites, services);
        published = new Published(state.deepCopy(), null);
    }

    private static ObjectNode fresh(List<String> sites, Map<String, String> services) {
        ObjectNode s = JSON.createObjectNode();
        s.put("format", FORMAT);
        CertificateStores.seed(s);
        Iis.seed(s, sites);
        ObjectNode svc = s.putObject("services");
        s.putObject("registry");
        new TreeMap<>(services).forEach((name, st) -> {
            String state = st.equalsIgnoreCase("running") ? "Running" : "Stopped";
            if (name.equals(IG_SERVICE)) {
                InternetGateway.preinstalled(s, state); // a host made with the IG's service has the IG installed
            } else {
                Services.add(s, name, Services.displayName(name), state);
            }
        });
        s.putObject("firewall");
        s.with("files");
        return s;
    }

    /** What the agent answers instead of a batch (the fault {@link #GARBLED_ANSWER}), or null when it answers as it should. */
    String garbledAnswer() {
        return atomically(() -> state.path("faults").path(GARBLED_ANSWER).textValue());
    }

    /** Whether %ProgramData%\\cem holds the agent module with this SHA-256. */
    public boolean agentInstalled(String sha256) {
        return atomically(() -> state.path("programData").has("cem\\agent-" + sha256 + ".psm1"));
    }

    /** Installs the agent module (replacing any other version), as install.ps1 does. */
    public void installAgent(String sha256) {
        change(s -> s.putObject("programData").put("cem\\agent-" + sha256 + ".psm1", sha256));
    }

    /** Deletes %ProgramData%\\cem; true when it was there. */
    public boolean removeAgent() {
        return atomically(() -> {
            boolean had = state.path("programData").size() > 0;
            state.remove("programData");
            save();
            return had;
        });
    }

    /** Where this host's state is kept. */
    public Path file() {
        return file;
    }

    /** Lets this host see the others (the NS receives its gateways' status reports). */
    public void peers(Supplier<Collection<WindowsState>> others) {
        this.peers = others;
    }

    Collection<WindowsState> peers() {
        return peers.get();
    }

    /** The published states of the other hosts of this host's network, or null when it is in none (a lone twin). */
    private java.util.List<JsonNode> others() {
        Collection<WindowsState> all = peers();
        if (all.isEmpty()) {
            return null;
        }
        java.util.List<JsonNode> out = new java.util.ArrayList<>();
        for (WindowsState p : all) {
            if (p != this) {
                out.add(p.published());
            }
        }
        return out;
    }

    /** The last published copy of this host (read by peers without this host's lock). */
    JsonNode published() {
        Published p = published;
        if (file != null) {
            String text = SharedFile.text(file);
            if (text != null && !text.equals(p.text())) {
                p = new Published(SharedFile.parse(text), text); // another process changed this host
                published = p;
            }
        }
        return p.state();
    }

    /** Whether this host is a gateway that reports to the NS as Online under this external name. */
    boolean reportsOnline(String externalFqdn) {
        JsonNode s = published();
        if (s.path("faults").path(GATEWAY_OFFLINE).asBoolean()) {
            return false; // an injected fault: the gateway cannot reach its NS (a proxy or firewall between them)
        }
        return InternetGateway.reportsOnline(s, externalFqdn, InternetGateway.registeredNow(s, others()));
    }

    /** Whether this service (key name, or the IG's display name) is running. */
    public boolean running(String service) {
        return atomically(() -> Services.running(state, service));
    }

    /** The thumbprint of the HTTP.SYS record of this IP-based endpoint ({@code 0.0.0.0:443}), or empty. */
    public String sslCertificate(String endpoint) {
        return atomically(() -> state.path("sslBindings").path(endpoint).path("thumbprint").asText(""));
    }

    /** The certificate the installed and running gateway's listener presents (its thumbprint), or empty. */
    public String gatewayCertificate() {
        return atomically(() -> InternetGateway.listening(state) ? CertificateStores.gatewayCertificate(state) : "");
    }

    /** Trusts a root certificate (LocalMachine\\Root), as an enterprise's group policy distributes its root. */
    public void trustRoot(java.security.cert.X509Certificate root) {
        change(s -> CertificateStores.trust(s, root));
    }

    /** A copy of the whole state (for tests and drift). */
    public ObjectNode snapshot() {
        return atomically(() -> state.deepCopy());
    }

    /** Changes the state out of band (drift), as an administrator at the console would. */
    public void change(Consumer<ObjectNode> edit) {
        atomically(() -> {
            edit.accept(state);
            save();
            return null;
        });
    }

    /** Runs one op; returns its data, or throws with Windows' message. */
    public JsonNode run(String op, JsonNode args) {
        return atomically(() -> runNow(op, args));
    }

    private JsonNode runNow(String op, JsonNode args) {
        boolean writes = !op.endsWith(".read") && !op.equals("host.facts") && !op.equals("agent.status") && !op.startsWith("probe.");
        // A running gateway that has not registered yet keeps trying: whenever the host is looked at.
        boolean registering = InternetGateway.register(state, others());
        try {
            return dispatch(op, args);
        } finally {
            registering |= InternetGateway.register(state, others());
            if (writes || registering) {
                save(); // a failed op may have changed the host first, as on Windows (a binding added, then netsh failing)
            }
        }
    }

    private JsonNode dispatch(String op, JsonNode args) {
        return switch (op) {
            case "certificate.read" -> CertificateStores.read(state);
            case "certificate.import" -> CertificateStores.importPfx(state, args, file);
            case "certificate.remove" -> CertificateStores.remove(state, args);
            case "iis_binding.read" -> Iis.read(state);
            case "iis_binding.set" -> Iis.set(state, args);
            case "iis_binding.remove" -> Iis.remove(state, args);
            case "windows_firewall_rule.read" -> WindowsFirewall.read(state, args);
            case "windows_firewall_rule.set" -> WindowsFirewall.set(state, args);
            case "windows_firewall_rule.remove" -> WindowsFirewall.remove(state, args);
            case "windows_service.read" -> Services.read(state, args);
            case "windows_service.set" -> Services.set(state, args);
            case "internet_gateway.read" -> InternetGateway.read(state, args);
            case "internet_gateway.set" -> InternetGateway.set(state, args);
            case "internet_gateway.install" -> InternetGateway.install(state, args);
            case "internet_gateway.restore" -> InternetGateway.restore(state, args);
            case "host.facts" -> Iis.facts(state, args);
            case "agent.status" -> NotificationServer.agentStatus(this, state, args);
            case "probe.registry" -> ProbeAnswers.registry(state, args);
            case "probe.services" -> ProbeAnswers.services(state, args);
            case "probe.files" -> ProbeAnswers.files(state, args);
            case "probe.sslcert" -> ProbeAnswers.sslcert(state);
            default -> NotificationServer.run(this, state, op, args);
        };
    }

    static ArrayNode array() {
        return JSON.createArrayNode();
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private void save() {
        published = new Published(state.deepCopy(), shared == null ? null : shared.write(state));
    }
}

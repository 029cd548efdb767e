package cem.windows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cem probe}: the agent's [?] assumptions (agent.md, "What no document settles") checked
 * read-only on a real host. The agent's probe ops return what Windows holds; this class builds
 * their requests and decides, for each assumption, confirmed, contradicted or unknown, with the
 * evidence it saw and what would settle an unknown. Nothing here or in the ops writes.
 */
public final class Assumptions {

    private Assumptions() {}

    /** The verdict on one assumption. */
    public enum Status {
        CONFIRMED, CONTRADICTED, UNKNOWN;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One assumption checked on one host.
     *
     * @param id a short stable name, e.g. {@code ig.settings.key}
     * @param host the host it was checked on, or "" for a check no host could answer
     * @param assumption what the agent assumes
     * @param status confirmed, contradicted or unknown
     * @param evidence what was seen
     * @param settles for an unknown or a contradiction, what would settle it or what to correct
     */
    public record Check(String id, String host, String assumption, Status status, String evidence, String settles) {}

    /**
     * What to probe on one host.
     *
     * @param host the host's name in the configuration
     * @param gateway whether an Internet Gateway is (or should be) on it
     * @param ns whether the Notification Server is on it
     * @param iis whether IIS bindings are on it
     * @param settingsKey the IG settings key to check (the resource's settingsKey, else the default)
     * @param logDirectory the IG log folder to check
     * @param managedEndpoints the HTTP.SYS endpoints of the configuration's bindings on this host
     *     (records cem writes carry IIS's application id by construction, so they prove nothing)
     */
    public record Target(String host, boolean gateway, boolean ns, boolean iis, String settingsKey, String logDirectory, Set<String> managedEndpoints) {

        public Target {
            managedEndpoints = Set.copyOf(managedEndpoints);
        }
    }

    static final String NS_KEY = "HKLM:\\SOFTWARE\\Altiris\\eXpress\\Notification Server";
    static final String IIS_APP_ID = "{4dc3e181-e14b-4a21-b022-59fc669b0914}";
    /** The IG's values the agent reads and writes, and the kind each is assumed to have (RegistryValueKind names). */
    static final Map<String, String> IG_VALUES = Map.of("ListenerPort", "DWord", "Servers", "MultiString", "AutoRefresh", "DWord", "Version", "String");
    private static final List<String> IG_VALUE_ORDER = List.of("ListenerPort", "Servers", "AutoRefresh", "Version");
    private static final Pattern VERSION = Pattern.compile("^[0-9]+(\\.[0-9]+)+$");
    private static final Pattern GUID = Pattern.compile("\\{[0-9a-fA-F-]{36}\\}");

    public static String defaultSettingsKey() {
        return Itms.DEFAULT_SETTINGS_KEY;
    }

    public static String defaultLogDirectory() {
        return Itms.DEFAULT_LOG_DIRECTORY;
    }

    /** The 32-bit registry view of a key under HKLM:\SOFTWARE (where a 32-bit installer writes). */
    static String wow64(String key) {
        String prefix = "HKLM:\\SOFTWARE\\";
        return key.regionMatches(true, 0, prefix, 0, prefix.length()) ? prefix + "WOW6432Node\\" + key.substring(prefix.length()) : key;
    }

    private static String parent(String key) {
        int i = key.lastIndexOf('\\');
        return i > "HKLM:".length() ? key.substring(0, i) : key;
    }

    /** The read-only ops for one host, every key of their schemas set: one batch, one round trip. */
    public static List<Map.Entry<String, JsonNode>> ops(Target t) {
        List<Map.Entry<String, JsonNode>> ops = new ArrayList<>();
        ArrayNode keys = WindowsProvider.array();
        ArrayNode names = WindowsProvider.array();
        if (t.gateway()) {
            keys.add(t.settingsKey()).add(wow64(t.settingsKey())).add(parent(t.settingsKey()));
            IG_VALUE_ORDER.forEach(names::add);
            names.add("StatusReporting");
        }
        if (t.ns()) {
            keys.add(NS_KEY).add(wow64(NS_KEY)).add(parent(NS_KEY));
            if (!t.gateway()) {
                names.add("Version");
            }
        }
        if (!keys.isEmpty()) {
            ObjectNode args = WindowsProvider.object();
            args.set("keys", keys);
            args.set("valueNames", names);
            ops.add(Map.entry("probe.registry", args));
        }
        if (t.gateway()) {
            ObjectNode services = WindowsProvider.object();
            services.putArray("words").add("Gateway");
            ops.add(Map.entry("probe.services", services));
            ObjectNode files = WindowsProvider.object();
            files.putArray("directories").add(t.logDirectory());
            files.put("filter", "a*.log").put("line", Itms.REGISTERED);
            ops.add(Map.entry("probe.files", files));
        }
        if (t.iis()) {
            ops.add(Map.entry("iis_binding.read", WindowsProvider.object()));
            ops.add(Map.entry("probe.sslcert", WindowsProvider.object()));
        }
        return ops;
    }

    /**
     * The verdicts for one host from the answers of {@link #ops}: op name → its data, or a missing
     * entry when the op failed (its error in {@code errors}).
     */
    public static List<Check> judge(Target t, Map<String, JsonNode> answers, Map<String, String> errors) {
        List<Check> out = new ArrayList<>();
        Map<String, JsonNode> keys = new LinkedHashMap<>();
        JsonNode registry = answers.get("probe.registry");
        if (registry != null) {
            registry.forEach(k -> keys.put(k.path("key").asText().toLowerCase(Locale.ROOT), k));
        }
        if (t.gateway()) {
            GatewayProbe.judge(t, keys, answers, errors, out);
        }
        if (t.ns()) {
            nsVersion(t, keys, errors, out);
        }
        if (t.iis()) {
            HttpSysProbe.judge(t, answers, errors, out);
        }
        return out;
    }

    /** The checks no read-only probe of a host can settle today. */
    public static List<Check> unanswerable() {
        return List.of(
                new Check("ns.policy.import", "", "ImportItemXmlString of an edited export updates the existing policy item in place "
                        + "(same GUID, targets kept)", Status.UNKNOWN, "cannot be checked read-only: only an import shows it",
                        "On a test NS (never production): export the policy, change one flag, ImportItemXmlString it, then GetItemsByName: one "
                                + "item with the same GUID and the same AppliedToResourceTargets means in place; a second item or a new GUID means it "
                                + "creates one."));
    }

    private static void nsVersion(Target t, Map<String, JsonNode> keys, Map<String, String> errors, List<Check> out) {
        String assumption = "the NS's version is the Version value (REG_SZ) of " + NS_KEY;
        if (errors.containsKey("probe.registry")) {
            out.add(new Check("ns.version", t.host(), assumption, Status.UNKNOWN, "the registry read failed: " + errors.get("probe.registry"),
                    "Run the probe with an account that may read HKLM on the NS."));
            return;
        }
        JsonNode key = keys.get(NS_KEY.toLowerCase(Locale.ROOT));
        JsonNode wow = keys.get(wow64(NS_KEY).toLowerCase(Locale.ROOT));
        JsonNode value = value(key, "Version");
        if (value != null) {
            String data = value.path("data").asText("");
            boolean ok = value.path("kind").asText().equals("String") && VERSION.matcher(data).matches();
            out.add(new Check("ns.version", t.host(), assumption, ok ? Status.CONFIRMED : Status.CONTRADICTED,
                    "Version = \"" + data + "\" (" + value.path("kind").asText() + ")",
                    ok ? "" : "Correct Get-CemNsVersion in agent.psm1 to parse this form."));
        } else if (value(wow, "Version") != null) {
            out.add(new Check("ns.version", t.host(), assumption, Status.CONTRADICTED, "no Version under " + NS_KEY + ", but " + wow64(NS_KEY)
                    + " has Version = \"" + value(wow, "Version").path("data").asText() + "\" (the 32-bit view)",
                    "Read the 32-bit registry view in Get-CemNsVersion (agent.psm1)."));
        } else if (exists(key)) {
            out.add(new Check("ns.version", t.host(), assumption, Status.CONTRADICTED, "the key exists without Version; its values: "
                    + describe(key), "Find the value that holds the version among these and correct Get-CemNsVersion (agent.psm1)."));
        } else {
            JsonNode parent = keys.get(parent(NS_KEY).toLowerCase(Locale.ROOT));
            boolean altiris = exists(parent);
            out.add(new Check("ns.version", t.host(), assumption, altiris ? Status.CONTRADICTED : Status.UNKNOWN,
                    altiris ? "no such key; " + parent(NS_KEY) + " holds subkeys " + parent.path("subKeys") : "no " + parent(NS_KEY)
                            + ": no Notification Server seems installed on this host",
                    altiris ? "Find the version among these keys and correct Get-CemNsVersion (agent.psm1)." : "Run the probe against the NS host."));
        }
    }

    static boolean exists(JsonNode key) {
        return key != null && key.path("exists").asBoolean();
    }

    static JsonNode value(JsonNode key, String name) {
        if (!exists(key)) {
            return null;
        }
        for (JsonNode v : key.path("values")) {
            if (v.path("name").asText().equalsIgnoreCase(name)) {
                return v;
            }
        }
        return null;
    }

    /** A key's values as "Name (Kind)", or "none". */
    static String describe(JsonNode key) {
        List<String> parts = new ArrayList<>();
        key.path("values").forEach(v -> parts.add((v.path("name").asText().isEmpty() ? "(default)" : v.path("name").asText()) + " ("
                + v.path("kind").asText() + ")"));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    static Matcher guid(String text) {
        return GUID.matcher(text);
    }
}

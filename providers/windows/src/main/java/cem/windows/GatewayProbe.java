package cem.windows;

import cem.windows.Assumptions.Check;
import cem.windows.Assumptions.Status;
import cem.windows.Assumptions.Target;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Internet Gateway's [?] assumptions: its settings key and value names (Gateway Manager's
 * storage is undocumented), its service's key name (only the display name is documented, KB
 * 216202) and its log folder (KB 216202: a.log in C:\ProgramData\Symantec\SMP\Logs).
 */
final class GatewayProbe {

    private GatewayProbe() {}

    static void judge(Target t, Map<String, JsonNode> keys, Map<String, JsonNode> answers, Map<String, String> errors, List<Check> out) {
        JsonNode key = keys.get(t.settingsKey().toLowerCase(Locale.ROOT));
        JsonNode wow = keys.get(Assumptions.wow64(t.settingsKey()).toLowerCase(Locale.ROOT));
        JsonNode service = null;
        List<String> candidates = new ArrayList<>();
        JsonNode services = answers.get("probe.services");
        if (services != null) {
            for (JsonNode s : services) {
                candidates.add("\"" + s.path("displayName").asText() + "\" (key name " + s.path("name").asText() + ", " + s.path("state").asText() + ")");
                if (s.path("displayName").asText().equalsIgnoreCase(Itms.IG_SERVICE)) {
                    service = s;
                }
            }
        }
        boolean installed = Assumptions.exists(key) || Assumptions.exists(wow) || service != null;
        service(t, service, services, candidates, installed, errors, out);
        settingsKey(t, key, wow, keys, service, installed, errors, out);
        JsonNode settings = Assumptions.exists(key) ? key : Assumptions.exists(wow) ? wow : null;
        for (Map.Entry<String, String> v : List.of(Map.entry("ListenerPort", "DWord"), Map.entry("Servers", "MultiString"),
                Map.entry("AutoRefresh", "DWord"), Map.entry("Version", "String"))) {
            value(t, settings, v.getKey(), v.getValue(), out);
        }
        // The gateway's service runs: the documented one, or (when its name differs) one named like it.
        boolean running = false;
        for (JsonNode s : services == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode() : services) {
            running |= (s == service || s.path("displayName").asText().toLowerCase(Locale.ROOT).contains("internet gateway"))
                    && s.path("state").asText().equalsIgnoreCase("Running");
        }
        logs(t, answers.get("probe.files"), running, errors, out);
    }

    private static void service(Target t, JsonNode service, JsonNode services, List<String> candidates, boolean installed,
            Map<String, String> errors, List<Check> out) {
        String assumption = "the IG's service has the display name \"" + Itms.IG_SERVICE + "\" (documented); its key name is not documented";
        if (services == null) {
            out.add(new Check("ig.service", t.host(), assumption, Status.UNKNOWN, "the service list could not be read: "
                    + errors.getOrDefault("probe.services", "no answer"), "Run the probe with an account that may query Win32_Service."));
        } else if (service != null) {
            out.add(new Check("ig.service", t.host(), assumption, Status.CONFIRMED, "key name \"" + service.path("name").asText() + "\", "
                    + service.path("state").asText() + ", start mode " + service.path("startMode").asText()
                    + (service.path("pathName").asText().isEmpty() ? "" : ", image " + service.path("pathName").asText()), ""));
        } else if (installed || !candidates.isEmpty()) {
            out.add(new Check("ig.service", t.host(), assumption, Status.CONTRADICTED, candidates.isEmpty()
                    ? "the IG's settings key exists, but no service has \"Gateway\" in its name"
                    : "no service has that display name; services with \"Gateway\" in their names: " + String.join("; ", candidates),
                    "Correct Itms.IG_SERVICE (and the lab's WindowsState.IG_SERVICE) to the gateway's display name."));
        } else {
            out.add(new Check("ig.service", t.host(), assumption, Status.UNKNOWN, "no service has \"Gateway\" in its name: no Internet Gateway "
                    + "seems installed on this host", "Run the probe against a host where the Internet Gateway is installed."));
        }
    }

    private static void settingsKey(Target t, JsonNode key, JsonNode wow, Map<String, JsonNode> keys, JsonNode service, boolean installed,
            Map<String, String> errors, List<Check> out) {
        String assumption = "Gateway Manager keeps its settings in " + t.settingsKey();
        if (errors.containsKey("probe.registry")) {
            out.add(new Check("ig.settings.key", t.host(), assumption, Status.UNKNOWN, "the registry read failed: " + errors.get("probe.registry"),
                    "Run the probe with an account that may read HKLM on the gateway."));
        } else if (Assumptions.exists(key)) {
            out.add(new Check("ig.settings.key", t.host(), assumption, Status.CONFIRMED, "the key exists; its values: " + Assumptions.describe(key)
                    + "; subkeys " + key.path("subKeys"), ""));
        } else if (Assumptions.exists(wow)) {
            out.add(new Check("ig.settings.key", t.host(), assumption, Status.CONTRADICTED, "not there, but in the 32-bit view: "
                    + Assumptions.wow64(t.settingsKey()) + " holds " + Assumptions.describe(wow),
                    "Set settingsKey: \"" + Assumptions.wow64(t.settingsKey()) + "\" on the internet_gateway resource."));
        } else if (installed) {
            JsonNode parent = keys.get(t.settingsKey().substring(0, t.settingsKey().lastIndexOf('\\')).toLowerCase(Locale.ROOT));
            out.add(new Check("ig.settings.key", t.host(), assumption, Status.CONTRADICTED, "no such key, though the IG's service exists"
                    + (Assumptions.exists(parent) ? "; " + parent.path("key").asText() + " holds subkeys " + parent.path("subKeys") : "")
                    + (service != null && !service.path("pathName").asText().isEmpty() ? "; the service runs " + service.path("pathName").asText() : ""),
                    "Find where Gateway Manager keeps its listener port and server list (a key above, or a file in the service's folder), then "
                            + "set settingsKey on the internet_gateway resource or correct the agent's internet_gateway ops."));
        } else {
            out.add(new Check("ig.settings.key", t.host(), assumption, Status.UNKNOWN, "no such key and no IG service: no Internet Gateway seems "
                    + "installed on this host", "Run the probe against a host where the Internet Gateway is installed."));
        }
    }

    private static void value(Target t, JsonNode settings, String name, String kind, List<Check> out) {
        String id = "ig.value." + name;
        String assumption = "the IG's settings hold " + name + " (" + kind + ")";
        if (settings == null) {
            out.add(new Check(id, t.host(), assumption, Status.UNKNOWN, "the settings key was not found (see ig.settings.key)",
                    "Settle ig.settings.key first."));
            return;
        }
        JsonNode v = Assumptions.value(settings, name);
        if (v == null) {
            out.add(new Check(id, t.host(), assumption, Status.CONTRADICTED, "no value " + name + "; the key holds " + Assumptions.describe(settings),
                    "Map " + name + " to the value that holds it and correct the agent's internet_gateway ops (agent.psm1)."));
            return;
        }
        String found = v.path("kind").asText();
        String shape = shape(name, v.path("data"));
        boolean ok = found.equals(kind) && shape == null;
        out.add(new Check(id, t.host(), assumption, ok ? Status.CONFIRMED : Status.CONTRADICTED, name + " = " + v.path("data") + " (" + found + ")"
                + (shape == null ? "" : ": " + shape), ok ? "" : "Correct how the agent reads and writes " + name + " (agent.psm1, Itms.gateway)."));
    }

    /** What is wrong with a value's data for what cem writes into it, or null. */
    private static String shape(String name, JsonNode data) {
        switch (name) {
            case "ListenerPort" -> {
                return data.isIntegralNumber() && data.asInt() >= 1 && data.asInt() <= 65535 ? null : "not a port number";
            }
            case "AutoRefresh" -> {
                return data.isIntegralNumber() && (data.asInt() == 0 || data.asInt() == 1) ? null : "not 0 or 1";
            }
            case "Servers" -> {
                JsonNode list = data.isArray() ? data : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(data.asText());
                for (JsonNode s : list) {
                    if (!s.asText().matches("^[A-Za-z0-9.-]+:[0-9]{1,5}$")) {
                        return "an entry is not \"fqdn:port\": " + s;
                    }
                }
                return null;
            }
            default -> {
                return data.asText("").matches("^[0-9]+(\\.[0-9]+)+$") ? null : "not a dotted version";
            }
        }
    }

    /** a*.log in the folder confirms; none while the gateway's service runs contradicts; else nothing is known yet. */
    private static void logs(Target t, JsonNode files, boolean running, Map<String, String> errors, List<Check> out) {
        String assumption = "the IG writes a.log (rotated as a*.log) in " + t.logDirectory() + " (KB 216202)";
        if (files == null) {
            out.add(new Check("ig.logs", t.host(), assumption, Status.UNKNOWN, "the folder could not be read: "
                    + errors.getOrDefault("probe.files", "no answer"), "Run the probe with an account that may read the folder."));
            return;
        }
        JsonNode dir = files.path(0);
        List<String> names = new ArrayList<>();
        List<String> withLine = new ArrayList<>();
        dir.path("files").forEach(f -> {
            names.add(f.path("name").asText());
            if (f.path("hasLine").asBoolean()) {
                withLine.add(f.path("name").asText());
            }
        });
        if (!names.isEmpty()) {
            out.add(new Check("ig.logs", t.host(), assumption, Status.CONFIRMED, String.join(", ", names) + (withLine.isEmpty()
                    ? "; none holds the registration line yet" : "; the registration line is in " + String.join(", ", withLine)), ""));
        } else if (running) {
            out.add(new Check("ig.logs", t.host(), assumption, Status.CONTRADICTED, (dir.path("exists").asBoolean()
                    ? "the folder exists but holds no a*.log" : "no such folder") + ", though the gateway's service runs",
                    "Find the IG's a.log and set logDirectory on the internet_gateway resource."));
        } else {
            out.add(new Check("ig.logs", t.host(), assumption, Status.UNKNOWN, "no a*.log, and the gateway's service is not running (or not installed)",
                    "Run the probe again once the Internet Gateway's service has run."));
        }
    }
}

package cem.windows;

import cem.spi.ApplyRequest;
import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The ITMS types on Windows hosts — internet_gateway (on the IG), resource_target and cem_policy
 * (on the NS) — served by the same agent and batches as the Windows types, so the NS and the IG
 * still cost one round trip per refresh.
 */
final class Itms {

    /** Types cem never deletes from a host: a delete forgets them (or, for the policy, turns CEM off). */
    static final Set<String> FORGOTTEN_ON_DELETE = Set.of("windows_service", "internet_gateway", "cem_policy", "cem_certificate",
            "site_server");

    /** Whether a deleted resource is forgotten rather than removed (a target adopted by GUID is not cem's to delete). */
    static boolean forgottenOnDelete(ResourceInstance r) {
        return FORGOTTEN_ON_DELETE.contains(r.type()) || (r.type().equals("resource_target") && r.attributes().hasNonNull("guid"));
    }
    static final int DEFAULT_SITE_PORT = 4726;
    /** Backups of the gateway's settings kept unless backups.keep says otherwise. */
    static final int DEFAULT_KEEP_BACKUPS = 5;

    /**
     * Whether a change of the gateway's settings restarts its service: a gateway cem creates is started;
     * one that exists is restarted only when it runs (a stopped one stays stopped).
     */
    static boolean restartsService(boolean creates, WindowsProvider.Known known) {
        return creates || known.gatewayRunning();
    }

    private Itms() {}

    /**
     * [?] Where Gateway Manager keeps its settings is not documented: a resource can name the key
     * (settingsKey) and its log folder (logDirectory); these are the defaults. The IG writes a.log in
     * %ProgramData%\Symantec\SMP\Logs (KB 216202; the domain reference, section 12), and logs rotate.
     */
    static final String DEFAULT_SETTINGS_KEY = "HKLM:\\SOFTWARE\\Symantec\\Internet Gateway";
    static final String DEFAULT_LOG_DIRECTORY = "C:\\ProgramData\\Symantec\\SMP\\Logs";
    /** The IG's service, found by its display name (domain reference, section 2.3). */
    static final String IG_SERVICE = "Symantec Internet Gateway Service";
    /** The line the IG logs once registered (KB 216202). */
    static final String REGISTERED = "Internet Gateway successfully registered with Notification Server";
    /** Where the agent keeps its backups of the IG's settings (inside cem's own directory, writable only by Administrators). */
    static final String BACKUPS = "C:\\ProgramData\\cem\\ig-backups";

    /**
     * cem's own key on a host, which only Administrators can write: its InstallerDirectory value, when
     * an administrator sets it, confines the installers a configuration may run to that directory.
     */
    static final String POLICY_KEY = "HKLM:\\SOFTWARE\\cem";

    private static String settingsKey(ResourceInstance r) {
        return r.attributes().path("settingsKey").asText(DEFAULT_SETTINGS_KEY);
    }

    /** The args of {@code internet_gateway.read}. */
    static ObjectNode readArgs(ResourceInstance r) {
        return WindowsProvider.object().put("settingsKey", settingsKey(r)).put("serviceDisplayName", IG_SERVICE)
                .put("logDirectory", r.attributes().path("logDirectory").asText(DEFAULT_LOG_DIRECTORY)).put("registrationLine", REGISTERED);
    }

    /** The args of {@code internet_gateway.restore} ({@code cem ig restore}). */
    static ObjectNode restoreArgs(JsonNode attributes, String backup) {
        ObjectNode args = WindowsProvider.object().put("settingsKey", attributes.path("settingsKey").asText(DEFAULT_SETTINGS_KEY))
                .put("serviceDisplayName", IG_SERVICE).put("backupDirectory", BACKUPS);
        return backup == null ? args.putNull("backup") : args.put("backup", backup);
    }

    /**
     * The args of {@code internet_gateway.install}: the program and its one command line, quoted here.
     * An .msi runs through msiexec /i (Microsoft Learn, Msiexec command-line options); anything else
     * runs itself. The package is checked on the host against the InstallerDirectory an administrator set.
     */
    static ObjectNode installArgs(ResourceInstance r) {
        JsonNode installer = r.attributes().path("installer");
        String pkg = installer.path("package").asText();
        com.fasterxml.jackson.databind.node.ArrayNode line = WindowsProvider.array();
        boolean msi = pkg.toLowerCase(Locale.ROOT).endsWith(".msi");
        if (msi) {
            line.add("/i").add(pkg);
        }
        installer.path("arguments").forEach(line::add);
        return WindowsProvider.object().put("settingsKey", settingsKey(r)).put("package", pkg).put("file", msi ? "msiexec.exe" : pkg)
                .put("arguments", line.isEmpty() ? null : commandLine(line)).put("policyKey", POLICY_KEY);
    }

    /**
     * The installer's exit code: 0 done; msiexec's 3010 (ERROR_SUCCESS_REBOOT_REQUIRED) and 1641
     * (ERROR_SUCCESS_REBOOT_INITIATED) done with a restart (Microsoft Learn, MsiExec.exe error codes).
     */
    static boolean installSucceeded(int exitCode) {
        return exitCode == 0 || exitCode == 3010 || exitCode == 1641;
    }

    /**
     * One Windows command line from separate arguments, quoted as CommandLineToArgvW reads them
     * (Microsoft Learn, "Parsing C++ command-line arguments"): an argument with a space, tab or quote is
     * quoted; backslashes before a quote are doubled.
     */
    static String commandLine(JsonNode arguments) {
        StringBuilder line = new StringBuilder();
        for (JsonNode a : arguments) {
            if (line.length() > 0) {
                line.append(' ');
            }
            String arg = a.asText();
            if (!arg.isEmpty() && arg.chars().noneMatch(c -> c == ' ' || c == '\t' || c == '"')) {
                line.append(arg);
                continue;
            }
            line.append('"');
            int slashes = 0;
            for (char c : arg.toCharArray()) {
                if (c == '\\') {
                    slashes++;
                    continue;
                }
                if (c == '"') {
                    line.append("\\".repeat(slashes * 2 + 1)).append('"');
                } else {
                    line.append("\\".repeat(slashes)).append(c);
                }
                slashes = 0;
            }
            line.append("\\".repeat(slashes * 2)).append('"');
        }
        return line.toString();
    }

    static String targetName(ResourceInstance r) {
        return r.attributes().path("targetName").asText(r.name());
    }

    static String policyName(ResourceInstance r) {
        return r.attributes().path("policyName").asText(WindowsSchemas.DEFAULT_POLICY);
    }

    /** The gateway from the raw registry values, service and logs the agent returned. */
    static LiveResource gateway(ResourceInstance r, JsonNode g) {
        if (!g.path("keyExists").asBoolean(false)) {
            return LiveResource.absent(r.address());
        }
        JsonNode values = g.path("values");
        JsonNode desired = r.attributes();
        ObjectNode attrs = ((ObjectNode) desired).deepCopy();
        attrs.put("listenerPort", values.path("ListenerPort").asInt());
        ArrayNode servers = attrs.putArray("servers");
        for (JsonNode entry : values.path("Servers").isArray() ? values.path("Servers") : WindowsProvider.array().add(values.path("Servers").asText(""))) {
            String text = entry.asText();
            int colon = text.lastIndexOf(':');
            if (text.isEmpty()) {
                continue;
            }
            String fqdn = colon < 0 ? text : text.substring(0, colon);
            int port = colon < 0 ? DEFAULT_SITE_PORT : parsePort(text.substring(colon + 1));
            ObjectNode item = servers.addObject().put("fqdn", fqdn);
            if (port != DEFAULT_SITE_PORT || writtenWithPort(desired, fqdn)) {
                item.put("port", port);
            }
        }
        attrs.put("autoRefresh", values.path("AutoRefresh").asInt() == 1);
        // Status reporting is an NS setting (Settings > Notification Server > Internet Gateway, KB 216202
        // step 4), not a value of the IG host: cem neither reads nor writes it here. A configuration that
        // still sets statusReporting keeps its own value (validate warns), so it never shows as a change.
        String version = values.path("Version").isNull() ? "" : values.path("Version").asText("");
        if (desired.has("version")) {
            attrs.put("version", version);
        }
        boolean registered = false;
        for (JsonNode log : g.path("logs")) {
            registered |= log.path("hasRegistrationLine").asBoolean();
        }
        attrs.put("registered", registered);
        attrs.put("installedVersion", version);
        JsonNode service = g.path("service");
        attrs.put("serviceState", service.isObject() ? service.path("state").asText().toLowerCase(Locale.ROOT) : "missing");
        return new LiveResource(r.address(), true, "internet-gateway", attrs);
    }

    private static int parsePort(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether the configuration wrote a port for this server (else the default 4726 is implied). */
    private static boolean writtenWithPort(JsonNode desired, String fqdn) {
        for (JsonNode s : desired.path("servers")) {
            if (s.path("fqdn").asText().equalsIgnoreCase(fqdn)) {
                return s.has("port");
            }
        }
        return true;
    }

    static LiveResource policy(ResourceInstance r, JsonNode p) {
        if (!p.path("exists").asBoolean(false)) {
            return LiveResource.absent(r.address());
        }
        JsonNode desired = r.attributes();
        ObjectNode attrs = WindowsProvider.object();
        if (desired.has("policyName")) {
            attrs.put("policyName", policyName(r));
        }
        if (desired.has("asdkUrl")) {
            attrs.set("asdkUrl", desired.get("asdkUrl"));
        }
        attrs.put("enabled", p.path("enabled").asBoolean());
        attrs.put("allowCloudCommunication", p.path("allowCloudCommunication").asBoolean());
        for (String flag : new String[] {"preferCem", "preferCemOnVpn"}) {
            if (desired.has(flag)) {
                attrs.put(flag, p.path(flag).asBoolean());
            }
        }
        ArrayNode gateways = attrs.putArray("gateways");
        ArrayNode online = attrs.putArray("gatewaysOnline");
        for (JsonNode g : p.path("gateways")) {
            gateways.addObject().put("gateway", gatewayName(r, g.path("fqdn").asText())).put("port", g.path("port").asInt());
            if (g.path("online").asBoolean(false)) {
                online.add(gatewayName(r, g.path("fqdn").asText()));
            }
        }
        ArrayNode names = attrs.putArray("targets");
        ArrayNode guids = WindowsProvider.array();
        for (JsonNode t : p.path("targets")) {
            String resource = targetResource(r, t.path("name").asText());
            if (resource != null) {
                names.add(resource);
            } else {
                String guid = t.path("guid").asText();
                for (JsonNode g : desired.path("targetGuids")) {
                    if (Asdk.normalGuid(g.asText()).equals(Asdk.normalGuid(guid))) {
                        guid = g.asText(); // as the configuration spells it
                    }
                }
                guids.add(guid);
            }
        }
        if (desired.has("targetGuids") || !guids.isEmpty()) {
            attrs.set("targetGuids", guids);
        }
        attrs.put("nsVersion", p.path("nsVersion").asText());
        return new LiveResource(r.address(), true, p.path("guid").asText(), attrs);
    }

    /** The internet_gateway resource whose external name the policy lists, or the name itself in parentheses. */
    private static String gatewayName(ResourceInstance r, String fqdn) {
        for (Map.Entry<String, JsonNode> e : r.related().entrySet()) {
            if (e.getKey().startsWith("internet_gateway.") && e.getValue().path("externalFqdn").asText().equalsIgnoreCase(fqdn)) {
                return e.getKey().substring("internet_gateway.".length());
            }
        }
        return "(" + fqdn + ")";
    }

    private static String targetResource(ResourceInstance r, String targetName) {
        for (Map.Entry<String, JsonNode> e : r.related().entrySet()) {
            if (e.getKey().startsWith("resource_target.")) {
                String resource = e.getKey().substring("resource_target.".length());
                if (e.getValue().path("targetName").asText(resource).equals(targetName)) {
                    return resource;
                }
            }
        }
        return null;
    }

    static LiveResource siteServer(ResourceInstance r, JsonNode servers) {
        for (JsonNode s : servers) {
            if (s.path("serverFqdn").asText().equalsIgnoreCase(r.attributes().path("serverFqdn").asText())) {
                ObjectNode attrs = ((ObjectNode) r.attributes()).deepCopy();
                attrs.put("serverFqdn", s.path("serverFqdn").asText());
                attrs.put("cemRole", s.path("cemRole").asBoolean());
                attrs.set("communicationHosts", s.path("communicationHosts"));
                return new LiveResource(r.address(), true, s.path("serverFqdn").asText(), attrs);
            }
        }
        return LiveResource.absent(r.address());
    }

    /** A revocation, found by thumbprint when the configuration names one, else by computer. */
    static LiveResource revocation(ResourceInstance r, JsonNode revoked) {
        String thumbprint = r.attributes().path("thumbprint").asText("");
        String computer = r.attributes().path("computer").asText("");
        for (JsonNode x : revoked) {
            boolean match = !thumbprint.isEmpty() ? x.path("thumbprint").asText().equalsIgnoreCase(thumbprint)
                    : x.path("computer").asText().equalsIgnoreCase(computer);
            if (match) {
                ObjectNode attrs = ((ObjectNode) r.attributes()).deepCopy();
                attrs.put("revoked", true);
                return new LiveResource(r.address(), true, thumbprint.isEmpty() ? computer : thumbprint, attrs);
            }
        }
        return LiveResource.absent(r.address());
    }

    static Integer op(Agent agent, ApplyRequest.Change change, boolean restartService) {
        ResourceInstance r = change.resource();
        JsonNode a = r.attributes();
        boolean delete = change.operation() == ApplyRequest.Operation.DELETE;
        ObjectNode args = WindowsProvider.object();
        switch (r.type()) {
            case "site_server" -> {
                if (delete) {
                    return null; // cem does not remove a site server: it forgets it
                }
                args.put("serverFqdn", a.path("serverFqdn").asText()).put("cemRole", a.path("cemRole").asBoolean(true));
                args.set("communicationHosts", a.path("communicationHosts").isArray() ? a.get("communicationHosts") : WindowsProvider.array());
                return agent.add("site_server.set", args);
            }
            case "offline_package" -> {
                if (delete) {
                    return null; // the local file is removed by the provider
                }
                return agent.add("offline_package.generate", args);
            }
            case "cem_certificate" -> {
                if (delete) {
                    return null; // a revocation cannot be undone: cem forgets it
                }
                args.put("computer", a.path("computer").asText("")).put("thumbprint", a.path("thumbprint").asText(""));
                return agent.add("cem_certificate.revoke", args);
            }
            case "internet_gateway" -> {
                if (delete) {
                    return null; // cem does not uninstall a gateway: it forgets it
                }
                if (change.operation() == ApplyRequest.Operation.CREATE && a.has("installer")) {
                    agent.add("internet_gateway.install", installArgs(r));
                }
                args.put("settingsKey", settingsKey(r)).put("serviceDisplayName", IG_SERVICE).put("backupDirectory", BACKUPS);
                args.put("keepBackups", a.path("backups").path("keep").asInt(DEFAULT_KEEP_BACKUPS));
                args.put("listenerPort", a.path("listenerPort").asInt());
                ArrayNode servers = args.putArray("servers");
                a.path("servers").forEach(s -> servers.add(s.path("fqdn").asText() + ":" + s.path("port").asInt(DEFAULT_SITE_PORT)));
                args.put("autoRefresh", a.path("autoRefresh").asBoolean(true) ? 1 : 0);
                // The new settings take effect when the service restarts: a running service is restarted;
                // a stopped one is left stopped (starting it would be a change the plan does not show).
                args.put("restartService", restartService);
                return agent.add("internet_gateway.set", args);
            }
            default -> throw new IllegalArgumentException("not an agent-op ITMS type: " + r.type());
        }
    }
}

package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Locale;

/**
 * The Notification Server's items on a lab host (resource targets, the CEM settings policy, site
 * servers, revocations, the offline package) and the host as a managed computer (agent.status).
 * Kept as the first lab drew them; another issue reworks these ops. [?] throughout: ITMS
 * documents the ASDK calls (domain/itms-cem.md §9), not the items' XML nor the CEM-only items.
 */
final class NotificationServer {

    private NotificationServer() {}

    static final String DEFAULT_POLICY = WindowsState.DEFAULT_POLICY;
    /** The lab NS's version ([?] where a real NS records it: the Version value of its registry key, as cem probe checks). */
    static final String VERSION = "8.8.1";
    /** [?] The key whose Version value cem assumes holds the NS's version. */
    static final String KEY = "HKLM:\\SOFTWARE\\Altiris\\eXpress\\Notification Server";

    /** The NS ops; an unknown op fails as the agent's dispatcher does. */
    static JsonNode run(WindowsState self, ObjectNode state, String op, JsonNode args) {
        return switch (op) {
            case "resource_target.read" -> readTargets(state, args);
            case "resource_target.set" -> setTarget(state, args);
            case "resource_target.remove" -> {
                ns(state).with("targets").remove(args.path("name").asText());
                yield WindowsState.object().put("name", args.path("name").asText());
            }
            case "cem_policy.read" -> readPolicy(self, state, args);
            case "cem_policy.set" -> setPolicy(state, args);
            case "site_server.read" -> {
                ArrayNode out = WindowsState.array();
                for (JsonNode n : args.path("names")) {
                    JsonNode server = ns(state).path("siteServers").get(n.asText().toLowerCase(Locale.ROOT));
                    if (server != null) {
                        out.add(server.deepCopy());
                    }
                }
                yield out;
            }
            case "site_server.set" -> {
                ObjectNode server = ns(state).with("siteServers").putObject(args.path("serverFqdn").asText().toLowerCase(Locale.ROOT));
                server.put("serverFqdn", args.path("serverFqdn").asText()).put("cemRole", args.path("cemRole").asBoolean(true));
                server.set("communicationHosts", args.path("communicationHosts").deepCopy());
                yield WindowsState.object().put("serverFqdn", args.path("serverFqdn").asText());
            }
            case "offline_package.generate" -> {
                ObjectNode policy = (ObjectNode) ns(state).path("policies").path(DEFAULT_POLICY);
                String content = "CEM offline package (lab)\ngateways: " + policy.path("gateways") + "\n";
                yield WindowsState.object().put("package", Base64.getEncoder().encodeToString(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            case "cem_certificate.read" -> ns(state).withArray("revocations").deepCopy();
            case "cem_certificate.revoke" -> {
                ArrayNode revoked = ns(state).withArray("revocations");
                boolean known = false;
                for (JsonNode r : revoked) {
                    known |= r.path("thumbprint").asText().equalsIgnoreCase(args.path("thumbprint").asText())
                            && r.path("computer").asText().equalsIgnoreCase(args.path("computer").asText());
                }
                if (!known) {
                    revoked.addObject().put("computer", args.path("computer").asText()).put("thumbprint", args.path("thumbprint").asText());
                }
                yield WindowsState.object().put("revoked", true);
            }
            default -> throw new IllegalArgumentException("Unknown op " + op);
        };
    }

    private static ObjectNode ns(ObjectNode state) {
        if (!state.has("ns")) {
            ObjectNode ns = state.putObject("ns");
            ns.putObject("targets");
            ObjectNode policy = ns.putObject("policies").putObject(DEFAULT_POLICY);
            policy.put("guid", java.util.UUID.nameUUIDFromBytes(DEFAULT_POLICY.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
            policy.put("enabled", false).put("allowCloudCommunication", false).put("preferCem", false).put("preferCemOnVpn", false);
            policy.putArray("gateways");
            policy.putArray("targets");
            // [?] Where the NS records its version: the lab's picture is the agent's assumption (cem probe checks it).
            state.with("registry").putObject(KEY).put("Version", VERSION);
        }
        return (ObjectNode) state.get("ns");
    }

    private static JsonNode readTargets(ObjectNode state, JsonNode args) {
        ArrayNode out = WindowsState.array();
        for (JsonNode guid : args.path("guids")) {
            for (JsonNode t : ns(state).path("targets")) {
                if (t.path("guid").asText().equalsIgnoreCase(guid.asText().replace("{", "").replace("}", ""))) {
                    out.add(((ObjectNode) t.deepCopy()).put("memberCount", t.path("filters").isEmpty() ? 0 : 12));
                }
            }
        }
        for (JsonNode name : args.path("names")) {
            JsonNode t = ns(state).path("targets").get(name.asText());
            if (t != null) {
                // The lab's NS knows twelve computers; a target with filters holds them all.
                out.add(((ObjectNode) t.deepCopy()).put("memberCount", t.path("filters").isEmpty() ? 0 : 12));
            }
        }
        return out;
    }

    private static JsonNode setTarget(ObjectNode state, JsonNode a) {
        if (a.hasNonNull("guid")) {
            String guid = a.get("guid").asText().replace("{", "").replace("}", "");
            for (JsonNode t : ns(state).path("targets")) {
                if (t.path("guid").asText().equalsIgnoreCase(guid)) {
                    return WindowsState.object().put("guid", guid);
                }
            }
            throw new IllegalStateException("No resource target has the GUID " + guid + ".");
        }
        String name = a.path("name").asText();
        ObjectNode targets = ns(state).with("targets");
        JsonNode existing = targets.get(name);
        String guid = existing != null ? existing.path("guid").asText() : java.util.UUID.randomUUID().toString();
        ObjectNode t = targets.putObject(name);
        t.put("name", name).put("guid", guid).put("mode", a.path("mode").asText("computers"))
                .put("baseGroup", a.path("baseGroup").asText("All Discovered Resources"));
        t.set("filters", a.path("filters").isArray() ? a.get("filters").deepCopy() : WindowsState.array());
        return WindowsState.object().put("guid", guid);
    }

    private static JsonNode readPolicy(WindowsState self, ObjectNode state, JsonNode a) {
        JsonNode p = ns(state).path("policies").get(a.path("policyName").asText());
        if (p == null) {
            return WindowsState.object().put("exists", false);
        }
        ObjectNode out = ((ObjectNode) p).deepCopy();
        out.put("exists", true);
        out.put("nsVersion", VERSION);
        // Status reporting is the NS's setting (Settings > Notification Server > Internet Gateway, KB
        // 216202 step 4): the lab's NS has it enabled, as an administrator does in step 5.
        boolean reporting = ns(state).path("statusReporting").asBoolean(true);
        for (JsonNode g : out.path("gateways")) {
            String fqdn = g.path("fqdn").asText();
            boolean online = false;
            for (WindowsState peer : self.peers()) {
                online |= peer != self && peer.reportsOnline(fqdn);
            }
            ((ObjectNode) g).put("online", reporting && online);
        }
        ArrayNode targets = out.putArray("targets");
        for (JsonNode guid : p.path("targets")) {
            String name = "";
            for (JsonNode t : ns(state).path("targets")) {
                if (t.path("guid").asText().equals(guid.asText())) {
                    name = t.path("name").asText();
                }
            }
            targets.addObject().put("guid", guid.asText()).put("name", name);
        }
        return out;
    }

    private static JsonNode setPolicy(ObjectNode state, JsonNode a) {
        String name = a.path("policyName").asText();
        ObjectNode p = (ObjectNode) ns(state).path("policies").get(name);
        if (p == null) {
            throw new IllegalStateException("The policy \"" + name + "\" does not exist on this Notification Server.");
        }
        ArrayNode guids = WindowsState.array();
        a.path("targetGuids").forEach(g -> guids.add(g.asText()));
        for (JsonNode t : a.path("targetNames")) {
            JsonNode target = ns(state).path("targets").get(t.asText());
            if (target == null) {
                throw new IllegalStateException("Resource target \"" + t.asText() + "\" not found.");
            }
            guids.add(target.path("guid").asText());
        }
        p.put("enabled", a.path("enabled").asBoolean(true)).put("allowCloudCommunication", a.path("allowCloudCommunication").asBoolean(true))
                .put("preferCem", a.path("preferCem").asBoolean(false)).put("preferCemOnVpn", a.path("preferCemOnVpn").asBoolean(false));
        p.set("gateways", a.path("gateways").deepCopy());
        p.set("targets", guids);
        return WindowsState.object().put("guid", p.path("guid").asText());
    }

    /**
     * This host as a managed computer: its agent switched to gateway mode when some NS delivers an
     * enabled CEM policy with targets and an Online gateway — unless its Secure Gateway Mode was
     * left at 1 (the 8.7 stuck state, KB 397041), which drift can set.
     */
    static JsonNode agentStatus(WindowsState self, ObjectNode state, JsonNode args) {
        boolean delivered = false;
        for (WindowsState peer : self.peers()) {
            delivered |= peer != self && deliversCem(self, peer);
        }
        int stored = state.path("agent").path("secureGatewayMode").asInt(0);
        boolean switched = delivered && stored != 1;
        String dir = args.path("logDirectories").path(0).asText("C:\\ProgramData\\Symantec\\Symantec Agent\\Logs");
        ObjectNode out = WindowsState.object().put("agentLog", dir + "\\Agent.log")
                .put("switched", switched).put("secureGatewayMode", stored == 1 ? 1 : switched ? 2 : 0)
                .put("preferSecureGatewayConnect", state.path("agent").path("preferSecureGatewayConnect").asInt(1));
        return out;
    }

    /** Whether this host is an NS whose CEM policy reaches agents: enabled, cloud allowed, targets set, a gateway Online. */
    static boolean deliversCem(WindowsState self, WindowsState ns) {
        JsonNode p = ns.published().path("ns").path("policies").path(DEFAULT_POLICY);
        if (!p.path("enabled").asBoolean() || !p.path("allowCloudCommunication").asBoolean() || p.path("targets").isEmpty()) {
            return false;
        }
        for (JsonNode g : p.path("gateways")) {
            for (WindowsState peer : self.peers()) {
                if (peer != ns && peer.reportsOnline(g.path("fqdn").asText())) {
                    return true;
                }
            }
        }
        return false;
    }
}

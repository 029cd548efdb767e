package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Locale;

/**
 * The Notification Server's items on a lab host (resource targets, the CEM settings policy, site
 * servers, revocations, the offline package) and the host as a managed computer (agent.status).
 * Targets and the CEM policy are reached through the ASDK's documented web services
 * ({@link AsdkEndpoint}); the CEM-only items (site servers, revocations, the offline package) have
 * no documented API and keep the lab's own ops ([?] throughout).
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
            case "asdk.call" -> AsdkEndpoint.call(ns(state), args);
            case "ns.facts" -> facts(self, state);
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
            policy.put("guid", AsdkEndpoint.fixedGuid(AsdkEndpoint.POLICY, DEFAULT_POLICY));
            policy.put("enabled", false).put("allowCloudCommunication", false).put("preferCem", false).put("preferCemOnVpn", false);
            policy.putArray("gateways");
            policy.putArray("targets");
            // [?] Where the NS records its version: the lab's picture is the agent's assumption (cem probe checks it).
            state.with("registry").putObject(KEY).put("Version", VERSION);
        }
        return (ObjectNode) state.get("ns");
    }

    /**
     * ns.facts: the version the lab's NS reports, and the external names of the gateways its
     * policies list that a peer IG reports Online (the lab's picture of KB 216202's status page; [?]
     * where a real NS keeps it, so the agent claims none there).
     */
    private static JsonNode facts(WindowsState self, ObjectNode state) {
        ObjectNode out = WindowsState.object().put("nsVersion", "8.8.1");
        ArrayNode online = out.putArray("onlineGateways");
        // Status reporting is the NS's setting (Settings > Notification Server > Internet Gateway, KB
        // 216202 step 4): the lab's NS has it enabled, as an administrator does in step 5.
        if (!ns(state).path("statusReporting").asBoolean(true)) {
            return out;
        }
        for (JsonNode p : NsItems.policies(ns(state)).values()) {
            for (JsonNode g : p.path("gateways")) {
                String fqdn = g.path("fqdn").asText();
                boolean on = false;
                for (WindowsState peer : self.peers()) {
                    on |= peer != self && peer.reportsOnline(fqdn);
                }
                if (on) {
                    online.add(fqdn);
                }
            }
        }
        return out;
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
        if (!ns.published().path("ns").path("statusReporting").asBoolean(true)) {
            return false; // the NS does not take its gateways' status reports: none is Online
        }
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

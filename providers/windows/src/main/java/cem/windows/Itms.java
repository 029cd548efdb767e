package cem.windows;

import cem.spi.ApplyRequest;
import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    private Itms() {}

    /** The [?] locations of a gateway's settings and logs, when the resource names them. */
    static ObjectNode locations(ResourceInstance r) {
        ObjectNode args = WindowsProvider.object();
        for (String f : new String[] {"settingsKey", "logDirectory"}) {
            if (r.attributes().hasNonNull(f)) {
                args.put(f, r.attributes().get(f).asText());
            }
        }
        return args;
    }

    static String targetName(ResourceInstance r) {
        return r.attributes().path("targetName").asText(r.name());
    }

    static String policyName(ResourceInstance r) {
        return r.attributes().path("policyName").asText(WindowsSchemas.DEFAULT_POLICY);
    }

    static LiveResource gateway(ResourceInstance r, JsonNode g) {
        if (!g.path("installed").asBoolean(false)) {
            return LiveResource.absent(r.address());
        }
        JsonNode desired = r.attributes();
        ObjectNode attrs = ((ObjectNode) desired).deepCopy();
        attrs.put("listenerPort", g.path("listenerPort").asInt());
        ArrayNode servers = attrs.putArray("servers");
        for (JsonNode s : g.path("servers")) {
            ObjectNode item = servers.addObject().put("fqdn", s.path("fqdn").asText());
            if (s.path("port").asInt() != DEFAULT_SITE_PORT || writtenWithPort(desired, s.path("fqdn").asText())) {
                item.put("port", s.path("port").asInt());
            }
        }
        attrs.put("autoRefresh", g.path("autoRefresh").asBoolean());
        attrs.put("statusReporting", g.path("statusReporting").asBoolean());
        if (desired.has("version")) {
            attrs.put("version", g.path("version").asText());
        }
        attrs.put("registered", g.path("registered").asBoolean());
        attrs.put("installedVersion", g.path("version").asText());
        attrs.put("serviceState", g.path("serviceState").asText());
        return new LiveResource(r.address(), true, "internet-gateway", attrs);
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

    static LiveResource target(ResourceInstance r, JsonNode targets) {
        String name = targetName(r);
        String guid = r.attributes().path("guid").asText("").replace("{", "").replace("}", "");
        for (JsonNode t : targets) {
            boolean match = guid.isEmpty() ? t.path("name").asText().equals(name) : t.path("guid").asText().equalsIgnoreCase(guid);
            if (match) {
                ObjectNode attrs = WindowsProvider.object();
                if (r.attributes().has("targetName")) {
                    attrs.put("targetName", guid.isEmpty() ? name : t.path("name").asText());
                }
                if (r.attributes().has("guid")) {
                    attrs.set("guid", r.attributes().get("guid"));
                }
                attrs.put("mode", t.path("mode").asText(r.attributes().path("mode").asText()));
                attrs.put("baseGroup", t.path("baseGroup").asText(r.attributes().path("baseGroup").asText()));
                // [?] The ASDK cannot return a target's filters: where the host does not say, what cem set stands.
                attrs.set("filters", t.has("filters") ? t.get("filters") : r.attributes().path("filters"));
                attrs.put("memberCount", t.path("memberCount").asInt());
                return new LiveResource(r.address(), true, t.path("guid").asText(), attrs);
            }
        }
        return LiveResource.absent(r.address());
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
                guids.add(t.path("guid").asText());
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

    static Integer op(Agent agent, ApplyRequest.Change change) {
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
                    ObjectNode install = locations(r).put("package", a.path("installer").path("package").asText());
                    install.set("arguments", a.path("installer").path("arguments").isArray() ? a.get("installer").get("arguments")
                            : WindowsProvider.array());
                    agent.add("internet_gateway.install", install);
                }
                args.setAll(locations(r));
                args.put("externalFqdn", a.path("externalFqdn").asText());
                args.put("listenerPort", a.path("listenerPort").asInt());
                ArrayNode servers = args.putArray("servers");
                a.path("servers").forEach(s -> servers.addObject().put("fqdn", s.path("fqdn").asText())
                        .put("port", s.path("port").asInt(DEFAULT_SITE_PORT)));
                args.put("autoRefresh", a.path("autoRefresh").asBoolean(true));
                args.put("statusReporting", a.path("statusReporting").asBoolean(true));
                args.put("keepBackups", a.path("backups").path("keep").asInt(5));
                return agent.add("internet_gateway.set", args);
            }
            case "resource_target" -> {
                args.put("name", targetName(r));
                if (delete) {
                    return r.attributes().hasNonNull("guid") ? null : agent.add("resource_target.remove", args);
                }
                if (a.hasNonNull("guid")) {
                    args.put("guid", a.get("guid").asText());
                }
                args.put("mode", a.path("mode").asText("computers")).put("baseGroup", a.path("baseGroup").asText("All Discovered Resources"));
                args.set("filters", a.path("filters").isArray() ? a.get("filters") : WindowsProvider.array());
                return agent.add("resource_target.set", args);
            }
            default -> {
                args.put("policyName", policyName(r));
                args.put("enabled", !delete && a.path("enabled").asBoolean(true));
                args.put("allowCloudCommunication", !delete && a.path("allowCloudCommunication").asBoolean(true));
                args.put("preferCem", a.path("preferCem").asBoolean(false)).put("preferCemOnVpn", a.path("preferCemOnVpn").asBoolean(false));
                ArrayNode gateways = args.putArray("gateways");
                ArrayNode names = args.putArray("targetNames");
                ArrayNode guids = args.putArray("targetGuids");
                if (!delete) {
                    for (JsonNode g : a.path("gateways")) {
                        JsonNode gw = r.related().get("internet_gateway." + g.path("gateway").asText());
                        gateways.addObject().put("fqdn", gw == null ? g.path("gateway").asText() : gw.path("externalFqdn").asText())
                                .put("port", g.path("port").asInt());
                    }
                    for (JsonNode t : a.path("targets")) {
                        JsonNode target = r.related().get("resource_target." + t.asText());
                        names.add(target == null ? t.asText() : target.path("targetName").asText(t.asText()));
                    }
                    a.path("targetGuids").forEach(g -> guids.add(g.asText()));
                }
                return agent.add("cem_policy.set", args);
            }
        }
    }
}

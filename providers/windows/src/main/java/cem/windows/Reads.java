package cem.windows;

import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The read ops of a batch (one per resource type present, whatever the number of resources), and
 * how their answers become each resource's live state.
 */
final class Reads {

    private int certificates = -1;
    private int bindings = -1;
    private int firewall = -1;
    private int services = -1;
    private int gateway = -1;
    private int targets = -1;
    private int revocations = -1;
    private int siteServers = -1;
    private final java.util.Map<String, Integer> policies = new java.util.HashMap<>();

    static Reads add(Agent agent, Collection<ResourceInstance> resources) {
        Reads r = new Reads();
        ArrayNode serviceNames = WindowsProvider.array();
        ArrayNode targetNames = WindowsProvider.array();
        ArrayNode targetGuids = WindowsProvider.array();
        ArrayNode siteNames = WindowsProvider.array();
        for (ResourceInstance i : resources) {
            switch (i.type()) {
                case "internet_gateway" -> r.gateway = r.gateway >= 0 ? r.gateway : agent.add("internet_gateway.read", Itms.locations(i));
                case "resource_target" -> {
                    if (i.attributes().hasNonNull("guid")) {
                        targetGuids.add(i.attributes().get("guid").asText());
                    } else {
                        targetNames.add(Itms.targetName(i));
                    }
                }
                case "site_server" -> siteNames.add(i.attributes().path("serverFqdn").asText());
                case "cem_certificate" -> r.revocations = r.revocations >= 0 ? r.revocations
                        : agent.add("cem_certificate.read", WindowsProvider.object());
                case "cem_policy" -> r.policies.computeIfAbsent(Itms.policyName(i),
                        name -> agent.add("cem_policy.read", WindowsProvider.object().put("policyName", name)));
                case "certificate" -> r.certificates = r.certificates >= 0 ? r.certificates : agent.add("certificate.read", WindowsProvider.object());
                case "iis_binding" -> r.bindings = r.bindings >= 0 ? r.bindings : agent.add("iis_binding.read", WindowsProvider.object());
                case "windows_firewall_rule" -> r.firewall = r.firewall >= 0 ? r.firewall
                        : agent.add("windows_firewall_rule.read", WindowsProvider.object());
                case "windows_service" -> serviceNames.add(i.attributes().path("service").asText());
                default -> {
                }
            }
        }
        if (!siteNames.isEmpty()) {
            ObjectNode args = WindowsProvider.object();
            args.set("names", siteNames);
            r.siteServers = agent.add("site_server.read", args);
        }
        if (!targetNames.isEmpty() || !targetGuids.isEmpty()) {
            ObjectNode args = WindowsProvider.object();
            args.set("names", targetNames);
            args.set("guids", targetGuids);
            r.targets = agent.add("resource_target.read", args);
        }
        if (!serviceNames.isEmpty()) {
            ObjectNode args = WindowsProvider.object();
            args.set("names", serviceNames);
            r.services = agent.add("windows_service.read", args);
        }
        return r;
    }

    LiveResource live(ResourceInstance r, JsonNode results, HostTarget host) {
        return switch (r.type()) {
            case "certificate" -> certificate(r, data(results, certificates), host);
            case "iis_binding" -> binding(r, data(results, bindings), host);
            case "windows_firewall_rule" -> firewallRule(r, data(results, firewall));
            case "windows_service" -> service(r, data(results, services));
            case "internet_gateway" -> Itms.gateway(r, data(results, gateway));
            case "resource_target" -> Itms.target(r, data(results, targets));
            case "cem_policy" -> Itms.policy(r, data(results, policies.get(Itms.policyName(r))));
            case "cem_certificate" -> Itms.revocation(r, data(results, revocations));
            case "site_server" -> Itms.siteServer(r, data(results, siteServers));
            case "offline_package" -> OfflinePackage.live(r, host);
            default -> throw new IllegalStateException("not a Windows resource type: " + r.type());
        };
    }

    private static JsonNode data(JsonNode results, int index) {
        JsonNode result = results.path(index);
        if (!result.path("ok").asBoolean(false)) {
            throw new IllegalStateException(result.path("error").path("message").asText("the read failed"));
        }
        return result.path("data");
    }

    private static LiveResource certificate(ResourceInstance r, JsonNode store, HostTarget host) {
        Optional<String> file = CertificateFiles.thumbprint(r.attributes(), host.configDirectory());
        JsonNode found = file.map(t -> find(store, t)).orElse(null);
        boolean fromFile = found != null;
        if (found == null && r.identity() != null) {
            found = find(store, r.identity());
        }
        if (found == null) {
            return LiveResource.absent(r.address());
        }
        ObjectNode attrs = ((ObjectNode) r.attributes()).deepCopy();
        attrs.remove("password");
        if (!fromFile) {
            // The certificate cem imported before is still there, but the file now holds another one.
            String other = "(certificate " + found.path("thumbprint").asText() + ")";
            attrs.put(attrs.has("pfx") ? "pfx" : "pem", other);
        }
        if (attrs.has("friendlyName")) {
            attrs.put("friendlyName", found.path("friendlyName").asText(""));
        }
        attrs.put("thumbprint", found.path("thumbprint").asText());
        attrs.put("subject", found.path("subject").asText());
        attrs.put("notAfter", found.path("notAfter").asText());
        return new LiveResource(r.address(), true, found.path("thumbprint").asText(), attrs);
    }

    private static JsonNode find(JsonNode store, String thumbprint) {
        for (JsonNode c : store) {
            if (c.path("thumbprint").asText().equalsIgnoreCase(thumbprint)) {
                return c;
            }
        }
        return null;
    }

    private static LiveResource binding(ResourceInstance r, JsonNode iis, HostTarget host) {
        JsonNode a = r.attributes();
        for (JsonNode b : iis.path("bindings")) {
            if (b.path("site").asText().equalsIgnoreCase(a.path("site").asText())
                    && b.path("protocol").asText().equalsIgnoreCase(a.path("protocol").asText("https"))
                    && ip(b.path("ip").asText()).equals(ip(a.path("ip").asText("*")))
                    && b.path("port").asInt() == a.path("port").asInt()
                    && b.path("hostHeader").asText("").equalsIgnoreCase(a.path("hostHeader").asText(""))) {
                ObjectNode attrs = WindowsProvider.object();
                attrs.put("site", b.path("site").asText());
                attrs.put("protocol", b.path("protocol").asText());
                attrs.put("ip", b.path("ip").asText());
                attrs.put("port", b.path("port").asInt());
                attrs.put("hostHeader", b.path("hostHeader").asText(""));
                attrs.put("sni", b.path("sni").asBoolean(false));
                String thumb = b.path("thumbprint").asText("");
                attrs.put("thumbprint", thumb);
                if (a.has("certificate")) {
                    String wanted = relatedThumbprint(r, host).orElse("");
                    attrs.put("certificate", !thumb.isEmpty() && thumb.equalsIgnoreCase(wanted) ? a.get("certificate").asText()
                            : thumb.isEmpty() ? "(no certificate)" : "(certificate " + thumb + ")");
                }
                return new LiveResource(r.address(), true, identity(attrs), attrs);
            }
        }
        return LiveResource.absent(r.address());
    }

    /** The thumbprint of the certificate resource a binding names (from the resources it refers to). */
    static Optional<String> relatedThumbprint(ResourceInstance r, HostTarget host) {
        JsonNode cert = r.related().get("certificate." + r.attributes().path("certificate").asText());
        return cert == null ? Optional.empty() : CertificateFiles.thumbprint(cert, host.configDirectory());
    }

    static String identity(JsonNode b) {
        return b.path("site").asText() + "|" + b.path("protocol").asText() + "|" + ip(b.path("ip").asText()) + "|" + b.path("port").asInt()
                + "|" + b.path("hostHeader").asText("").toLowerCase(Locale.ROOT);
    }

    private static String ip(String ip) {
        return ip.isEmpty() || ip.equals("0.0.0.0") ? "*" : ip;
    }

    static String ruleName(ResourceInstance r) {
        return r.attributes().path("ruleName").asText("cem-" + r.name());
    }

    private static LiveResource firewallRule(ResourceInstance r, JsonNode rules) {
        String name = ruleName(r);
        for (JsonNode rule : rules) {
            if (rule.path("ruleName").asText().equals(name)) {
                ObjectNode attrs = ((ObjectNode) rule).deepCopy();
                if (!r.attributes().has("ruleName")) {
                    attrs.remove("ruleName");
                }
                return new LiveResource(r.address(), true, name, attrs);
            }
        }
        return LiveResource.absent(r.address());
    }

    private static LiveResource service(ResourceInstance r, JsonNode services) {
        for (JsonNode s : services) {
            if (s.path("service").asText().equalsIgnoreCase(r.attributes().path("service").asText())) {
                ObjectNode attrs = ((ObjectNode) s).deepCopy();
                return new LiveResource(r.address(), true, s.path("service").asText(), attrs);
            }
        }
        return LiveResource.absent(r.address());
    }
}

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
import java.security.cert.X509Certificate;

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
    private int facts = -1;
    private int revocations = -1;
    private int siteServers = -1;
    private int agentInfo = -1;
    private final AsdkReads asdk = new AsdkReads(java.util.Map.of());
    private final HostTarget host;

    private Reads(HostTarget host) {
        this.host = host;
    }

    /**
     * [?] Where the NS records its version: assumed the Notification Server key's Version value
     * (read by the agent's ns.facts op).
     */
    static final String NS_VERSION_KEY = "HKLM:\\SOFTWARE\\Altiris\\eXpress\\Notification Server";

    static Reads add(Agent agent, Collection<ResourceInstance> resources, HostTarget host) {
        Reads r = new Reads(host);
        ArrayNode serviceNames = WindowsProvider.array();
        ArrayNode siteNames = WindowsProvider.array();
        for (ResourceInstance i : resources) {
            switch (i.type()) {
                case "internet_gateway" -> r.gateway = r.gateway >= 0 ? r.gateway : agent.add("internet_gateway.read", Itms.readArgs(i));
                case "resource_target" -> r.asdk.first(i, host);
                case "site_server" -> siteNames.add(i.attributes().path("serverFqdn").asText());
                case "cem_certificate" -> r.revocations = r.revocations >= 0 ? r.revocations
                        : agent.add("cem_certificate.read", WindowsProvider.object());
                case "cem_policy" -> {
                    r.asdk.first(i, host);
                    r.facts = r.facts >= 0 ? r.facts : agent.add("ns.facts", WindowsProvider.object().put("versionKey", NS_VERSION_KEY));
                }
                case "certificate" -> {
                    r.certificates = r.certificates >= 0 ? r.certificates : agent.add("certificate.read", WindowsProvider.object());
                    // The host's encryption certificate, to seal a PFX to at apply time without another round trip.
                    r.agentInfo = r.agentInfo >= 0 ? r.agentInfo : agent.add("agent.info", WindowsProvider.object());
                }
                case "iis_binding" -> r.bindings = r.bindings >= 0 ? r.bindings : agent.add("iis_binding.read", WindowsProvider.object());
                case "windows_firewall_rule" -> r.firewall = r.firewall >= 0 ? r.firewall
                        : agent.add("windows_firewall_rule.read", WindowsProvider.object().put("group", Firewall.GROUP));
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
        r.asdk.send(agent);
        if (!serviceNames.isEmpty()) {
            ObjectNode args = WindowsProvider.object();
            args.set("names", serviceNames);
            r.services = agent.add("windows_service.read", args);
        }
        return r;
    }

    /** Takes the ASDK answers of the batch the calls went in. */
    void take(JsonNode results) {
        asdk.take(results);
    }

    /** Adds to a new batch the ASDK calls only the answers made possible; false when there are none. */
    boolean followUp(Collection<ResourceInstance> resources, Agent agent) {
        if (!asdk.followUp(resources, host)) {
            return false;
        }
        asdk.send(agent);
        return true;
    }

    /** The ASDK answers of this read, by call. */
    java.util.Map<String, JsonNode> asdkAnswers() {
        return asdk.answers();
    }

    LiveResource live(ResourceInstance r, JsonNode results, HostTarget host) {
        return switch (r.type()) {
            case "certificate" -> liveCertificate(r, data(results, certificates), host);
            case "iis_binding" -> Bindings.live(r, data(results, bindings), host);
            case "windows_firewall_rule" -> Firewall.live(r, data(results, firewall));
            case "windows_service" -> service(r, data(results, services));
            case "internet_gateway" -> Itms.gateway(r, data(results, gateway));
            case "resource_target" -> asdk.target(r, host);
            case "cem_policy" -> asdk.policy(r, host, data(results, facts));
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

    /** The certificate of this resource in LocalMachine\\My as the agent listed it (raw DER), found by the thumbprint of its file. */
    LiveResource liveCertificate(ResourceInstance r, JsonNode store, HostTarget host) {
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
        attrs.remove("pemData");
        if (!fromFile) {
            // The certificate cem imported before is still there, but the file now holds another one.
            String other = "(certificate " + found.path("thumbprint").asText() + ")";
            attrs.put(attrs.has("pfx") ? "pfx" : "pem", other);
        }
        if (attrs.has("friendlyName")) {
            attrs.put("friendlyName", found.path("friendlyName").asText(""));
        }
        X509Certificate parsed = der(found.path("rawData").asText());
        CertificateFiles.shown(parsed).forEach(attrs::set);
        attrs.put("thumbprint", found.path("thumbprint").asText().toUpperCase(Locale.ROOT)); // as the store keys it
        if (attrs.has("names")) {
            attrs.set("names", dnsNames(parsed)); // an ACME certificate: the names it covers today
        }
        return new LiveResource(r.address(), true, found.path("thumbprint").asText(), attrs);
    }

    private static com.fasterxml.jackson.databind.node.ArrayNode dnsNames(X509Certificate cert) {
        com.fasterxml.jackson.databind.node.ArrayNode out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        try {
            java.util.Collection<java.util.List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                sans.stream().filter(n -> Integer.valueOf(2).equals(n.get(0))).forEach(n -> out.add(String.valueOf(n.get(1)).toLowerCase(Locale.ROOT)));
            }
        } catch (java.security.cert.CertificateParsingException e) {
            // no names readable: the plan shows them all as wanted
        }
        return out;
    }

    /** A certificate from X509Certificate2.RawData (DER, base64): Java reads names, key, usages and dates, not the host's locale. */
    static X509Certificate der(String base64) {
        try {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(base64)));
        } catch (java.security.cert.CertificateException | IllegalArgumentException e) {
            throw new IllegalStateException("the host returned a certificate that cannot be parsed: " + e.getMessage());
        }
    }

    private static JsonNode find(JsonNode store, String thumbprint) {
        for (JsonNode c : store) {
            if (c.path("thumbprint").asText().equalsIgnoreCase(thumbprint)) {
                return c;
            }
        }
        return null;
    }

    /** The thumbprint of the certificate resource a binding names (from the resources it refers to). */
    static Optional<String> relatedThumbprint(ResourceInstance r, HostTarget host) {
        JsonNode cert = r.related().get("certificate." + r.attributes().path("certificate").asText());
        return cert == null ? Optional.empty() : CertificateFiles.thumbprint(cert, host.configDirectory());
    }

    /**
     * A service from Win32_Service: State "Running"/"Stopped"/"Start Pending"…, StartMode "Auto",
     * "Manual", "Disabled" (also "Boot", "System"), and DelayedAutoStart, a separate flag (Win32_Service
     * class, Microsoft Learn; Windows Server 2016 and later).
     */
    private static LiveResource service(ResourceInstance r, JsonNode services) {
        for (JsonNode s : services) {
            String wanted = r.attributes().path("service").asText();
            if (s.path("name").asText().equalsIgnoreCase(wanted) || s.path("displayName").asText().equalsIgnoreCase(wanted)) {
                ObjectNode attrs = WindowsProvider.object();
                attrs.put("service", wanted); // as the configuration names it: its key name or its display name
                attrs.put("state", s.path("state").asText().toLowerCase(Locale.ROOT));
                attrs.put("startType", startType(s.path("startMode").asText(), s.path("delayedAutoStart").asBoolean(false)));
                return new LiveResource(r.address(), true, s.path("name").asText(), attrs);
            }
        }
        return LiveResource.absent(r.address());
    }

    static String startType(String startMode, boolean delayed) {
        return switch (startMode.toLowerCase(Locale.ROOT)) {
            case "auto" -> delayed ? "delayed" : "automatic";
            case "manual" -> "manual";
            case "disabled" -> "disabled";
            default -> startMode.toLowerCase(Locale.ROOT);
        };
    }

    /** What the host answered to agent.info in this batch (its encryption certificates), when the batch asked. */
    Optional<JsonNode> agentInfo(JsonNode results) {
        return agentInfo < 0 || !results.path(agentInfo).path("ok").asBoolean() ? Optional.empty() : Optional.of(results.path(agentInfo).path("data"));
    }

    /** The raw gateway read of this batch, when it had one. */
    Optional<JsonNode> gateway(JsonNode results) {
        return gateway < 0 || !results.path(gateway).path("ok").asBoolean() ? Optional.empty() : Optional.of(results.path(gateway).path("data"));
    }

    /** The raw IIS read of this batch, when it had one. */
    Optional<JsonNode> iis(JsonNode results) {
        return bindings < 0 || !results.path(bindings).path("ok").asBoolean() ? Optional.empty() : Optional.of(results.path(bindings).path("data"));
    }
}

package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The two port places beyond KB 440283's three, which break CEM as silently (domain reference
 * §12): the Windows Firewall of the gateway's host lets the listener port in, and the port of each
 * server in the gateway's server list is one the server serves HTTPS on (its CEM agent site, 4726
 * by default).
 *
 * <p>Windows Firewall: a rule matches inbound TCP to the port when it is enabled, inbound, TCP or
 * any protocol, and lists the port or no port. When an allow rule and a block rule match the same
 * traffic, the block rule wins (Microsoft, [MS-FASP] 2.2.34 FW_RULE_ACTION: "block rules take
 * precedence over allow rules"; only allow-bypass rules of authenticated traffic win over a block,
 * and cem declares none). A block rule limited to remote addresses blocks only those, so it is not
 * taken as closing the port. A host with no rule in the configuration is left to whoever manages
 * its firewall, unless the configuration manages Windows Firewall rules on other hosts: then the
 * gateway's host was likely forgotten, and that is a warning.
 *
 * <p>Server ports: the server is the host whose {@code fqdn} (or address) is the entry's name;
 * when the configuration declares that host's CEM agent site (an HTTPS binding on a port other
 * than 443, which is the Default Web Site of intranet agents, §2.2), the entry's port is the port
 * of one of the host's HTTPS bindings. Which site serves cloud agents is documented only by its
 * default port, so with several bindings any of them counts; a host whose CEM agent site is not
 * declared is not checked here ({@code cem doctor} checks the live bindings).
 */
public final class HostPortRule {

    /** The CEM agent site's default port (KB 440283; domain reference §2.2). */
    static final int CEM_AGENT_PORT = 4726;

    Diagnostics check(Configuration config) {
        Diagnostics.Builder out = Diagnostics.builder();
        for (ResourceConfig gateway : config.ofType("internet_gateway")) {
            Optional<Integer> listener = gateway.integer("listenerPort");
            if (listener.isPresent() && gateway.host() != null && config.hosts().containsKey(gateway.host())) {
                firewall(config, gateway, listener.get(), out);
            }
            servers(config, gateway, out);
        }
        return out.build();
    }

    /** Whether a windows_firewall_rule matches inbound TCP to this port, whatever its action. */
    static boolean matchesInboundTcp(ResourceConfig rule, int port) {
        if (!rule.string("direction").orElse("").equals("inbound") || !rule.flag("enabled", true)) {
            return false;
        }
        String protocol = rule.string("protocol").orElse("tcp");
        if (!protocol.equals("tcp") && !protocol.equals("any")) {
            return false;
        }
        JsonNode ports = rule.body().path("localPorts");
        if (ports.isEmpty() || !protocol.equals("tcp")) {
            return true; // no port filter (and none is possible with protocol any)
        }
        for (JsonNode p : ports) {
            if (p.asInt() == port) {
                return true;
            }
        }
        return false;
    }

    private static void firewall(Configuration config, ResourceConfig gateway, int listener, Diagnostics.Builder out) {
        List<ResourceConfig> onHost = new ArrayList<>();
        for (ResourceConfig r : config.ofType("windows_firewall_rule")) {
            if (gateway.host().equals(r.host())) {
                onHost.add(r);
            }
        }
        String at = gateway.range("listenerPort").label();
        if (onHost.isEmpty()) {
            if (!config.ofType("windows_firewall_rule").isEmpty()) {
                out.add(Diagnostic.warning(ConfigCodes.GATEWAY_HOST_FIREWALL_UNDECLARED,
                        "No Windows Firewall rule declared on gateway host \"" + gateway.host() + "\"",
                        "The configuration manages Windows Firewall rules on other hosts, but none on " + gateway.host()
                                + ", where gateway \"" + gateway.name() + "\" listens on " + listener + " (" + at
                                + "): cem cannot check that agents get in.",
                        "Add a windows_firewall_rule on host " + gateway.host() + " (direction: inbound, action: allow, localPorts: ["
                                + listener + "]), or check the rule whoever manages that firewall keeps with `cem doctor`.",
                        gateway.range("host")).withAddress(gateway.address()));
            }
            return;
        }
        for (ResourceConfig r : onHost) {
            if (r.string("action").orElse("").equals("block") && r.body().path("remoteAddresses").isEmpty() && matchesInboundTcp(r, listener)) {
                out.add(Diagnostic.error(ConfigCodes.GATEWAY_HOST_FIREWALL_PORT, "Windows Firewall rule blocks the gateway's listener port " + listener,
                        "Rule \"" + r.name() + "\" on host " + gateway.host() + " blocks inbound TCP " + listener + ", the port gateway \""
                                + gateway.name() + "\" listens on (" + at + "). In Windows Firewall a block rule wins over any allow rule"
                                + " for the same traffic ([MS-FASP] 2.2.34), so agents cannot connect through the gateway.",
                        "Remove " + listener + " from the block rule, or narrow it with remoteAddresses.",
                        r.body().has("localPorts") ? r.range("localPorts") : r.declRange()).withAddress(r.address()));
                return;
            }
        }
        for (ResourceConfig r : onHost) {
            if (r.string("action").orElse("").equals("allow") && matchesInboundTcp(r, listener)) {
                return;
            }
        }
        ResourceConfig shown = onHost.get(0);
        for (ResourceConfig r : onHost) {
            if (r.string("action").orElse("").equals("allow") && r.string("direction").orElse("").equals("inbound")) {
                shown = r;
                break;
            }
        }
        List<String> found = new ArrayList<>();
        for (ResourceConfig r : onHost) {
            found.add(r.address() + " " + r.string("direction").orElse("?") + " " + r.string("action").orElse("?") + " "
                    + r.string("protocol").orElse("tcp") + " " + (r.body().path("localPorts").isEmpty() ? "any port" : r.body().path("localPorts"))
                    + (r.flag("enabled", true) ? "" : " (disabled)"));
        }
        out.add(Diagnostic.error(ConfigCodes.GATEWAY_HOST_FIREWALL_PORT,
                "Windows Firewall on gateway host \"" + gateway.host() + "\" does not allow port " + listener,
                "Gateway \"" + gateway.name() + "\" listens on " + listener + " (" + at + "), but no enabled inbound allow rule on "
                        + gateway.host() + " lets TCP " + listener + " in; rules found: " + found + ". Agents then fail to connect"
                        + " through the gateway with no error in the console.",
                "Add " + listener + " to the localPorts of an inbound allow rule on " + gateway.host() + " (and enable it).",
                shown.body().has("localPorts") ? shown.range("localPorts") : shown.declRange()).withAddress(shown.address()));
    }

    private static void servers(Configuration config, ResourceConfig gateway, Diagnostics.Builder out) {
        JsonNode servers = gateway.body().path("servers");
        for (int i = 0; i < servers.size(); i++) {
            JsonNode entry = servers.path(i);
            String fqdn = entry.path("fqdn").asText("");
            int port = entry.path("port").isIntegralNumber() ? entry.path("port").asInt() : CEM_AGENT_PORT;
            HostConfig server = hostNamed(config, fqdn);
            if (server == null) {
                continue;
            }
            List<ResourceConfig> bindings = new ArrayList<>();
            for (ResourceConfig b : config.ofType("iis_binding")) {
                if (server.name().equals(b.host()) && b.string("protocol").orElse("https").equals("https") && b.integer("port").isPresent()) {
                    bindings.add(b);
                }
            }
            // Only the intranet agents' 443 binding declared: the CEM agent site is left to the doctor.
            boolean agentSiteDeclared = bindings.stream().anyMatch(b -> b.integer("port").get() != 443);
            if (!agentSiteDeclared || bindings.stream().anyMatch(b -> b.integer("port").get() == port)) {
                continue;
            }
            List<String> served = new ArrayList<>();
            for (ResourceConfig b : bindings) {
                served.add(b.address() + " " + b.string("site").orElse("?") + " port " + b.integer("port").get() + " (" + b.range("port").label() + ")");
            }
            String field = entry.has("port") ? "servers/" + i + "/port" : "servers/" + i + "/fqdn";
            out.add(Diagnostic.error(ConfigCodes.GATEWAY_SERVER_PORT, "Gateway server port " + port + " is not served by " + fqdn,
                    "Gateway \"" + gateway.name() + "\" reaches " + fqdn + " on port " + port + (entry.has("port") ? "" : " (the default)")
                            + ", but host " + server.name() + " serves HTTPS only on: " + served + ". The gateway then never registers"
                            + " with the server, and the console shows no error.",
                    "Set the entry's port to the port of the server's CEM agent site binding (" + CEM_AGENT_PORT + " by default), or bind that site to "
                            + port + ".",
                    gateway.range(field)).withAddress(gateway.address()));
        }
    }

    /** The host whose fqdn, else whose address, is this name (DNS names compare case-insensitively). */
    public static HostConfig hostNamed(Configuration config, String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (HostConfig h : config.hosts().values()) {
            if (h.body().hasNonNull("fqdn") && h.body().get("fqdn").asText().toLowerCase(Locale.ROOT).equals(wanted)) {
                return h;
            }
        }
        for (HostConfig h : config.hosts().values()) {
            if (h.address().toLowerCase(Locale.ROOT).equals(wanted)) {
                return h;
            }
        }
        return null;
    }
}

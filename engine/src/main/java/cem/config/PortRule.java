package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The three-place port rule of KB 440283: the port agents use for a gateway is the same in the
 * gateway's listener, the CEM policy and the perimeter firewall (and an F5 virtual server in front
 * of the gateway). A mismatch fails silently in production, so cem refuses it at plan time.
 */
final class PortRule {

    /** The port agents are told to use for a gateway, and where that is written. */
    private record AgentPort(int port, ResourceConfig policy, String field) {}

    Diagnostics check(Configuration config) {
        Diagnostics.Builder out = Diagnostics.builder();
        for (ResourceConfig gateway : config.ofType("internet_gateway")) {
            Optional<Integer> listener = gateway.integer("listenerPort");
            if (listener.isEmpty()) {
                continue;
            }
            Map<Integer, AgentPort> agentPorts = policyPorts(config, gateway.name());
            for (AgentPort p : agentPorts.values()) {
                if (p.port() != listener.get()) {
                    out.add(Diagnostic.error(ConfigCodes.PORT_POLICY_GATEWAY, "Port mismatch between gateway and CEM policy",
                            "The CEM policy tells agents to use " + p.port() + " for gateway \"" + gateway.name() + "\" ("
                                    + p.policy().range(p.field()).label() + "), but the gateway listens on " + listener.get() + ".",
                            "Use one port in all three places: the gateway listener, the CEM policy and the perimeter firewall rule.",
                            gateway.range("listenerPort")).withAddress(gateway.address()));
                }
            }
            int port = agentPorts.isEmpty() ? listener.get() : agentPorts.keySet().iterator().next();
            perimeter(config, gateway, port, out);
            bigip(config, gateway, port, listener.get(), out);
        }
        return out.build();
    }

    private static Map<Integer, AgentPort> policyPorts(Configuration config, String gatewayName) {
        Map<Integer, AgentPort> ports = new LinkedHashMap<>();
        for (ResourceConfig policy : config.ofType("cem_policy")) {
            var gateways = policy.body().path("gateways");
            for (int i = 0; i < gateways.size(); i++) {
                var entry = gateways.path(i);
                if (entry.path("gateway").asText().equals(gatewayName) && entry.path("port").isIntegralNumber()) {
                    ports.putIfAbsent(entry.get("port").asInt(), new AgentPort(entry.get("port").asInt(), policy, "gateways/" + i + "/port"));
                }
            }
        }
        return ports;
    }

    private static void perimeter(Configuration config, ResourceConfig gateway, int port, Diagnostics.Builder out) {
        List<ResourceConfig> rules = new ArrayList<>();
        for (ResourceConfig rule : config.ofType("nft_rule")) {
            if (rule.string("gateway").map(g -> g.equals(gateway.name())).orElse(false)) {
                rules.add(rule);
            }
        }
        if (rules.isEmpty()) {
            for (ResourceConfig rule : config.ofType("nft_rule")) {
                if (rule.string("gateway").isEmpty() && rule.string("action").orElse("").equals("accept")) {
                    rules.add(rule);
                }
            }
        }
        if (!rules.isEmpty()) {
            boolean open = rules.stream().anyMatch(r -> r.string("action").orElse("").equals("accept")
                    && !r.string("protocol").orElse("tcp").equals("udp")
                    && portsOf(r).contains(port));
            if (!open) {
                ResourceConfig first = rules.get(0);
                out.add(Diagnostic.error(ConfigCodes.PORT_PERIMETER, "Perimeter firewall does not open port " + port,
                        "Agents reach gateway \"" + gateway.name() + "\" on port " + port + ", but no accepting nft_rule "
                                + (first.string("gateway").isPresent() ? "for this gateway " : "") + "lets TCP " + port + " in; rules found: "
                                + rules.stream().map(r -> r.address() + " " + portsOf(r)).toList() + ".",
                        "Add " + port + " to the dport of the rule that admits agents to the gateway.",
                        first.body().has("dport") ? first.range("dport") : first.declRange()).withAddress(first.address()));
            }
            return;
        }
        Perimeter perimeter = config.perimeter();
        if (perimeter != null) {
            if (!perimeter.openPorts().contains(port)) {
                out.add(Diagnostic.error(ConfigCodes.PORT_PERIMETER, "Perimeter firewall does not open port " + port,
                        "Agents reach gateway \"" + gateway.name() + "\" on port " + port + ", but the perimeter that "
                                + perimeter.managedBy() + " manages opens " + perimeter.openPorts() + ".",
                        "Ask " + perimeter.managedBy() + " to open " + port + " and update openPorts, or change the gateway port.",
                        perimeter.range()).withAddress(gateway.address()));
            }
            return;
        }
        out.add(Diagnostic.warning(ConfigCodes.PERIMETER_UNDECLARED, "No perimeter firewall declared for port " + port,
                "cem cannot check that the perimeter lets agents reach gateway \"" + gateway.name() + "\" on port " + port + ".",
                "Declare nft_rule resources, or \"perimeter: {managedBy: <team>, openPorts: [" + port + "]}\" when another team owns the firewall.",
                gateway.range("listenerPort")).withAddress(gateway.address()));
    }

    private static void bigip(Configuration config, ResourceConfig gateway, int port, int listener, Diagnostics.Builder out) {
        for (ResourceConfig vip : config.ofType("bigip_gateway_vip")) {
            if (!vip.string("gateway").map(g -> g.equals(gateway.name())).orElse(false)) {
                continue;
            }
            var destination = vip.attr("destination/port");
            if (destination.isIntegralNumber() && destination.asInt() != port) {
                out.add(Diagnostic.error(ConfigCodes.PORT_BIGIP, "F5 virtual server port differs from the agents' port",
                        "The virtual server listens on " + destination.asInt() + ", but agents use " + port
                                + " for gateway \"" + gateway.name() + "\".",
                        "Use one port on the gateway listener, the CEM policy, the perimeter and the F5 virtual server.",
                        vip.range("destination/port")).withAddress(vip.address()));
            }
            var member = vip.attr("member/port");
            if (member.isIntegralNumber() && member.asInt() != listener) {
                out.add(Diagnostic.error(ConfigCodes.BIGIP_POOL_PORT, "F5 pool member port differs from the gateway listener",
                        "The pool sends traffic to port " + member.asInt() + ", but gateway \"" + gateway.name() + "\" listens on " + listener + ".",
                        "Set the member port to the gateway's listenerPort.", vip.range("member/port")).withAddress(vip.address()));
            }
        }
    }

    static List<Integer> portsOf(ResourceConfig rule) {
        List<Integer> ports = new ArrayList<>();
        rule.body().path("dport").forEach(n -> ports.add(n.asInt()));
        return ports;
    }
}

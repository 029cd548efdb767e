package cem.cli;

import cem.cli.Finding.Symptom;
import cem.config.Configuration;
import cem.config.HostConfig;
import cem.config.Perimeter;
import cem.config.ResourceConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The doctor's port checks on live values, for one gateway: the places agents' traffic crosses
 * (KB 440283's listener, policy and perimeter, and an F5 in front), the Windows Firewall of the
 * gateway's host and of the servers it registers with, and the ports of its server list against
 * the bindings those servers serve. A place the check cannot see (not declared, not found on its
 * host, its host unreadable) makes the check a warning that names it: a missing place is never ok.
 *
 * <p>Windows Firewall precedence: of the rules matching the traffic, a block rule wins over an
 * allow rule (Microsoft, [MS-FASP] 2.2.34 FW_RULE_ACTION: "block rules take precedence over allow
 * rules"; allow-bypass rules of authenticated traffic excepted, which cem never declares). cem
 * reads only the rules of its own group, so a block rule of another group (a GPO's) is not seen:
 * the evidence says so.
 */
final class PortChecks {

    private final Configuration config;
    private final Map<String, JsonNode> live;
    private final Set<String> unreadable;

    PortChecks(Configuration config, Map<String, JsonNode> live, Set<String> unreadable) {
        this.config = config;
        this.live = live;
        this.unreadable = unreadable;
    }

    /** All port findings of gateway {@code g}, whose live attributes are {@code l}. */
    void check(ResourceConfig g, JsonNode l, JsonNode policy, String policyAddress, List<Finding> out) {
        int listener = l.path("listenerPort").asInt();
        agree(g, listener, policy, policyAddress, out);
        gatewayFirewall(g, listener, out);
        for (JsonNode server : l.path("servers")) {
            String fqdn = server.path("fqdn").asText();
            int port = server.path("port").asInt(4726);
            HostConfig host = hostNamed(fqdn);
            serverPort(g, fqdn, port, host, out);
            serverFirewall(g, fqdn, port, host, out);
        }
    }

    /** KB 440283's rule against live values: listener, policy, perimeter, F5; a place missing is a warning. */
    private void agree(ResourceConfig g, int listener, JsonNode policy, String policyAddress, List<Finding> out) {
        List<String> evidence = new ArrayList<>(List.of("listener " + listener));
        List<String> wrong = new ArrayList<>();
        List<String> lacking = new ArrayList<>();
        List<Integer> agentPorts = new ArrayList<>();
        if (policy == null) {
            lacking.add("the CEM policy was not read" + (policyAddress == null ? " (none declared)" : ""));
        } else {
            for (JsonNode e : policy.path("gateways")) {
                if (e.path("gateway").asText().equals(g.name())) {
                    int port = e.path("port").asInt();
                    agentPorts.add(port);
                    evidence.add("policy " + port);
                    if (port != listener) {
                        wrong.add(policyAddress + " sends agents to port " + port);
                    }
                }
            }
            if (agentPorts.isEmpty()) {
                lacking.add("the CEM policy has no entry for this gateway");
            }
        }
        if (agentPorts.isEmpty()) {
            agentPorts.add(listener);
        }
        for (ResourceConfig v : config.ofType("bigip_gateway_vip")) {
            if (!v.string("gateway").orElse("").equals(g.name())) {
                continue;
            }
            JsonNode vip = live.get(v.address());
            if (vip == null) {
                lacking.add(v.address() + " " + absent(v));
                continue;
            }
            int member = vip.path("member").path("port").asInt();
            evidence.add("F5 pool member " + member);
            if (member != listener) {
                wrong.add(v.address() + " forwards to port " + member);
            }
        }
        perimeter(g, agentPorts, evidence, wrong, lacking);
        Symptom s = Symptom.AGENT_NOT_SWITCHING;
        String seen = String.join(", ", evidence);
        if (!wrong.isEmpty()) {
            out.add(Finding.fail(s, "ports.agree", g.address(), seen + ": " + String.join("; ", wrong)
                    + (lacking.isEmpty() ? "" : "; not checked: " + String.join("; ", lacking)),
                    "port drift between listener, policy and perimeter fails silently (KB 440283)",
                    "Use one port in all places and apply (cem plan shows the difference)."));
        } else if (!lacking.isEmpty()) {
            out.add(Finding.warn(s, "ports.agree", g.address(), seen + "; not checked: " + String.join("; ", lacking),
                    "a place of the port rule could not be seen, so a mismatch there would go unnoticed (KB 440283)",
                    "Apply what is missing (cem plan shows it), or declare the perimeter: {managedBy, openPorts} another team keeps."));
        } else {
            out.add(Finding.ok(s, "ports.agree", g.address(), seen));
        }
    }

    private void perimeter(ResourceConfig g, List<Integer> agentPorts, List<String> evidence, List<String> wrong, List<String> lacking) {
        List<ResourceConfig> declared = new ArrayList<>();
        for (ResourceConfig r : config.ofType("nft_rule")) {
            if (r.string("gateway").orElse("").equals(g.name())) {
                declared.add(r);
            }
        }
        if (declared.isEmpty()) {
            Perimeter p = config.perimeter();
            if (p == null) {
                lacking.add("no perimeter declared (an nft_rule with gateway: " + g.name() + ", or perimeter: {managedBy, openPorts})");
            } else {
                evidence.add("perimeter of " + p.managedBy() + " " + p.openPorts() + " (declared; cem cannot read it)");
                if (agentPorts.stream().noneMatch(p.openPorts()::contains)) {
                    wrong.add("the perimeter " + p.managedBy() + " manages opens " + p.openPorts());
                }
            }
            return;
        }
        boolean seen = false;
        boolean open = false;
        for (ResourceConfig r : declared) {
            JsonNode rule = live.get(r.address());
            if (rule == null) {
                lacking.add("perimeter " + r.address() + " " + absent(r));
                continue;
            }
            seen = true;
            for (JsonNode p : rule.path("dport")) {
                open |= rule.path("action").asText().equals("accept") && agentPorts.contains(p.asInt());
            }
            evidence.add("perimeter " + rule.path("dport"));
        }
        if (seen && !open) {
            wrong.add("no accepting perimeter rule for the agents' port");
        }
    }

    private String absent(ResourceConfig r) {
        return unreadable.contains(r.address()) ? "(host " + r.host() + " could not be read)" : "not found on host " + r.host();
    }

    /** The Windows Firewall of the gateway's host lets agents in on the listener port. */
    private void gatewayFirewall(ResourceConfig g, int listener, List<Finding> out) {
        firewall(Symptom.AGENT_NOT_SWITCHING, "firewall.gateway", g.address(), g.host(), listener, "agents cannot connect through the gateway (KB 216202)", out);
    }

    /** The Windows Firewall of a server of the gateway's list lets the gateway in on the listed port. */
    private void serverFirewall(ResourceConfig g, String fqdn, int port, HostConfig host, List<Finding> out) {
        if (host == null) {
            out.add(Finding.skip(Symptom.IG_NOT_ONLINE, "firewall.server", fqdn + ":" + port, "no host of the configuration is named " + fqdn));
            return;
        }
        firewall(Symptom.IG_NOT_ONLINE, "firewall.server", host.name() + ":" + port, host.name(), port,
                "gateway " + g.name() + " cannot reach " + fqdn + " to register", out);
    }

    /**
     * One host's declared Windows Firewall rules, live, for inbound TCP to {@code port}: allowed by
     * an enabled allow rule and blocked by none.
     */
    private void firewall(Symptom s, String check, String subject, String host, int port, String cause, List<Finding> out) {
        List<ResourceConfig> declared = new ArrayList<>();
        for (ResourceConfig r : config.ofType("windows_firewall_rule")) {
            if (host.equals(r.host())) {
                declared.add(r);
            }
        }
        String unseen = "rules outside cem's group are not read";
        if (declared.isEmpty()) {
            out.add(Finding.warn(s, check, subject, "no windows_firewall_rule on host " + host + " in the configuration; " + unseen,
                    "if that firewall does not allow TCP " + port + " in, " + cause,
                    "Declare an inbound allow rule for " + port + " on " + host + ", or check it there: Get-NetFirewallPortFilter -Protocol TCP |"
                            + " Where-Object LocalPort -eq " + port + " | Get-NetFirewallRule."));
            return;
        }
        List<String> notes = new ArrayList<>();
        String allowedBy = null;
        String blockedBy = null;
        for (ResourceConfig r : declared) {
            JsonNode rule = live.get(r.address());
            if (rule == null) {
                notes.add(r.address() + " " + absent(r));
                continue;
            }
            if (!rule.path("direction").asText().equals("inbound") || !coversPort(rule, port)) {
                if (rule.path("direction").asText().equals("inbound") && rule.path("action").asText().equals("allow")) {
                    notes.add(r.address() + " allows " + ports(rule) + ", not " + port);
                }
                continue;
            }
            if (!rule.path("enabled").asBoolean(true)) {
                notes.add(r.address() + " is disabled");
                continue;
            }
            if (rule.path("action").asText().equals("block")) {
                blockedBy = blockedBy != null ? blockedBy : r.address() + (rule.path("remoteAddresses").isEmpty() ? "" : " (from " + rule.path("remoteAddresses") + ")");
            } else if (rule.path("action").asText().equals("allow")) {
                allowedBy = allowedBy != null ? allowedBy : r.address();
            }
        }
        String more = notes.isEmpty() ? "" : "; " + String.join("; ", notes);
        if (blockedBy != null) {
            out.add(Finding.fail(s, check, subject, blockedBy + " blocks inbound TCP " + port + " on " + host
                    + (allowedBy == null ? "" : ", which wins over the allow rule " + allowedBy) + more,
                    "a block rule takes precedence over allow rules in Windows Firewall ([MS-FASP] 2.2.34): " + cause,
                    "Remove " + port + " from the block rule, or narrow it with remoteAddresses, and apply."));
        } else if (allowedBy == null) {
            out.add(Finding.fail(s, check, subject, "no enabled inbound rule allows TCP " + port + " on " + host + more,
                    "the host's firewall drops it: " + cause,
                    "Enable or fix the rule that lets " + port + " in (cem apply restores declared rules)."));
        } else {
            out.add(Finding.ok(s, check, subject, allowedBy + " allows inbound TCP " + port + " on " + host + more + " (" + unseen + ")"));
        }
    }

    private static boolean coversPort(JsonNode rule, int port) {
        String protocol = rule.path("protocol").asText("tcp").toLowerCase(Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("any")) {
            return false;
        }
        if (rule.path("localPorts").isEmpty()) {
            return true;
        }
        for (JsonNode p : rule.path("localPorts")) {
            if (p.isInt() && p.asInt() == port || p.isTextual() && inRange(p.asText(), port)) {
                return true;
            }
        }
        return false;
    }

    /** A port range as Windows prints it ("1000-2000"). */
    private static boolean inRange(String text, int port) {
        String[] parts = text.split("-");
        try {
            return parts.length == 2 && Integer.parseInt(parts[0].trim()) <= port && port <= Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String ports(JsonNode rule) {
        return rule.path("localPorts").isEmpty() ? "any port" : rule.path("localPorts").toString();
    }

    /** The port of a server entry is one its host serves HTTPS on (its live IIS bindings). */
    private void serverPort(ResourceConfig g, String fqdn, int port, HostConfig host, List<Finding> out) {
        Symptom s = Symptom.IG_NOT_ONLINE;
        String subject = g.address();
        if (host == null) {
            out.add(Finding.warn(s, "ports.servers", subject, "server " + fqdn + ":" + port + ": no host of the configuration is named " + fqdn,
                    "cem cannot see which ports that server serves", "Declare the server under hosts: with fqdn: " + fqdn + " and its iis_binding resources."));
            return;
        }
        List<String> served = new ArrayList<>();
        List<String> lacking = new ArrayList<>();
        boolean match = false;
        for (ResourceConfig b : config.ofType("iis_binding")) {
            if (!host.name().equals(b.host()) || !b.string("protocol").orElse("https").equals("https")) {
                continue;
            }
            JsonNode binding = live.get(b.address());
            if (binding == null) {
                lacking.add(b.address() + " " + absent(b));
                continue;
            }
            int p = binding.path("port").asInt();
            served.add(b.address() + " " + p);
            match |= p == port;
        }
        String seen = "server " + fqdn + ":" + port + "; " + host.name() + " serves HTTPS on " + (served.isEmpty() ? "no declared binding" : served)
                + (lacking.isEmpty() ? "" : "; " + String.join("; ", lacking));
        if (match) {
            out.add(Finding.ok(s, "ports.servers", subject, seen));
        } else if (served.isEmpty()) {
            out.add(Finding.warn(s, "ports.servers", subject, seen, "cem cannot see the server's CEM agent site binding",
                    "Declare the binding of the CEM agent site (4726 by default) on " + host.name() + " as an iis_binding, and apply."));
        } else {
            out.add(Finding.fail(s, "ports.servers", subject, seen,
                    "the gateway registers with " + fqdn + " on a port its CEM agent site does not serve: it never registers, with no console error",
                    "Use the CEM agent site's port (4726 by default) in the gateway's servers entry, or bind the site to " + port + "; then apply."));
        }
    }

    /** The host whose fqdn, else whose address, is this name (the validate rule's lookup). */
    private HostConfig hostNamed(String name) {
        return cem.config.HostPortRule.hostNamed(config, name);
    }
}

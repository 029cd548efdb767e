package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Windows Firewall rules as the NetSecurity cmdlets keep and print them.
 *
 * <p>Sources (MicrosoftDocs/windows-powershell-docs, docset netsecurity): New-NetFirewallRule's
 * -LocalPort/-RemotePort take a port, a range "1000-2000" or a keyword (PlayToDiscovery, Any; RPC,
 * RPCEPMap, Teredo, IPHTTPSIn, IPHTTPSOut), TCP and UDP only for numbers; Get-NetFirewallPortFilter
 * prints them as strings, "Any" when unrestricted. -RemoteAddress takes addresses, subnets by
 * prefix or mask, ranges and the keywords Any, LocalSubnet, DNS, DHCP, WINS, DefaultGateway,
 * Internet, Intranet, IntranetRemoteAccess, PlayToDevice, CaptivePortal (a trailing 4 or 6 limits a
 * keyword to one family); INetFwRule::RemoteAddresses (learn.microsoft.com, netfw.h): an address
 * without mask means 255.255.255.255. Set-NetFirewallRule renames with -NewDisplayName
 * (-DisplayName selects rules). The profile prints as the NET_FW_PROFILE flags "Domain, Private,
 * Public" or "Any".
 */
final class WindowsFirewall {

    private WindowsFirewall() {}

    private static final List<String> PORT_KEYWORDS = List.of("Any", "RPC", "RPCEPMap", "Teredo", "IPHTTPSIn", "IPHTTPSOut", "PlayToDiscovery");
    private static final List<String> ADDRESS_KEYWORDS = List.of("Any", "LocalSubnet", "DNS", "DHCP", "WINS", "DefaultGateway", "Internet",
            "Intranet", "IntranetRemoteAccess", "PlayToDevice", "CaptivePortal");

    /** windows_firewall_rule.read: the rules of the group, each with its port and address filters. */
    static JsonNode read(ObjectNode s, JsonNode args) {
        String group = args.path("group").asText();
        Map<String, JsonNode> sorted = new TreeMap<>();
        s.path("firewall").fields().forEachRemaining(e -> {
            if (e.getValue().path("group").asText().equalsIgnoreCase(group)) {
                sorted.put(e.getKey(), e.getValue());
            }
        });
        ArrayNode out = WindowsState.array();
        sorted.values().forEach(r -> out.add(r.deepCopy()));
        return out;
    }

    /**
     * windows_firewall_rule.set: New-NetFirewallRule when no rule has the name (ports not given are
     * Any), Set-NetFirewallRule -Name … -NewDisplayName … otherwise (ports not given stay; values
     * given replace the old ones). Another group's rule of that name is refused: not cem's.
     */
    static JsonNode set(ObjectNode s, JsonNode a) {
        String name = a.path("name").asText();
        String group = a.path("group").asText();
        JsonNode existing = owned(s, name, group);
        ObjectNode rule = existing == null ? WindowsState.object() : ((ObjectNode) existing).deepCopy();
        String protocol = protocol(a.path("protocol").asText("Any"));
        rule.put("name", name).put("displayName", a.path("displayName").asText()).put("group", group)
                .put("direction", a.path("direction").asText()).put("action", a.path("action").asText()).put("enabled", a.path("enabled").asText())
                .put("profile", profile(a.path("profile").asText("Any"))).put("protocol", protocol);
        for (String field : new String[] {"localPort", "remotePort"}) {
            if (a.hasNonNull(field)) {
                rule.set(field, ports(a.get(field)));
            } else if (existing == null) {
                rule.putArray(field).add("Any");
            }
        }
        if (existing == null) {
            rule.putArray("localAddress").add("Any");
        }
        rule.set("remoteAddress", addresses(a.path("remoteAddress")));
        for (String field : new String[] {"localPort", "remotePort"}) {
            boolean any = rule.path(field).size() == 1 && rule.path(field).get(0).asText().equals("Any");
            if (!any && !protocol.equals("TCP") && !protocol.equals("UDP")) {
                // [?] the exact text New-/Set-NetFirewallRule give; the documented rule: ports need TCP or UDP.
                throw new IllegalStateException("The requested operation is invalid: a port filter applies to TCP and UDP only (protocol "
                        + protocol + ").");
            }
        }
        // New-NetFirewallRule -Enabled takes True/False; the flags prints as they were given (enum names).
        rule.put("enabled", rule.path("enabled").asText().equalsIgnoreCase("true") ? "True" : "False");
        s.with("firewall").set(name, rule);
        return WindowsState.object().put("name", name).put("created", existing == null);
    }

    /** windows_firewall_rule.remove: only a rule of the group; another group's rule is refused as set refuses it. */
    static JsonNode remove(ObjectNode s, JsonNode a) {
        String name = a.path("name").asText();
        boolean removed = owned(s, name, a.path("group").asText()) != null;
        if (removed) {
            s.with("firewall").remove(name);
        }
        return WindowsState.object().put("name", name).put("removed", removed);
    }

    /** The rule of exactly that Name (Get-NetFirewallRule -Name), refused when another group owns it (the agent's message). */
    private static JsonNode owned(ObjectNode s, String name, String group) {
        JsonNode existing = s.path("firewall").get(name);
        if (existing != null && !existing.path("group").asText().equals(group)) {
            throw new IllegalStateException("The firewall rule " + name + " belongs to group \"" + existing.path("group").asText()
                    + "\", not to cem's group \"" + group + "\"; cem leaves it alone.");
        }
        return existing;
    }

    static String protocol(String given) {
        return switch (WindowsState.lower(given)) {
            case "tcp", "6" -> "TCP";
            case "udp", "17" -> "UDP";
            case "icmpv4", "1" -> "ICMPv4";
            case "icmpv6", "58" -> "ICMPv6";
            case "any" -> "Any";
            default -> {
                if (given.matches("\\d{1,3}") && Integer.parseInt(given) <= 255) {
                    yield given;
                }
                // [?] the cmdlet's own text for a bad protocol is not documented; the accepted values are (New-NetFirewallRule -Protocol)
                throw new IllegalStateException("The protocol '" + given + "' is not valid: use TCP, UDP, ICMPv4, ICMPv6, Any or 0-255.");
            }
        };
    }

    static String profile(String given) {
        List<String> out = new ArrayList<>();
        String lower = WindowsState.lower(given);
        if (lower.equals("any") || lower.isBlank()) {
            return "Any";
        }
        for (String p : new String[] {"Domain", "Private", "Public"}) {
            if (lower.contains(WindowsState.lower(p))) {
                out.add(p);
            }
        }
        return String.join(", ", out);
    }

    static ArrayNode ports(JsonNode given) {
        ArrayNode out = WindowsState.array();
        for (JsonNode p : given) {
            String v = p.asText().trim();
            String keyword = PORT_KEYWORDS.stream().filter(k -> k.equalsIgnoreCase(v)).findFirst().orElse(null);
            if (keyword != null) {
                out.add(keyword);
            } else if (v.matches("\\d{1,5}") && Integer.parseInt(v) <= 65535) {
                out.add(String.valueOf(Integer.parseInt(v)));
            } else if (v.matches("\\d{1,5}-\\d{1,5}") && Integer.parseInt(v.split("-")[1]) <= 65535) {
                out.add(Integer.parseInt(v.split("-")[0]) + "-" + Integer.parseInt(v.split("-")[1]));
            } else {
                // [?] the cmdlet's own text for a bad port is not documented; the accepted forms are (New-NetFirewallRule -LocalPort)
                throw new IllegalStateException("The port '" + v + "' is not valid: use a port, a range such as 1000-2000, or a keyword.");
            }
        }
        if (out.isEmpty()) {
            out.add("Any");
        }
        return out;
    }

    /**
     * Addresses as Get-NetFirewallAddressFilter prints them, whatever notation was given: keywords
     * in their documented spelling, IPv4 subnets in mask notation ("10.0.0.0/255.0.0.0" for
     * "10.0.0.0/8"), a single address without mask ("/32" dropped), IPv6 with its prefix length.
     * [?] that IPv4 prefixes come back as masks and the host bits stay as given: as commonly seen.
     */
    static ArrayNode addresses(JsonNode given) {
        ArrayNode out = WindowsState.array();
        for (JsonNode a : given) {
            out.add(address(a.asText().trim()));
        }
        if (out.isEmpty()) {
            out.add("Any");
        }
        return out;
    }

    static String address(String v) {
        if (v.equals("*")) {
            return "Any";
        }
        for (String k : ADDRESS_KEYWORDS) {
            for (String suffix : new String[] {"", "4", "6"}) {
                if ((k + suffix).equalsIgnoreCase(v) && !(k.equals("Any") && !suffix.isEmpty())) {
                    return k + suffix;
                }
            }
        }
        if (v.contains(":")) {
            String lower = v.toLowerCase(Locale.ROOT);
            return lower.endsWith("/128") ? lower.substring(0, lower.length() - 4) : lower;
        }
        if (v.matches("[0-9.]+/\\d{1,2}")) {
            int bits = Integer.parseInt(v.substring(v.indexOf('/') + 1));
            String ip = v.substring(0, v.indexOf('/'));
            return bits == 32 ? ip : ip + "/" + mask(bits);
        }
        if (v.matches("[0-9.]+/255\\.255\\.255\\.255")) {
            return v.substring(0, v.indexOf('/'));
        }
        if (v.matches("[0-9.]+(/[0-9.]+)?") || v.matches("[0-9.]+-[0-9.]+")) {
            return v;
        }
        // [?] the cmdlet's own text for a bad address is not documented; the accepted forms are (New-NetFirewallRule -RemoteAddress)
        throw new IllegalStateException("The address '" + v + "' is not valid: use an address, a subnet, a range or a keyword.");
    }

    private static String mask(int bits) {
        long m = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
        return ((m >> 24) & 255) + "." + ((m >> 16) & 255) + "." + ((m >> 8) & 255) + "." + (m & 255);
    }
}

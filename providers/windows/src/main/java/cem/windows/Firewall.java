package cem.windows;

import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Windows Firewall rules between cem's model and the NetSecurity cmdlets. The agent returns a
 * rule as the cmdlets print it; this class turns that into the model's terms and the model into
 * the cmdlets' values (sources: windows-powershell-docs, docset/winserver2016-ps/netsecurity/
 * New-NetFirewallRule.md, Get-NetFirewallPortFilter.md, Get-NetFirewallAddressFilter.md):
 * <ul>
 *   <li>LocalPort and RemotePort are String[]: numbers, ranges ("1000-2000"), keywords (RPC,
 *       RPCEPMap, IPHTTPSIn, IPHTTPSOut, …), or "Any" when the rule does not restrict ports;
 *   <li>addresses come back in mask notation ("10.0.0.0/255.0.0.0"), a single address without a
 *       mask, IPv6 with a prefix length, or a keyword (Any, LocalSubnet, DNS, DHCP, WINS,
 *       DefaultGateway, Internet, Intranet, …), whatever notation was given;
 *   <li>Direction, Action, Enabled and Profile are enums printed as "Inbound", "Allow", "True",
 *       "Domain, Private" or "Any".
 * </ul>
 * A port or address filter removed from the model is reset to "Any", never left behind.
 */
final class Firewall {

    /** The group cem's rules live in; cem never reads, changes or deletes a rule of another group. */
    static final String GROUP = "cem";

    private static final Set<String> PORT_PROTOCOLS = Set.of("tcp", "udp");

    private Firewall() {}

    static String ruleName(ResourceInstance r) {
        return ruleName(r.name(), r.attributes());
    }

    /** The rule's Name: ruleName, else the one derived from the resource's name. */
    static String ruleName(String resourceName, JsonNode attributes) {
        return attributes.path("ruleName").asText(defaultRuleName(resourceName));
    }

    static String defaultRuleName(String resourceName) {
        return "cem-" + resourceName;
    }

    /** The args of {@code windows_firewall_rule.set} (every key of its schema). */
    static ObjectNode setArgs(ResourceInstance r) {
        JsonNode a = r.attributes();
        String protocol = a.path("protocol").asText("tcp").toLowerCase(Locale.ROOT);
        ObjectNode args = WindowsProvider.object();
        args.put("name", ruleName(r)).put("group", GROUP).put("displayName", a.path("displayName").asText(ruleName(r)));
        args.put("direction", a.path("direction").asText().equals("outbound") ? "Outbound" : "Inbound");
        args.put("action", a.path("action").asText().equals("block") ? "Block" : "Allow");
        args.put("enabled", a.path("enabled").asBoolean(true) ? "True" : "False");
        args.put("profile", profile(a.path("profiles")));
        args.put("protocol", protocol.equals("any") ? "Any" : protocol.toUpperCase(Locale.ROOT));
        if (PORT_PROTOCOLS.contains(protocol)) {
            args.set("localPort", ports(a.path("localPorts")));
            args.set("remotePort", ports(a.path("remotePorts")));
        } else {
            // A port filter is valid only with TCP or UDP (New-NetFirewallRule -LocalPort): none is sent.
            args.putNull("localPort");
            args.putNull("remotePort");
        }
        ArrayNode addresses = args.putArray("remoteAddress");
        a.path("remoteAddresses").forEach(x -> addresses.add(x.asText()));
        if (addresses.isEmpty()) {
            addresses.add("Any");
        }
        return args;
    }

    static ObjectNode removeArgs(ResourceInstance r) {
        return WindowsProvider.object().put("name", ruleName(r)).put("group", GROUP);
    }

    private static ArrayNode ports(JsonNode ports) {
        ArrayNode out = WindowsProvider.array();
        ports.forEach(p -> out.add(p.asText()));
        if (out.isEmpty()) {
            out.add("Any");
        }
        return out;
    }

    private static String profile(JsonNode profiles) {
        List<String> names = new ArrayList<>();
        profiles.forEach(p -> names.add(p.asText()));
        if (names.isEmpty() || names.contains("any")) {
            return "Any";
        }
        List<String> out = new ArrayList<>();
        for (String p : List.of("domain", "private", "public")) { // the order Windows prints them in
            if (names.contains(p)) {
                out.add(Character.toUpperCase(p.charAt(0)) + p.substring(1));
            }
        }
        return String.join(", ", out);
    }

    /** The rule of this resource in the read's answer, in the model's terms. */
    static LiveResource live(ResourceInstance r, JsonNode rules) {
        String name = ruleName(r);
        for (JsonNode rule : rules) {
            if (!rule.path("name").asText().equals(name) || !rule.path("group").asText().equals(GROUP)) {
                continue;
            }
            JsonNode desired = r.attributes();
            ObjectNode attrs = WindowsProvider.object();
            if (desired.has("ruleName")) {
                attrs.put("ruleName", name);
            }
            attrs.put("displayName", rule.path("displayName").asText());
            attrs.put("direction", rule.path("direction").asText().toLowerCase(Locale.ROOT));
            attrs.put("action", rule.path("action").asText().toLowerCase(Locale.ROOT));
            attrs.put("enabled", rule.path("enabled").asText().equalsIgnoreCase("True"));
            ArrayNode profiles = attrs.putArray("profiles");
            for (String p : rule.path("profile").asText("Any").split(",")) {
                if (!p.isBlank()) {
                    profiles.add(p.trim().toLowerCase(Locale.ROOT));
                }
            }
            attrs.put("protocol", rule.path("protocol").asText("Any").toLowerCase(Locale.ROOT));
            attrs.set("localPorts", livePorts(rule.path("localPort")));
            attrs.set("remotePorts", livePorts(rule.path("remotePort")));
            attrs.set("remoteAddresses", liveAddresses(rule.path("remoteAddress"), desired.path("remoteAddresses")));
            return new LiveResource(r.address(), true, name, attrs);
        }
        return LiveResource.absent(r.address());
    }

    /** "Any" is no restriction (the model's empty list); numbers become numbers; ranges and keywords stay text. */
    static ArrayNode livePorts(JsonNode ports) {
        ArrayNode out = WindowsProvider.array();
        for (JsonNode p : ports) {
            String text = p.asText();
            if (text.equalsIgnoreCase("Any")) {
                continue;
            }
            if (text.matches("[0-9]{1,5}")) {
                out.add(Integer.parseInt(text));
            } else {
                out.add(text);
            }
        }
        return out;
    }

    /**
     * Addresses as the model wrote them when they mean the same (10.0.0.0/8 written, 10.0.0.0/255.0.0.0
     * listed); what the model does not have stays as Windows prints it, so the plan shows it.
     */
    static ArrayNode liveAddresses(JsonNode live, JsonNode desired) {
        ArrayNode out = WindowsProvider.array();
        for (JsonNode x : live) {
            String text = x.asText();
            if (text.equalsIgnoreCase("Any")) {
                continue;
            }
            String spelled = text;
            for (JsonNode d : desired) {
                if (canonicalAddress(d.asText()).equals(canonicalAddress(text))) {
                    spelled = d.asText();
                }
            }
            out.add(spelled);
        }
        return out;
    }

    /**
     * One spelling per address filter: a keyword in lower case, an address or subnet as
     * "address/prefix" with the address masked (a single address has the full prefix), a range as is.
     */
    static String canonicalAddress(String text) {
        String t = text.trim();
        if (t.matches("[A-Za-z]+")) {
            return t.toLowerCase(Locale.ROOT);
        }
        if (t.contains("-")) {
            return t.toLowerCase(Locale.ROOT);
        }
        try {
            String host = t;
            String suffix = null;
            int slash = t.indexOf('/');
            if (slash >= 0) {
                host = t.substring(0, slash);
                suffix = t.substring(slash + 1);
            }
            if (!host.matches("[0-9A-Fa-f:.]+")) {
                return t.toLowerCase(Locale.ROOT);
            }
            byte[] address = InetAddress.getByName(host).getAddress();
            int bits = address.length * 8;
            int prefix = bits;
            if (suffix != null) {
                prefix = suffix.contains(".") || suffix.contains(":") ? prefixOfMask(InetAddress.getByName(suffix).getAddress()) : Integer.parseInt(suffix);
            }
            if (prefix < 0 || prefix > bits) {
                return t.toLowerCase(Locale.ROOT);
            }
            BigInteger value = new BigInteger(1, address);
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(prefix).not();
            byte[] masked = value.and(mask).add(BigInteger.ONE.shiftLeft(bits)).toByteArray();
            byte[] trimmed = java.util.Arrays.copyOfRange(masked, masked.length - address.length, masked.length);
            return InetAddress.getByAddress(trimmed).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException | NumberFormatException e) {
            return t.toLowerCase(Locale.ROOT);
        }
    }

    /** The prefix length of a contiguous mask (255.255.0.0 → 16), or -1 for a mask that is not one. */
    private static int prefixOfMask(byte[] mask) {
        int prefix = 0;
        boolean ended = false;
        for (byte b : mask) {
            for (int bit = 7; bit >= 0; bit--) {
                boolean set = ((b >> bit) & 1) == 1;
                if (set && ended) {
                    return -1;
                }
                if (set) {
                    prefix++;
                } else {
                    ended = true;
                }
            }
        }
        return prefix;
    }
}

package cem.nftables;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One rule in a table cem owns: built from an {@code nft_rule} resource's attributes, turned into
 * the JSON {@code nft -j -f} takes, and parsed back from {@code nft -j list table}. The comment
 * {@code cem:<name>} is the rule's identity; its handle never is.
 *
 * @param name the resource's name (the comment without its prefix)
 * @param family the table's family: inet, ip or ip6
 * @param table the table's name
 * @param chain the chain's name
 * @param hook the chain's netfilter hook
 * @param priority the chain's priority
 * @param protocol tcp, udp, or null for any
 * @param dport destination ports, empty for any
 * @param saddr source addresses, prefixes or one {@code @set}, empty for any
 * @param daddr destination addresses, prefixes or one {@code @set}, empty for any
 * @param action accept, drop or reject
 * @param counter whether the rule counts packets
 * @param log whether the rule logs
 * @param other expressions of a live rule that cem does not model (someone edited it with nft), as JSON
 */
record NftRule(String name, String family, String table, String chain, String hook, int priority, String protocol,
        List<Integer> dport, List<String> saddr, List<String> daddr, String action, boolean counter, boolean log,
        List<String> other) {

    static final String COMMENT_PREFIX = "cem:";
    static final String DEFAULT_TABLE = "inet cem";
    static final String DEFAULT_HOOK = "forward";
    /**
     * The attribute that names a rule whose resource was moved: its comment keeps the old name (the
     * engine records it, see ResourceSchema.DerivedName); otherwise the resource's name is the rule's.
     */
    static final String OBJECT_NAME = "objectName";

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    NftRule {
        dport = List.copyOf(dport);
        saddr = List.copyOf(saddr);
        daddr = List.copyOf(daddr);
        other = List.copyOf(other);
    }

    /** The name in the rule's comment: the one recorded for a moved resource, else the resource's. */
    static String nameOf(String resourceName, JsonNode a) {
        return a.path(OBJECT_NAME).asText(resourceName);
    }

    static String nameOf(cem.spi.ResourceInstance r) {
        return nameOf(r.name(), r.attributes());
    }

    /** Where cem finds the rule of a resource: its table and its comment. */
    static String identityKey(String resourceName, JsonNode a) {
        return String.join(" ", tableOf(a)) + " " + COMMENT_PREFIX + nameOf(resourceName, a);
    }

    /** The rule a resource's attributes describe (the schema's defaults where they say nothing). */
    static NftRule of(String resourceName, JsonNode a) {
        String name = nameOf(resourceName, a);
        String[] table = tableOf(a);
        String hook = a.path("hook").asText(DEFAULT_HOOK);
        List<Integer> ports = new ArrayList<>();
        a.path("dport").forEach(p -> ports.add(p.asInt()));
        String protocol = a.hasNonNull("protocol") ? a.path("protocol").asText() : ports.isEmpty() ? null : "tcp";
        return new NftRule(name, table[0], table[1], a.path("chain").asText(hook), hook, a.path("priority").asInt(0), protocol,
                ports, strings(a.path("saddr")), strings(a.path("daddr")), a.path("action").asText("accept"),
                a.path("counter").asBoolean(false), a.path("log").asBoolean(false), List.of());
    }

    /** {@code [family, name]} of the table the attributes name. */
    static String[] tableOf(JsonNode a) {
        String[] parts = a.path("table").asText(DEFAULT_TABLE).trim().split("\\s+", 2);
        return parts.length == 2 ? parts : new String[] {"inet", parts[0]};
    }

    /** The group of rules ordered together: one chain of one table. */
    static String chainKeyOf(JsonNode a) {
        String[] table = tableOf(a);
        return table[0] + " " + table[1] + " " + a.path("chain").asText(a.path("hook").asText(DEFAULT_HOOK));
    }

    String tableKey() {
        return family + " " + table;
    }

    String chainKey() {
        return tableKey() + " " + chain;
    }

    String comment() {
        return COMMENT_PREFIX + name;
    }

    /** The identity cem records: where the rule lives and its comment. */
    String identity() {
        return chainKey() + " " + comment();
    }

    /** The rule as nft's JSON takes it in an {@code add} command. */
    ObjectNode toJson() {
        ArrayNode expr = F.arrayNode();
        if (!dport.isEmpty()) {
            expr.add(match(payload(protocol, "dport"), dport.size() == 1 ? F.numberNode(dport.get(0)) : set(dport)));
        } else if (protocol != null) {
            expr.add(match(F.objectNode().set("meta", F.objectNode().put("key", "l4proto")), F.textNode(protocol)));
        }
        addresses(expr, "saddr", saddr);
        addresses(expr, "daddr", daddr);
        if (counter) {
            expr.add(F.objectNode().putNull("counter"));
        }
        if (log) {
            expr.add(F.objectNode().putNull("log"));
        }
        expr.add(F.objectNode().putNull(action));
        ObjectNode rule = F.objectNode().put("family", family).put("table", table).put("chain", chain).put("comment", comment());
        rule.set("expr", expr);
        return rule;
    }

    private void addresses(ArrayNode expr, String field, List<String> values) {
        if (values.isEmpty()) {
            return;
        }
        String proto = addressFamily(values, family);
        if (values.size() == 1) {
            expr.add(match(payload(proto, field), address(values.get(0))));
            return;
        }
        ArrayNode elements = F.arrayNode();
        values.forEach(v -> elements.add(address(v)));
        expr.add(match(payload(proto, field), F.objectNode().set("set", elements)));
    }

    /**
     * {@code ip} or {@code ip6}: which header the addresses are matched in. All addresses of one
     * field must be of one family (one nft match cannot hold both).
     */
    static String addressFamily(List<String> values, String tableFamily) {
        boolean v6 = false;
        boolean v4 = false;
        for (String v : values) {
            if (v.startsWith("@")) {
                continue;
            }
            if (v.contains(":")) {
                v6 = true;
            } else {
                v4 = true;
            }
        }
        if (v4 && v6) {
            throw new IllegalArgumentException("IPv4 and IPv6 addresses in one field: " + values
                    + ". One nftables match holds one family; declare two rules.");
        }
        return v6 || (!v4 && tableFamily.equals("ip6")) ? "ip6" : "ip";
    }

    private static JsonNode address(String value) {
        int slash = value.indexOf('/');
        if (slash < 0 || value.startsWith("@")) {
            return F.textNode(value);
        }
        ObjectNode prefix = F.objectNode().put("addr", value.substring(0, slash)).put("len", Integer.parseInt(value.substring(slash + 1)));
        return F.objectNode().set("prefix", prefix);
    }

    private static ObjectNode payload(String protocol, String field) {
        return F.objectNode().set("payload", F.objectNode().put("protocol", protocol).put("field", field));
    }

    private static ObjectNode match(JsonNode left, JsonNode right) {
        ObjectNode m = F.objectNode().put("op", "==");
        m.set("left", left);
        m.set("right", right);
        return F.objectNode().set("match", m);
    }

    private static ObjectNode set(List<Integer> values) {
        ArrayNode a = F.arrayNode();
        values.forEach(a::add);
        return F.objectNode().set("set", a);
    }

    /**
     * A rule as {@code nft -j list table} shows it, in a chain with this hook and priority. What cem
     * does not model lands in {@link #other()}, so that an edit made with nft shows as a change.
     */
    static NftRule parse(JsonNode rule, String hook, int priority) {
        String comment = rule.path("comment").asText("");
        String name = comment.startsWith(COMMENT_PREFIX) ? comment.substring(COMMENT_PREFIX.length()) : null;
        String protocol = null;
        List<Integer> ports = new ArrayList<>();
        List<String> saddr = new ArrayList<>();
        List<String> daddr = new ArrayList<>();
        String action = null;
        boolean counter = false;
        boolean log = false;
        List<String> other = new ArrayList<>();
        for (JsonNode e : rule.path("expr")) {
            JsonNode m = e.path("match");
            JsonNode payload = m.path("left").path("payload");
            String field = payload.path("field").asText("");
            boolean eq = m.path("op").asText("==").equals("==");
            if (eq && field.equals("dport") && ports.isEmpty() && portsOf(m.path("right"), ports)) {
                protocol = payload.path("protocol").asText();
            } else if (eq && m.path("left").path("meta").path("key").asText("").equals("l4proto") && m.path("right").isTextual()) {
                protocol = m.path("right").asText();
            } else if (eq && (field.equals("saddr") || field.equals("daddr"))
                    && addressesOf(m.path("right"), field.equals("saddr") ? saddr : daddr)) {
                // recorded by addressesOf
            } else if (e.has("counter")) {
                counter = true;
            } else if (e.has("log") && e.path("log").isNull()) {
                log = true;
            } else if (action == null && (e.has("accept") || e.has("drop") || e.has("reject"))) {
                action = e.fieldNames().next();
            } else {
                other.add(e.toString());
            }
        }
        return new NftRule(name, rule.path("family").asText(), rule.path("table").asText(), rule.path("chain").asText(), hook, priority,
                protocol, ports, saddr, daddr, action, counter, log, other);
    }

    private static boolean portsOf(JsonNode right, List<Integer> out) {
        if (right.isInt()) {
            out.add(right.asInt());
            return true;
        }
        if (right.path("set").isArray()) {
            for (JsonNode p : right.path("set")) {
                if (!p.isInt()) {
                    out.clear();
                    return false;
                }
                out.add(p.asInt());
            }
            return true;
        }
        return false;
    }

    private static boolean addressesOf(JsonNode right, List<String> out) {
        List<String> found = new ArrayList<>();
        Iterable<JsonNode> elements = right.path("set").isArray() ? right.path("set") : List.of(right);
        for (JsonNode a : elements) {
            if (a.isTextual()) {
                found.add(a.asText());
            } else if (a.has("prefix")) {
                found.add(a.path("prefix").path("addr").asText() + "/" + a.path("prefix").path("len").asInt());
            } else {
                return false;
            }
        }
        out.addAll(found);
        return !found.isEmpty();
    }

    /** The live attributes cem records and compares; addresses spelled as the configuration spells them when equal. */
    ObjectNode attributes(JsonNode desired) {
        ObjectNode a = F.objectNode();
        a.put("table", tableKey()).put("chain", chain).put("hook", hook).put("priority", priority);
        if (protocol != null) {
            a.put("protocol", protocol);
        }
        ArrayNode ports = a.putArray("dport");
        dport.forEach(ports::add);
        addresses(a, "saddr", saddr, desired);
        addresses(a, "daddr", daddr, desired);
        a.put("action", action == null ? "continue" : action).put("counter", counter).put("log", log);
        ArrayNode o = a.putArray("otherExpressions");
        other.forEach(o::add);
        if (desired != null && desired.has("gateway")) {
            a.set("gateway", desired.get("gateway")); // cem's own link to a gateway, not a property of the rule
        }
        if (desired != null && desired.has(OBJECT_NAME)) {
            a.put(OBJECT_NAME, name);
        }
        return a;
    }

    private static void addresses(ObjectNode a, String field, List<String> live, JsonNode desired) {
        ArrayNode out = a.putArray(field);
        List<String> wanted = desired == null ? List.of() : strings(desired.path(field));
        for (String l : live) {
            out.add(wanted.stream().filter(w -> canonical(w).equals(canonical(l))).findFirst().orElse(l));
        }
    }

    /**
     * An address or prefix as nftables stores it (host bits cleared, /32 and /128 dropped, IPv6
     * compressed the same way for both sides), so that {@code 10.1.2.3/8} equals nft's
     * {@code 10.0.0.0/8}. Anything that is not an address literal is returned as it is.
     */
    static String canonical(String value) {
        boolean literal = value.matches("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?") || value.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(/\\d{1,3})?");
        if (!literal) { // never a name: resolving one would ask DNS
            return value.toLowerCase(Locale.ROOT);
        }
        int slash = value.indexOf('/');
        String host = slash < 0 ? value : value.substring(0, slash);
        try {
            byte[] bytes = InetAddress.getByName(host).getAddress();
            int bits = bytes.length * 8;
            int len = slash < 0 ? bits : Integer.parseInt(value.substring(slash + 1));
            if (len > bits) {
                return value;
            }
            BigInteger n = new BigInteger(1, bytes);
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(len).not();
            byte[] masked = n.and(mask).add(BigInteger.ONE.shiftLeft(bits)).toByteArray();
            byte[] address = java.util.Arrays.copyOfRange(masked, masked.length - bytes.length, masked.length);
            String text = InetAddress.getByAddress(address).getHostAddress();
            return len == bits ? text : text + "/" + len;
        } catch (UnknownHostException | NumberFormatException e) {
            return value;
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}

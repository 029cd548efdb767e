package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A twin of the kernel's nftables for the JSON cem sends: tables, base chains and rules, in order,
 * with handles; {@code nft -j -f} transactions that apply completely or not at all; {@code nft -j
 * list table} answering what real nftables 1.0 prints for the same rules (sets sorted, host bits of
 * prefixes cleared, /32 written as an address, reject told as icmp/icmpv6/icmpx, counters with
 * their numbers). Errors are nft's own words for the cases cem's tests cover: a missing table,
 * chain or named set, and IPv4 and IPv6 in one rule. Its state lives in a JSON file so that
 * successive commands see one firewall.
 */
public final class NftTables {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The file as every process running a lab on its directory shares it. */
    private final SharedFile shared;
    private ObjectNode tables;

    public NftTables(Path file) {
        this.shared = new SharedFile(file);
        atomically(() -> null);
    }

    /** Runs {@code work} on the tables as they are now: under the file's lock, after reading what another process changed. */
    private synchronized <T, E extends Exception> T atomically(SharedFile.Work<T, E> work) throws E {
        return shared.locked(() -> {
            shared.refresh(loaded -> tables = loaded != null ? loaded : JSON.createObjectNode());
            return work.run();
        });
    }

    /** An nft failure, worded as nft words it. */
    public static final class NftError extends Exception {
        private static final long serialVersionUID = 1L;

        NftError(String message) {
            super(message);
        }
    }

    /** {@code nft -j list table FAMILY NAME}. */
    public String list(String family, String name) throws NftError {
        return atomically(() -> listNow(family, name));
    }

    private String listNow(String family, String name) throws NftError {
        ObjectNode t = (ObjectNode) tables.get(family + " " + name);
        if (t == null) {
            throw new NftError("Error: No such file or directory\nlist table " + family + " " + name);
        }
        ArrayNode out = JSON.createArrayNode();
        out.addObject().putObject("metainfo").put("version", "1.0.6").put("release_name", "cem lab").put("json_schema_version", 1);
        out.addObject().putObject("table").put("family", family).put("name", name).put("handle", t.path("handle").asInt());
        for (JsonNode c : t.path("chains")) {
            ObjectNode chain = out.addObject().putObject("chain").put("family", family).put("table", name).put("name", c.path("name").asText())
                    .put("handle", c.path("handle").asInt());
            if (c.has("hook")) {
                chain.put("type", c.path("type").asText()).put("hook", c.path("hook").asText()).put("prio", c.path("prio").asInt())
                        .put("policy", c.path("policy").asText());
            }
        }
        for (JsonNode c : t.path("chains")) {
            for (JsonNode r : c.path("rules")) {
                out.addObject().set("rule", r.deepCopy());
            }
        }
        ObjectNode doc = JSON.createObjectNode();
        doc.set("nftables", out);
        return doc.toString();
    }

    /** {@code nft -j -f} ({@code check} true: {@code nft -c}): the whole document, or nothing. */
    public void run(String document, boolean check) throws NftError {
        atomically(() -> {
            runNow(document, check);
            return null;
        });
    }

    private void runNow(String document, boolean check) throws NftError {
        JsonNode doc;
        try {
            doc = JSON.readTree(document);
        } catch (IOException e) {
            throw new NftError("Error: syntax error, unexpected junk");
        }
        ObjectNode working = tables.deepCopy();
        for (JsonNode command : doc.path("nftables")) {
            String verb = command.fieldNames().next();
            JsonNode body = command.path(verb);
            String kind = body.fieldNames().next();
            apply(working, verb, kind, (ObjectNode) body.path(kind));
        }
        if (!check) {
            tables = working;
            save();
        }
    }

    /** Deletes the rule with this comment (an administrator's {@code nft delete rule … handle N}). */
    public boolean deleteRule(String family, String table, String comment) {
        return atomically(() -> deleteRuleNow(family, table, comment));
    }

    private boolean deleteRuleNow(String family, String table, String comment) {
        ObjectNode t = (ObjectNode) tables.get(family + " " + table);
        if (t == null) {
            return false;
        }
        for (JsonNode c : t.path("chains")) {
            ArrayNode rules = (ArrayNode) c.path("rules");
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i).path("comment").asText().equals(comment)) {
                    rules.remove(i);
                    save();
                    return true;
                }
            }
        }
        return false;
    }

    /** Adds a table with one base chain and one rule that cem knows nothing about (someone else's). */
    public void addForeignTable(String family, String name) throws NftError {
        run(("{\"nftables\":[{\"add\":{\"table\":{\"family\":\"%1$s\",\"name\":\"%2$s\"}}},"
                + "{\"add\":{\"chain\":{\"family\":\"%1$s\",\"table\":\"%2$s\",\"name\":\"c\",\"type\":\"filter\",\"hook\":\"input\",\"prio\":5,\"policy\":\"accept\"}}},"
                + "{\"add\":{\"rule\":{\"family\":\"%1$s\",\"table\":\"%2$s\",\"chain\":\"c\",\"comment\":\"not cem's\",\"expr\":[{\"match\":{\"op\":\"==\","
                + "\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":22}},{\"accept\":null}]}}}]}").formatted(family, name),
                false);
    }

    private static void apply(ObjectNode tables, String verb, String kind, ObjectNode o) throws NftError {
        String family = o.path("family").asText();
        String tableName = kind.equals("table") ? o.path("name").asText() : o.path("table").asText();
        String key = family + " " + tableName;
        ObjectNode table = (ObjectNode) tables.get(key);
        if (kind.equals("table")) {
            if (verb.equals("add") && table == null) {
                ObjectNode t = tables.putObject(key);
                t.put("handle", nextTableHandle(tables)).put("next", 1);
                t.putArray("chains");
                t.putObject("sets");
            } else if (verb.equals("delete") || verb.equals("flush")) {
                if (table == null) {
                    throw new NftError("Error: Could not process rule: No such file or directory");
                }
                if (verb.equals("delete")) {
                    tables.remove(key);
                } else {
                    table.path("chains").forEach(c -> ((ArrayNode) c.path("rules")).removeAll());
                }
            }
            return;
        }
        if (table == null) {
            throw new NftError("Error: Could not process rule: No such file or directory");
        }
        ArrayNode chains = (ArrayNode) table.path("chains");
        String chainName = kind.equals("chain") ? o.path("name").asText() : o.path("chain").asText();
        int index = -1;
        for (int i = 0; i < chains.size(); i++) {
            if (chains.get(i).path("name").asText().equals(chainName)) {
                index = i;
            }
        }
        if (kind.equals("chain")) {
            switch (verb) {
                case "add" -> {
                    if (index < 0) {
                        ObjectNode c = chains.addObject().put("name", chainName).put("handle", next(table));
                        if (o.has("hook")) {
                            c.put("type", o.path("type").asText("filter")).put("hook", o.path("hook").asText()).put("prio", o.path("prio").asInt())
                                    .put("policy", o.path("policy").asText("accept"));
                        }
                        c.putArray("rules");
                    } else if (o.has("hook") && chains.get(index).has("hook") && (!chains.get(index).path("hook").equals(o.path("hook"))
                            || chains.get(index).path("prio").asInt() != o.path("prio").asInt())) {
                        throw new NftError("Error: Could not process rule: Device or resource busy");
                    }
                }
                case "flush" -> {
                    if (index < 0) {
                        throw new NftError("Error: Could not process rule: No such file or directory");
                    }
                    ((ArrayNode) chains.get(index).path("rules")).removeAll();
                }
                case "delete" -> {
                    if (index < 0) {
                        throw new NftError("Error: Could not process rule: No such file or directory");
                    }
                    if (!chains.get(index).path("rules").isEmpty()) {
                        throw new NftError("Error: Could not process rule: Device or resource busy");
                    }
                    chains.remove(index);
                }
                default -> throw new NftError("Error: syntax error, unexpected " + verb);
            }
            return;
        }
        if (!kind.equals("rule") || !verb.equals("add")) {
            throw new NftError("Error: syntax error, unexpected " + kind);
        }
        if (index < 0) {
            throw new NftError("Error: Could not process rule: No such file or directory");
        }
        ObjectNode rule = JSON.createObjectNode().put("family", family).put("table", tableName).put("chain", chainName);
        rule.put("handle", 0);
        if (o.has("comment")) {
            rule.put("comment", o.path("comment").asText());
        }
        rule.set("expr", expressions(table, family, o.path("expr")));
        rule.put("handle", next(table));
        ((ArrayNode) chains.get(index).path("rules")).add(rule);
    }

    /** The expressions as nft lists them back. */
    private static ArrayNode expressions(ObjectNode table, String family, JsonNode expr) throws NftError {
        ArrayNode out = JSON.createArrayNode();
        String network = null;
        for (JsonNode e : expr) {
            JsonNode m = e.path("match");
            if (m.isObject()) {
                String proto = m.path("left").path("payload").path("protocol").asText("");
                if (proto.equals("ip") || proto.equals("ip6")) {
                    if (network != null && !network.equals(proto) || family.equals("ip") && proto.equals("ip6")
                            || family.equals("ip6") && proto.equals("ip")) {
                        throw new NftError("Error: conflicting protocols specified: " + (network == null ? family : network) + " vs. " + proto);
                    }
                    network = proto;
                }
                ObjectNode copy = m.deepCopy();
                copy.set("right", normalized(table, m.path("right")));
                out.addObject().set("match", copy);
            } else if (e.has("counter")) {
                out.addObject().putObject("counter").put("packets", 0).put("bytes", 0);
            } else if (e.has("reject")) {
                String type = network != null ? (network.equals("ip") ? "icmp" : "icmpv6")
                        : family.equals("ip") ? "icmp" : family.equals("ip6") ? "icmpv6" : "icmpx";
                out.addObject().putObject("reject").put("type", type).put("expr", "port-unreachable");
            } else {
                out.add(e.deepCopy());
            }
        }
        return out;
    }

    private static JsonNode normalized(ObjectNode table, JsonNode right) throws NftError {
        if (right.isTextual() && right.asText().startsWith("@")) {
            if (!table.path("sets").has(right.asText().substring(1))) {
                throw new NftError("Error: No such file or directory");
            }
            return right;
        }
        if (right.path("set").isArray()) {
            List<JsonNode> elements = new ArrayList<>();
            for (JsonNode element : right.path("set")) {
                elements.add(address(element));
            }
            elements.sort(Comparator.comparing(NftTables::sortKey));
            ArrayNode set = JSON.createArrayNode();
            elements.forEach(set::add);
            ObjectNode out = JSON.createObjectNode();
            out.set("set", set);
            return out;
        }
        return address(right);
    }

    /** An address or prefix as nft prints it: host bits cleared, full-length prefixes as plain addresses, IPv6 compressed. */
    private static JsonNode address(JsonNode value) {
        boolean prefix = value.has("prefix");
        String text = prefix ? value.path("prefix").path("addr").asText() : value.asText();
        if (!value.isTextual() && !prefix) {
            return value;
        }
        if (!text.contains(".") && !text.contains(":")) {
            return value;
        }
        try {
            byte[] bytes = InetAddress.getByName(text).getAddress();
            int bits = bytes.length * 8;
            int len = prefix ? value.path("prefix").path("len").asInt() : bits;
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(len).not();
            byte[] masked = new BigInteger(1, bytes).and(mask).add(BigInteger.ONE.shiftLeft(bits)).toByteArray();
            String address = compress(InetAddress.getByAddress(java.util.Arrays.copyOfRange(masked, masked.length - bytes.length, masked.length)));
            if (len == bits) {
                return JSON.getNodeFactory().textNode(address);
            }
            ObjectNode p = JSON.createObjectNode();
            p.putObject("prefix").put("addr", address).put("len", len);
            return p;
        } catch (UnknownHostException e) {
            return value;
        }
    }

    /** RFC 5952 text of an address (Java writes IPv6 uncompressed). */
    static String compress(InetAddress a) {
        String full = a.getHostAddress();
        if (!full.contains(":")) {
            return full;
        }
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail;
    }

    private static String sortKey(JsonNode element) {
        if (element.isNumber()) {
            return String.format("%020d", element.asLong());
        }
        String text = element.has("prefix") ? element.path("prefix").path("addr").asText() : element.asText();
        try {
            return String.format("%040x", new BigInteger(1, InetAddress.getByName(text).getAddress()));
        } catch (UnknownHostException e) {
            return text;
        }
    }

    private static int next(ObjectNode table) {
        int n = table.path("next").asInt(1);
        table.put("next", n + 1);
        return n;
    }

    private static int nextTableHandle(ObjectNode tables) {
        int max = 0;
        for (JsonNode t : tables) {
            max = Math.max(max, t.path("handle").asInt());
        }
        return max + 1;
    }

    private void save() {
        shared.write(tables);
    }

    /** The tables, by "family name" (for tests). */
    public Map<String, JsonNode> snapshot() {
        return atomically(() -> {
            Map<String, JsonNode> out = new LinkedHashMap<>();
            tables.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().deepCopy()));
            return out;
        });
    }
}

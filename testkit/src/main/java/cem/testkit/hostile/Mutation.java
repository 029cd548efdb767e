package cem.testkit.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One change a hostile host makes to a valid answer: cut it short, replace one of its tokens (a
 * JSON value, a word of a listing, the XML inside a JSON string) or one of its lines, or insert a
 * fragment. Fragments are what breaks parsers: wrong types, numbers out of range, huge and deeply
 * nested values, control characters, entity tricks.
 *
 * @param kind what is done
 * @param at where, in ten-thousandths of the answer's length
 * @param pick which token or line (modulo their number)
 * @param fragment the fragment used, an index into {@link #FRAGMENTS}
 */
public record Mutation(Kind kind, int at, int pick, int fragment) {

    /** What a mutation does. */
    public enum Kind {
        TRUNCATE, REPLACE_TOKEN, INSERT, DROP_LINE, DOUBLE_LINE, REPLACE_LINE,
        /** A value of the JSON answer (or of one of its JSON lines) replaced: the document stays JSON, of the wrong shape. */
        REPLACE_VALUE,
        /** A string of the JSON answer (the ASDK's XML, a rule's comment) changed by a text mutation, the document left JSON. */
        MUTATE_STRING
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A JSON string, a number, a word or a single punctuation mark: the units a token mutation replaces. */
    private static final Pattern TOKEN = Pattern.compile("\"(?:[^\"\\\\]++|\\\\.)*+\"|-?[0-9][0-9.eE+-]*|[A-Za-z_/][A-Za-z0-9_./:-]*|[^\\s]");

    private static String deep(String open, String close, int depth) {
        return open.repeat(depth) + close.repeat(depth);
    }

    /** Hostile fragments, from plain wrong types to megabytes. */
    public static final List<String> FRAGMENTS = List.of(
            "null", "true", "false", "0", "-1", "3.5", "1e999", "-1e-999", "99999999999999999999999999", "-2147483649", "2147483648",
            "NaN", "\"\"", "\"x\"", "[]", "{}", "[null]", "{\"\":null}", "[1,2,3]", "{\"a\":{\"b\":[]}}",
            "\"\\u001b[2J\\u001b]0;pwned\\u0007\"", "\"\\u0000\\u009b\\u202e\"", "\u001b[2J\u001b]0;pwned\u0007", "\u0000\u0085\u009b\r",
            "\"" + "A".repeat(70_000) + "\"", "\"" + "\\u00e9".repeat(300_000) + "\"", "9".repeat(5_000),
            deep("[", "]", 5_000), deep("{\"a\":", "}", 3_000).replace("}", "") + "1" + "}".repeat(3_000), "[".repeat(200_000),
            deep("<a>", "</a>", 20_000),
            ("<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                    + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]><ArrayOfItemDetails>&d;&d;"
                    + "</ArrayOfItemDetails>"),
            ("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><string>&e;</string>"),
            ("<ArrayOfItemDetails><ItemDetails><Guid>{zz}</Guid><Name>x</Name><TypeName>ResourceTarget</TypeName>"),
            ("<ArrayOfItemDetails><ItemDetails><Guid>01234567-89ab-cdef-0123-456789abcdef</Guid><Name>\u001b[2J</Name>"
                    + "<TypeName>CloudEnabledManagementSettingsPolicy</TypeName><Enabled>maybe</Enabled><AppliedToResourceTargets>,,{x},"
                    + "</AppliedToResourceTargets></ItemDetails></ArrayOfItemDetails>"),
            ("<item><settings><gateway port=\"99999999999\" host=\"\"/><gateway port=\"-1\"/><gateway/></settings>"
                    + "<targetFilters><targetFilter><operation/></targetFilter></targetFilters></item>"),
            ("<string>" + "&lt;a&gt;".repeat(3_000) + "</string>"), ("<guid>not-a-guid</guid>"), ("<"),
            "{", "}", "\"", "\\", ":", ",", "ltm", "virtual", "/Common/x", "destination", "1.2.3.4:99999", "1.2.3.4:-1", "::::", "%",
            "<S S=\"Error\">".repeat(40_000), "_x001B__x0000_".repeat(1_000),
            "pool", "members", "{ }", "}\n}\n}", "\n", "\r\n", "---", "# cem", "__CEM_", "exit");

    /** This mutation applied to a valid answer. */
    public String apply(String valid) {
        int where = (int) ((long) valid.length() * at / 10_000);
        String f = FRAGMENTS.get(Math.floorMod(fragment, FRAGMENTS.size()));
        switch (kind) {
            case REPLACE_VALUE:
            case MUTATE_STRING:
                return inJson(valid);
            case TRUNCATE:
                return valid.substring(0, where);
            case INSERT:
                return valid.substring(0, where) + f + valid.substring(where);
            case REPLACE_TOKEN: {
                List<int[]> tokens = new ArrayList<>();
                Matcher m = TOKEN.matcher(valid);
                while (m.find()) {
                    tokens.add(new int[] {m.start(), m.end()});
                }
                if (tokens.isEmpty()) {
                    return f;
                }
                int[] t = tokens.get(Math.floorMod(pick, tokens.size()));
                return valid.substring(0, t[0]) + f + valid.substring(t[1]);
            }
            default: {
                List<String> lines = new ArrayList<>(List.of(valid.split("\n", -1)));
                int i = Math.floorMod(pick, lines.size());
                if (kind == Kind.DROP_LINE) {
                    lines.remove(i);
                } else if (kind == Kind.DOUBLE_LINE) {
                    lines.add(i, lines.get(i));
                } else {
                    lines.set(i, f);
                }
                return String.join("\n", lines);
            }
        }
    }

    /** The JSON document (or, for a listing of several, the JSON line picked) with one value replaced or one string mutated. */
    private String inJson(String valid) {
        JsonNode whole = parse(valid.strip());
        if (whole != null) {
            return inJson(whole);
        }
        List<String> lines = new ArrayList<>(List.of(valid.split("\n", -1)));
        List<Integer> json = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().startsWith("{") && parse(lines.get(i).strip()) != null) {
                json.add(i);
            }
        }
        if (json.isEmpty()) {
            return new Mutation(Kind.REPLACE_TOKEN, at, pick, fragment).apply(valid);
        }
        int i = json.get(Math.floorMod(at, json.size()));
        lines.set(i, inJson(parse(lines.get(i).strip())));
        return String.join("\n", lines);
    }

    private String inJson(JsonNode root) {
        List<JsonNode> parents = new ArrayList<>();
        List<Object> keys = new ArrayList<>();
        collect(root, parents, keys);
        if (parents.isEmpty()) {
            return root.toString();
        }
        int i = Math.floorMod(pick, parents.size());
        JsonNode parent = parents.get(i);
        JsonNode old = parent.isObject() ? parent.get((String) keys.get(i)) : parent.get((Integer) keys.get(i));
        JsonNode replacement;
        if (kind == Kind.MUTATE_STRING && old.isTextual()) {
            Kind inner = List.of(Kind.TRUNCATE, Kind.INSERT, Kind.REPLACE_TOKEN).get(Math.floorMod(at, 3));
            replacement = new TextNode(new Mutation(inner, Math.floorMod(at * 7919, 10_001), pick / 7, fragment).apply(old.asText()));
        } else {
            String f = FRAGMENTS.get(Math.floorMod(fragment, FRAGMENTS.size()));
            JsonNode parsed = parse(f);
            replacement = parsed != null ? parsed : new TextNode(f);
        }
        if (parent instanceof ObjectNode o) {
            o.set((String) keys.get(i), replacement);
        } else {
            ((ArrayNode) parent).set((Integer) keys.get(i), replacement);
        }
        return root.toString();
    }

    /** Every member and element (its parent and key), depth first; strings only for MUTATE_STRING. */
    private void collect(JsonNode node, List<JsonNode> parents, List<Object> keys) {
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(name -> {
                JsonNode child = node.get(name);
                if (kind != Kind.MUTATE_STRING || child.isTextual()) {
                    parents.add(node);
                    keys.add(name);
                }
                collect(child, parents, keys);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (kind != Kind.MUTATE_STRING || node.get(i).isTextual()) {
                    parents.add(node);
                    keys.add(i);
                }
                collect(node.get(i), parents, keys);
            }
        }
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isContainerNode() ? node : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        String f = FRAGMENTS.get(Math.floorMod(fragment, FRAGMENTS.size()));
        return kind + "@" + at + "/" + pick + (kind != Kind.TRUNCATE && kind != Kind.DROP_LINE && kind != Kind.DOUBLE_LINE
                ? " with " + (f.length() > 40 ? f.substring(0, 40) + "…(" + f.length() + " chars)" : f) : "");
    }
}

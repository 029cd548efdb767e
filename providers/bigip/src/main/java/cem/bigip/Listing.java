package cem.bigip;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The objects a tmsh listing shows, by kind and full path: {@code ltm virtual /cem/cem-ig1},
 * {@code ltm pool /cem/cem-ig1-pool}, {@code auth partition cem}. Reads both the one-line and the
 * default layout, with quoted strings, nested blocks and bare flags.
 *
 * <p>tmsh prints names relative to the current folder: from {@code /Common} an object there is
 * {@code tcp} and one elsewhere {@code /cem/x}; from {@code /} every name loses its leading slash,
 * {@code Common/tcp} (public scripts turn {@code cd /; list ltm virtual recursive one-line} names back
 * into paths by prefixing {@code /}: CarlB-dev/f5_bash_tmsh_collection
 * {@code optimizations/legacy_tcp_profile_inventory.sh}). Every name cem compares goes through
 * {@link #resolve} first, so no lookup depends on the folder a listing was printed from.
 */
final class Listing {

    /** Words that stand alone in a block (one-line listings do not end them with a line break). */
    private static final Set<String> FLAGS = Set.of("enabled", "disabled", "vlans-enabled", "vlans-disabled");

    private Listing() {}

    /** An address and port as tmsh prints them; {@code port} is empty for a service name cem does not know. */
    record Endpoint(String address, OptionalInt port, String printedPort) {}

    /** The objects of a listing printed from folder {@code cwd}; lines that are tmsh messages are skipped. */
    static Map<String, Map<String, Object>> objects(String output, String cwd) {
        List<String[]> tokens = new ArrayList<>(); // {token, "eol" or ""}
        for (String line : output.split("\\R")) {
            if (TmshMessage.of(line.strip()) == null) {
                tokenize(line, tokens);
            }
        }
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        List<String> header = new ArrayList<>();
        int[] at = {0};
        while (at[0] < tokens.size()) {
            String t = tokens.get(at[0]++)[0];
            if (t.equals("{")) {
                Map<String, Object> body = block(tokens, at);
                if (header.size() >= 2) {
                    String name = header.get(header.size() - 1);
                    String kind = String.join(" ", header.subList(0, header.size() - 1));
                    out.put(kind + " " + (kind.equals("auth partition") ? strip(name) : resolve(name, cwd)), body);
                }
                header.clear();
            } else if (!t.equals("}")) {
                header.add(t);
            }
        }
        return out;
    }

    /** The full path of a name printed from folder {@code cwd}. */
    static String resolve(String printed, String cwd) {
        if (printed.startsWith("/")) {
            return printed;
        }
        return cwd.equals("/") ? "/" + printed : cwd + "/" + printed;
    }

    /** The last part of a path: {@code /Common/tcp} → {@code tcp}. */
    static String local(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String strip(String name) {
        return name.startsWith("/") ? name.substring(1) : name;
    }

    /**
     * An endpoint: {@code a.b.c.d[%rd]:port} or IPv6 {@code a::b[%rd].port}, port a number or a
     * service name ({@code https}), with or without its folder.
     */
    static Endpoint endpoint(String printed) {
        String e = local(printed);
        boolean v6 = e.chars().filter(c -> c == ':').count() > 1;
        int cut = v6 ? e.lastIndexOf('.') : e.lastIndexOf(':');
        if (cut < 0) {
            return new Endpoint(e, OptionalInt.empty(), "");
        }
        String port = e.substring(cut + 1);
        return new Endpoint(e.substring(0, cut), ServicePorts.port(port), port);
    }

    private static void tokenize(String line, List<String[]> out) {
        int i = 0;
        int n = line.length();
        int first = out.size();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '{' || c == '}') {
                out.add(new String[] {String.valueOf(c), ""});
                i++;
            } else if (c == '"') {
                StringBuilder s = new StringBuilder();
                i++;
                while (i < n && line.charAt(i) != '"') {
                    if (line.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    s.append(line.charAt(i++));
                }
                i++;
                out.add(new String[] {s.toString(), ""});
            } else {
                int j = i;
                while (j < n && !Character.isWhitespace(line.charAt(j)) && line.charAt(j) != '{' && line.charAt(j) != '}') {
                    j++;
                }
                out.add(new String[] {line.substring(i, j), ""});
                i = j;
            }
        }
        if (out.size() > first) {
            out.get(out.size() - 1)[1] = "eol";
        }
    }

    /** {@code key value}, {@code key { … }} and bare flags; nested blocks become maps. */
    private static Map<String, Object> block(List<String[]> tokens, int[] at) {
        Map<String, Object> out = new LinkedHashMap<>();
        while (at[0] < tokens.size()) {
            String[] key = tokens.get(at[0]++);
            if (key[0].equals("}")) {
                break;
            }
            String next = at[0] < tokens.size() ? tokens.get(at[0])[0] : "}";
            if (next.equals("{")) {
                at[0]++;
                out.put(key[0], block(tokens, at));
            } else if (next.equals("}") || key[1].equals("eol") || FLAGS.contains(key[0])) {
                out.put(key[0], "");
            } else {
                out.put(key[0], tokens.get(at[0]++)[0]);
            }
        }
        return out;
    }
}

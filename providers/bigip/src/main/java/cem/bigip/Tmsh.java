package cem.bigip;

import cem.spi.RemoteCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What cem says to a BIG-IP and how it reads the answers. The command line is always the
 * constant {@code tmsh -q}; the tmsh commands go to its standard input, one per line, built from
 * values {@link Vip} has checked. A read lists each virtual server and pool cem manages
 * ({@code list … one-line}); an apply creates the partition when missing, then makes every change
 * inside one {@code cli transaction} (all or nothing), saves the configuration and lists the
 * objects again — one round trip each.
 *
 * <p><b>[?]</b> tmsh reading commands from standard input (rather than {@code -c}) and the exact
 * wording of its one-line listings are assumptions checked against the lab only; this class is the
 * one place to correct them after a check on a real device.
 */
final class Tmsh {

    private Tmsh() {}

    static final String COMMAND_LINE = "tmsh -q";
    /** What {@code save sys config} prints first. */
    static final String SAVED = "Saving running configuration...";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    static RemoteCommand read(List<Vip> vips) {
        List<String> lines = new ArrayList<>();
        for (Vip v : vips) {
            lines.add("list ltm virtual " + v.virtualPath() + " one-line");
            lines.add("list ltm pool " + v.poolPath() + " one-line");
        }
        return command(lines, true);
    }

    /** The lines of one apply: partitions, the transaction (deletes first), save, listings. */
    static List<String> applyLines(List<Vip> deletes, List<Vip> creates, List<Vip> updates) {
        List<String> lines = new ArrayList<>();
        Set<String> partitions = new java.util.TreeSet<>();
        creates.forEach(v -> partitions.add(v.partition()));
        partitions.forEach(p -> lines.add("create auth partition " + p));
        lines.add("create cli transaction");
        for (Vip v : deletes) {
            lines.add("delete ltm virtual " + v.virtualPath());
            lines.add("delete ltm pool " + v.poolPath());
        }
        for (Vip v : creates) {
            lines.add("create ltm pool " + v.poolPath() + poolBody(v));
            lines.add("create ltm virtual " + v.virtualPath() + virtualBody(v));
        }
        for (Vip v : updates) {
            lines.add("modify ltm pool " + v.poolPath() + poolBody(v));
            lines.add("modify ltm virtual " + v.virtualPath() + virtualBody(v));
        }
        lines.add("submit cli transaction");
        lines.add("save sys config");
        List<Vip> all = new ArrayList<>(deletes);
        all.addAll(creates);
        all.addAll(updates);
        for (Vip v : all) {
            lines.add("list ltm virtual " + v.virtualPath() + " one-line");
            lines.add("list ltm pool " + v.poolPath() + " one-line");
        }
        return lines;
    }

    static RemoteCommand apply(List<String> lines) {
        return command(lines, false);
    }

    private static String poolBody(Vip v) {
        String member = Vip.endpoint(v.memberAddress(), v.memberPort());
        return " members replace-all-with { " + member + " { address " + v.memberAddress() + " } } monitor " + v.monitor();
    }

    private static String virtualBody(Vip v) {
        return " destination " + Vip.endpoint(v.destinationAddress(), v.destinationPort()) + " ip-protocol tcp pool " + v.poolPath()
                + " profiles replace-all-with { " + String.join(" ", v.profiles()) + " } translate-address enabled translate-port enabled";
    }

    private static RemoteCommand command(List<String> lines, boolean idempotent) {
        String stdin = String.join("\n", lines) + "\nquit\n";
        return new RemoteCommand(COMMAND_LINE, stdin.getBytes(StandardCharsets.UTF_8), TIMEOUT, idempotent);
    }

    /** An error line of tmsh: {@code 01070333:3: message}. */
    static final Pattern ERROR = Pattern.compile("^(\\d{8}):(\\d+): (.*)$");

    /** The objects a listing shows, by full path: {@code ltm virtual /P/N} and {@code ltm pool /P/N}. */
    static Map<String, Map<String, Object>> objects(String stdout) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (String line : stdout.split("\n")) {
            Matcher m = Pattern.compile("^ltm (virtual|pool) (\\S+) \\{(.*)\\}\\s*$").matcher(line.strip());
            if (m.matches()) {
                out.put("ltm " + m.group(1) + " " + m.group(2), parse(tokens(m.group(3))));
            }
        }
        return out;
    }

    /** The errors tmsh printed, in order. */
    static List<String> errors(String output) {
        List<String> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (ERROR.matcher(line.strip()).matches()) {
                out.add(line.strip());
            }
        }
        return out;
    }

    private static List<String> tokens(String body) {
        List<String> out = new ArrayList<>();
        for (String t : body.replace("{", " { ").replace("}", " } ").trim().split("\\s+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** {@code key value}, {@code key { … }} pairs; nested blocks become maps. */
    private static Map<String, Object> parse(List<String> tokens) {
        int[] at = {0};
        return block(tokens, at);
    }

    private static Map<String, Object> block(List<String> tokens, int[] at) {
        Map<String, Object> out = new LinkedHashMap<>();
        while (at[0] < tokens.size()) {
            String key = tokens.get(at[0]++);
            if (key.equals("}")) {
                break;
            }
            if (at[0] < tokens.size() && tokens.get(at[0]).equals("{")) {
                at[0]++;
                out.put(key, block(tokens, at));
            } else if (at[0] < tokens.size() && !tokens.get(at[0]).equals("}")) {
                out.put(key, tokens.get(at[0]++));
            } else {
                out.put(key, "");
            }
        }
        return out;
    }

    /** The path without its partition: {@code /cem/10.0.0.1:443} → {@code 10.0.0.1:443}. */
    static String local(String path) {
        return path.startsWith("/") ? path.substring(path.indexOf('/', 1) + 1) : path;
    }

    /** {@code [address, port]} of {@code a.b.c.d:443} or {@code a::b.443}. */
    static String[] split(String endpoint) {
        String e = local(endpoint);
        int cut = e.contains(".") && e.chars().filter(c -> c == ':').count() > 1 ? e.lastIndexOf('.') : e.lastIndexOf(':');
        return cut < 0 ? new String[] {e, "0"} : new String[] {e.substring(0, cut), e.substring(cut + 1)};
    }
}

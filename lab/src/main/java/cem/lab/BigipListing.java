package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The lab BIG-IP's {@code list} commands: {@code list auth partition}, and
 * {@code list ltm virtual|pool [PATH] [recursive] [one-line]}, printed one object per line with
 * names relative to the current folder and ports by service name ({@link BigipConfig} names the
 * sources). <b>[?]</b> The layout of {@code list auth partition} is not settled by a source; cem
 * reads one-line and multi-line layouts alike.
 */
final class BigipListing {

    private BigipListing() {}

    static BigipConfig.Answer list(ObjectNode s, String cwd, String line) {
        List<String> t = new ArrayList<>(Arrays.asList(line.split("\\s+")));
        if (t.size() >= 3 && t.get(1).equals("auth") && t.get(2).equals("partition")) {
            StringBuilder out = new StringBuilder();
            s.path("partitions").forEach(p -> out.append("auth partition ").append(p.asText()).append(" { }\n"));
            return BigipConfig.Answer.ok(out.toString());
        }
        if (t.size() < 3 || !t.get(1).equals("ltm") || !(t.get(2).equals("virtual") || t.get(2).equals("pool"))) {
            return BigipConfig.Answer.fail("Syntax Error: \"" + String.join(" ", t.subList(1, Math.min(3, t.size()))) + "\" unknown property");
        }
        boolean pool = t.get(2).equals("pool");
        boolean recursive = t.remove("recursive");
        t.remove("one-line");
        JsonNode table = s.path(pool ? "pools" : "virtuals"); // path, not with: a listing changes nothing
        StringBuilder out = new StringBuilder();
        if (t.size() > 3) {
            String path = t.get(3).startsWith("/") ? t.get(3) : (cwd.equals("/") ? "/" : cwd + "/") + t.get(3);
            if (!table.has(path)) {
                return BigipConfig.Answer.fail("01020036:3: The requested " + (pool ? "Pool" : "Virtual Server") + " (" + path + ") was not found.");
            }
            out.append(object(pool, path, table.get(path), cwd)).append('\n');
            return BigipConfig.Answer.ok(out.toString());
        }
        String prefix = cwd.equals("/") ? "/" : cwd + "/";
        for (var it = table.fields(); it.hasNext(); ) {
            var e = it.next();
            String rest = e.getKey().startsWith(prefix) ? e.getKey().substring(prefix.length()) : null;
            if (rest != null && (recursive || !rest.contains("/"))) {
                out.append(object(pool, e.getKey(), e.getValue(), cwd)).append('\n');
            }
        }
        return BigipConfig.Answer.ok(out.toString());
    }

    /**
     * One object, one line. Attributes in alphabetical order with {@code ip-protocol tcp mask 255.255.255.255 … source 0.0.0.0/0
     * … translate-address enabled translate-port enabled}, as public one-line listings show (code search, e.g. a {@code ltm
     * virtual Shared/…} listing); [?] the defaults the lab prints for what cem never set, and that the lab omits the
     * attributes a real device adds (creation-time, vs-index, persist …); the defaults echo what cem.bigip.Tmsh sends.
     */
    private static String object(boolean pool, String path, JsonNode o, String cwd) {
        String folder = path.substring(0, path.lastIndexOf('/'));
        if (pool) {
            StringBuilder members = new StringBuilder();
            for (JsonNode m : o.path("members")) {
                String member = m.asText();
                int cut = portCut(member);
                members.append(relative(member.substring(0, cut), cwd)).append(member.charAt(cut))
                        .append(BigipConfig.service(member.substring(cut + 1))).append(" { address ").append(local(member.substring(0, cut)))
                        .append(" } ");
            }
            String monitor = o.path("monitor").asText("");
            return "ltm pool " + relative(path, cwd) + " { members { " + members + "}" + (monitor.isEmpty() ? "" : " monitor " + relative(monitor, cwd))
                    + " }";
        }
        StringBuilder profiles = new StringBuilder();
        o.path("profiles").forEach(p -> profiles.append(relative(p.asText().startsWith("/") ? p.asText() : "/Common/" + p.asText(), cwd))
                .append(" { } "));
        String destination = o.path("destination").asText();
        int cut = portCut(destination);
        String snat = o.path("source-address-translation").asText("none");
        String poolName = o.path("pool").asText("");
        // The virtual address lives in the virtual's folder.
        return "ltm virtual " + relative(path, cwd) + " { destination " + relative(folder + "/" + local(destination.substring(0, cut)), cwd)
                + destination.charAt(cut) + BigipConfig.service(destination.substring(cut + 1)) + " ip-protocol tcp mask "
                + (destination.contains("::") || destination.chars().filter(c -> c == ':').count() > 1 ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
                        : "255.255.255.255")
                + (poolName.isEmpty() ? "" : " pool " + relative(poolName, cwd)) + " profiles { " + profiles + "} source 0.0.0.0/0"
                + (snat.equals("none") ? "" : " source-address-translation { type " + snat + " }") + " translate-address "
                + o.path("translate-address").asText("enabled") + " translate-port " + o.path("translate-port").asText("enabled") + " }";
    }

    /** A path as tmsh prints it from folder {@code cwd}. */
    static String relative(String path, String cwd) {
        if (!path.startsWith("/")) {
            return path;
        }
        if (cwd.equals("/")) {
            return path.substring(1);
        }
        return path.startsWith(cwd + "/") && path.indexOf('/', cwd.length() + 1) < 0 ? path.substring(cwd.length() + 1) : path;
    }

    /** Where the port starts in {@code [folder/]address[%rd]:port} or IPv6 {@code …a::b.port}. */
    static int portCut(String endpoint) {
        String e = local(endpoint);
        int base = endpoint.length() - e.length();
        return base + (e.chars().filter(c -> c == ':').count() > 1 ? e.lastIndexOf('.') : e.lastIndexOf(':'));
    }

    static String local(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}

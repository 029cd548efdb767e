package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One tmsh session of the lab's BIG-IP ({@link BigipHost}): a current folder, a pending
 * {@code cli transaction}, and the device's configuration as JSON. Sources of what it models:
 *
 * <ul>
 *   <li>Names print relative to the current folder; from {@code /} they lose their leading slash
 *       ({@code cd /; list ltm virtual recursive one-line} names are turned back into paths with
 *       {@code "/" $3}: CarlB-dev/f5_bash_tmsh_collection {@code optimizations/legacy_tcp_profile_inventory.sh});
 *       from the object's own folder a name is bare ({@code pool api.example.com_443}, and profiles
 *       elsewhere {@code /Common/tcp}: yukirii/go-tmsh {@code ltm_test.go}, TestGetVirtual).
 *   <li>Well-known ports print as service names unless {@code cli global-settings service number}:
 *       {@code destination 203.0.113.1:https} (go-tmsh {@code ltm_test.go}); the names are a CentOS
 *       /etc/services' (8080 {@code webcache}, 8443 {@code pcsync-https}, as Red Hat images label them).
 *   <li>A pool member's name is its node's name and port; a member named without a folder names a
 *       node in the current folder, which is {@code /Common} for an account whose default partition
 *       is Common (tmsh resolves every relative name against the current folder); a missing node is
 *       created with the member ({@code members { /Common/10.1.97.59:80 { address 10.1.97.59 } }}
 *       in bigip.conf listings).
 *   <li>Errors: {@code 01020036:3: The requested Pool (/P/N) was not found.}
 *       (F5Networks/f5-appsvcs-extension, terraform-provider-bigip tests); {@code 01020066:3: The
 *       requested … already exists …} <b>[?]</b> wording (no source at hand); {@code 01070333:3: Virtual Server /P/A illegally shares
 *       destination address, source address, service port, ip-protocol, and vlan with Virtual Server
 *       /P/B.} (F5's App Services iApp tests, {@code tests/functional/*_BIP_scale.py}); a pool in use
 *       {@code 01070265:3: …} <b>[?]</b> wording.
 *   <li>Addresses may carry a route domain, {@code 10.0.0.5%1} (kept and printed as given).
 * </ul>
 */
final class BigipConfig {

    /** The first words of the tmsh commands the lab knows. */
    static final Set<String> VERBS = Set.of("cd", "list", "create", "modify", "delete", "submit", "save", "show", "quit");

    /**
     * Service names tmsh prints, from a CentOS /etc/services (as the provider's services.txt). [?] Port 0 as {@code any} is
     * tmsh's wildcard, not /etc/services'; cem probe does not check it (a {@code list ltm virtual} on a lab VE does).
     */
    private static final Map<Integer, String> SERVICES = Map.of(0, "any", 21, "ftp", 22, "ssh", 25, "smtp", 53, "domain", 80, "http",
            443, "https", 8080, "webcache", 8443, "pcsync-https");

    /** What one command printed, and its error line or null. */
    record Answer(String out, String error) {
        static Answer ok(String out) {
            return new Answer(out, null);
        }

        static Answer fail(String error) {
            return new Answer("", error);
        }
    }

    private ObjectNode state;
    private String cwd = "/Common";
    private List<String> transaction;

    BigipConfig(ObjectNode state) {
        this.state = state;
    }

    ObjectNode state() {
        return state;
    }

    Answer run(String line) {
        if (line.equals("create cli transaction")) {
            transaction = new ArrayList<>();
            return Answer.ok("");
        }
        if (line.equals("submit cli transaction")) {
            // [?] All or nothing, the lab's reading of a cli transaction, and the "not found" text below: no source at hand
            // (domain §12: what follows a failed submit is undocumented). Check on a lab VE (README, F5 section).
            if (transaction == null) {
                return Answer.fail("01020036:3: The requested cli transaction was not found.");
            }
            ObjectNode candidate = state.deepCopy();
            List<String> queued = transaction;
            transaction = null;
            for (String q : queued) {
                String error = change(candidate, q);
                if (error != null) {
                    return Answer.fail(error);
                }
            }
            state = candidate;
            return Answer.ok("");
        }
        if (transaction != null && (line.startsWith("create ") || line.startsWith("modify ") || line.startsWith("delete "))) {
            transaction.add(line);
            return Answer.ok("");
        }
        if (line.equals("save sys config")) {
            // [?] The printed lines are the lab's picture of tmsh's output, no source; cem does not parse them.
            state.put("saves", state.path("saves").asInt() + 1);
            return Answer.ok("Saving running configuration...\n  /config/bigip.conf\n  /config/bigip_base.conf\n  /config/bigip_user.conf\n");
        }
        if (line.startsWith("cd ")) {
            String to = resolve(line.substring(3).strip());
            if (!to.equals("/") && !partitions().contains(to.substring(1))) {
                // [?] The folder error's wording is modelled on 01020036 (domain §12), not seen for folders.
                return Answer.fail("01020036:3: The requested folder (" + to + ") was not found.");
            }
            cwd = to;
            return Answer.ok("");
        }
        if (line.startsWith("list ")) {
            return BigipListing.list(state, cwd, line);
        }
        String error = change(state, line);
        return error == null ? Answer.ok("") : Answer.fail(error);
    }

    private List<String> partitions() {
        List<String> out = new ArrayList<>();
        state.withArray("partitions").forEach(p -> out.add(p.asText()));
        return out;
    }

    private String resolve(String name) {
        if (name.startsWith("/")) {
            return name;
        }
        return cwd.equals("/") ? "/" + name : cwd + "/" + name;
    }

    /**
     * One create/modify/delete; returns tmsh's error or null. [?] The {@code Syntax Error: …} texts and the partition's
     * 01020066 text are the lab's picture (only {@code Syntax Error: unexpected argument} has a source, domain §12).
     */
    private String change(ObjectNode s, String line) {
        List<String> t = new ArrayList<>(Arrays.asList(line.replace("{", " { ").replace("}", " } ").trim().split("\\s+")));
        if (t.size() < 4) {
            return "Syntax Error: \"" + line + "\" is incomplete";
        }
        String verb = t.get(0);
        String kind = t.get(1) + " " + t.get(2);
        if (kind.equals("auth partition")) {
            String p = t.get(3);
            if (partitions().contains(p)) {
                return verb.equals("create") ? "01020066:3: The requested partition (" + p + ") already exists." : null;
            }
            s.withArray("partitions").add(p);
            return null;
        }
        String path = resolve(t.get(3));
        String partition = path.split("/")[1];
        if (!partitions().contains(partition)) {
            return "01020036:3: The requested folder (/" + partition + ") was not found.";
        }
        boolean pool = kind.equals("ltm pool");
        if (!pool && !kind.equals("ltm virtual")) {
            return "Syntax Error: \"" + kind + "\" unknown property";
        }
        ObjectNode table = s.with(pool ? "pools" : "virtuals");
        String label = pool ? "Pool" : "Virtual Server";
        switch (verb) {
            case "create", "modify" -> {
                if (verb.equals("create") && table.has(path)) {
                    return "01020066:3: The requested " + label + " (" + path + ") already exists in partition " + partition + ".";
                }
                if (verb.equals("modify") && !table.has(path)) {
                    return "01020036:3: The requested " + label + " (" + path + ") was not found.";
                }
                ObjectNode o = verb.equals("create") ? table.putObject(path) : (ObjectNode) table.get(path);
                properties(o, t);
                return pool ? nodes(s, o) : checkVirtual(s, path, o);
            }
            case "delete" -> {
                if (!table.has(path)) {
                    return "01020036:3: The requested " + label + " (" + path + ") was not found.";
                }
                if (pool) {
                    for (var it = s.with("virtuals").fields(); it.hasNext(); ) {
                        var v = it.next();
                        if (v.getValue().path("pool").asText().equals(path)) {
                            return "01070265:3: The Pool (" + path + ") cannot be deleted because it is in use by a Virtual Server ("
                                    + v.getKey() + ").";
                        }
                    }
                }
                table.remove(path);
                return null;
            }
            default -> {
                return "Syntax Error: \"" + verb + "\" unknown command";
            }
        }
    }

    /** {@code key value} and {@code key replace-all-with { … }} / {@code key { … }}; names resolved against the folder. */
    private void properties(ObjectNode o, List<String> t) {
        for (int i = 4; i < t.size(); i++) {
            String key = t.get(i);
            boolean list = i + 1 < t.size() && t.get(i + 1).equals("replace-all-with");
            if (list || i + 1 < t.size() && t.get(i + 1).equals("{")) {
                List<String> inner = new ArrayList<>();
                int depth = 0;
                int j = i + (list ? 2 : 1);
                for (; j < t.size(); j++) {
                    String x = t.get(j);
                    depth += x.equals("{") ? 1 : x.equals("}") ? -1 : 0;
                    if (depth == 0 && x.equals("}")) {
                        break;
                    }
                    if (depth == 1 && !x.equals("{") && !x.equals("}")) {
                        inner.add(x);
                    }
                }
                if (list) {
                    ArrayNode a = o.putArray(key);
                    inner.forEach(n -> a.add(resolve(n)));
                } else {
                    o.put(key, inner.size() > 1 ? inner.get(1) : ""); // source-address-translation { type automap }
                }
                i = j;
            } else if (i + 1 < t.size()) {
                String value = t.get(++i);
                o.put(key, key.equals("pool") || key.equals("monitor") ? resolve(value) : value);
            }
        }
    }

    /** Creates the nodes of a pool's members that do not exist yet. */
    private static String nodes(ObjectNode s, ObjectNode pool) {
        for (JsonNode m : pool.path("members")) {
            String member = m.asText();
            String node = member.substring(0, BigipListing.portCut(member));
            if (!s.with("nodes").has(node)) {
                s.with("nodes").putObject(node).put("address", node.substring(node.lastIndexOf('/') + 1));
            }
        }
        return null;
    }

    /** [I] Only address and port are compared (the 01070333 text also names source, protocol and vlan, which the lab does not model). */
    private static String checkVirtual(ObjectNode s, String path, ObjectNode o) {
        String target = o.path("pool").asText("");
        if (!target.isEmpty() && !s.with("pools").has(target)) {
            return "01020036:3: The requested Pool (" + target + ") was not found.";
        }
        for (var it = s.with("virtuals").fields(); it.hasNext(); ) {
            var other = it.next();
            if (!other.getKey().equals(path) && BigipListing.local(other.getValue().path("destination").asText())
                    .equals(BigipListing.local(o.path("destination").asText()))) {
                return "01070333:3: Virtual Server " + path + " illegally shares destination address, source address, service port, "
                        + "ip-protocol, and vlan with Virtual Server " + other.getKey() + ".";
            }
        }
        return null;
    }

    /** The service name tmsh prints for a port, or the number. */
    static String service(String port) {
        try {
            return SERVICES.getOrDefault(Integer.parseInt(port), port);
        } catch (NumberFormatException e) {
            return port;
        }
    }
}

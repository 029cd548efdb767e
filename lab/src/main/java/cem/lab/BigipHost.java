package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A simulated F5 BIG-IP LTM reached over SSH: {@code tmsh -q} reading commands from standard
 * input, for the objects cem manages — partitions, pools, virtual servers — with
 * {@code cli transaction}s that apply all or nothing, {@code save sys config}, one-line listings,
 * and the errors tmsh gives for what cem's tests cover (an object not found, one that exists
 * already, a pool in use, a virtual address and port taken by another virtual server). Every
 * command line received is recorded, so golden tests can pin what cem sends. Its state lives in a
 * JSON file.
 */
public final class BigipHost implements HostExecutor {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Path file;
    private final List<String> received = new ArrayList<>();

    public BigipHost(String name, Path file) {
        this.name = name;
        this.file = file;
    }

    public String name() {
        return name;
    }

    /** The tmsh commands received so far, in order. */
    public synchronized List<String> received() {
        return List.copyOf(received);
    }

    /** How often the configuration was saved. */
    public synchronized int saves() {
        return load().path("saves").asInt();
    }

    /** The device's objects (for tests). */
    public synchronized JsonNode snapshot() {
        return load();
    }

    /** A virtual server someone made by hand, outside cem's partition. */
    public synchronized void addForeignVirtual(String path, String destination) {
        ObjectNode s = load();
        s.with("virtuals").putObject(path).put("destination", destination).put("pool", "").putArray("profiles").add("tcp");
        save(s);
    }

    /** Someone adds a second member to a pool by hand. */
    public synchronized void addMember(String pool, String endpoint) {
        ObjectNode s = load();
        // get, not with: Jackson reads a name starting with "/" given to with() as a JSON Pointer.
        ((ObjectNode) s.with("pools").get(pool)).withArray("members").add(endpoint);
        save(s);
    }

    @Override
    public synchronized Execution run(String user, String commandLine, byte[] stdin) {
        if (!commandLine.equals("tmsh -q")) {
            return Execution.error(127, "-bash: " + commandLine.split(" ", 2)[0] + ": command not found\n");
        }
        ObjectNode state = load();
        ObjectNode transaction = null;
        List<String> queued = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        for (String raw : new String(stdin, StandardCharsets.UTF_8).split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            received.add(line);
            if (line.equals("quit")) {
                break;
            }
            if (line.equals("create cli transaction")) {
                transaction = state.deepCopy();
                queued.clear();
                continue;
            }
            if (line.equals("submit cli transaction")) {
                if (transaction == null) {
                    out.append("01020036:3: The requested cli transaction was not found.\n");
                    continue;
                }
                ObjectNode candidate = state.deepCopy();
                String error = null;
                for (String q : queued) {
                    error = change(candidate, q);
                    if (error != null) {
                        break;
                    }
                }
                if (error == null) {
                    state = candidate;
                } else {
                    out.append(error).append('\n');
                }
                transaction = null;
                continue;
            }
            if (transaction != null && (line.startsWith("create ") || line.startsWith("modify ") || line.startsWith("delete "))) {
                queued.add(line);
                continue;
            }
            if (line.equals("save sys config")) {
                state.put("saves", state.path("saves").asInt() + 1);
                out.append("Saving running configuration...\n  /config/bigip.conf\n  /config/bigip_base.conf\n  /config/bigip_user.conf\n");
                continue;
            }
            if (line.startsWith("list ltm ")) {
                out.append(list(state, line)).append('\n');
                continue;
            }
            String error = change(state, line);
            if (error != null) {
                out.append(error).append('\n');
            }
        }
        save(state);
        return Execution.ok(out.toString());
    }

    /** One create/modify/delete; returns tmsh's error or null. */
    private static String change(ObjectNode s, String line) {
        List<String> t = new ArrayList<>(Arrays.asList(line.replace("{", " { ").replace("}", " } ").trim().split("\\s+")));
        if (t.size() < 4) {
            return "Syntax Error: \"" + line + "\" is incomplete";
        }
        String verb = t.get(0);
        String kind = t.get(1) + " " + t.get(2);
        String path = t.get(3);
        if (kind.equals("auth partition")) {
            ArrayNode partitions = s.withArray("partitions");
            for (JsonNode p : partitions) {
                if (p.asText().equals(path)) {
                    return verb.equals("create") ? "01020066:3: The requested partition (" + path + ") already exists." : null;
                }
            }
            partitions.add(path);
            return null;
        }
        String partition = path.split("/").length > 2 ? path.split("/")[1] : "Common";
        boolean folder = partition.equals("Common");
        for (JsonNode p : s.withArray("partitions")) {
            folder |= p.asText().equals(partition);
        }
        if (!folder) {
            return "01020036:3: The requested folder (/" + partition + ") was not found.";
        }
        ObjectNode pools = s.with("pools");
        ObjectNode virtuals = s.with("virtuals");
        boolean pool = kind.equals("ltm pool");
        ObjectNode table = pool ? pools : virtuals;
        String label = pool ? "Pool" : "Virtual Server";
        if (!pool && !kind.equals("ltm virtual")) {
            return "Syntax Error: \"" + t.get(1) + " " + t.get(2) + "\" unknown property";
        }
        switch (verb) {
            case "create", "modify" -> {
                if (verb.equals("create") && table.has(path)) {
                    return "01020066:3: The requested " + label + " (" + path + ") already exists in partition " + partition + ".";
                }
                if (verb.equals("modify") && !table.has(path)) {
                    return "01020036:3: The requested " + label + " (" + path + ") was not found.";
                }
                ObjectNode o = verb.equals("create") ? table.putObject(path) : (ObjectNode) table.get(path);
                for (int i = 4; i < t.size(); i++) {
                    String key = t.get(i);
                    if ((key.equals("members") || key.equals("profiles")) && t.get(i + 1).equals("replace-all-with")) {
                        List<String> names = new ArrayList<>();
                        int depth = 0;
                        int j = i + 2;
                        for (; j < t.size(); j++) {
                            String x = t.get(j);
                            if (x.equals("{")) {
                                depth++;
                            } else if (x.equals("}")) {
                                depth--;
                                if (depth == 0) {
                                    break;
                                }
                            } else if (depth == 1) {
                                names.add(x);
                            }
                        }
                        ArrayNode a = o.putArray(key);
                        names.forEach(a::add);
                        i = j;
                    } else if (i + 1 < t.size()) {
                        o.put(key, t.get(++i));
                    }
                }
                if (!pool) {
                    String target = o.path("pool").asText("");
                    if (!target.isEmpty() && !pools.has(target)) {
                        return "01020036:3: The requested Pool (" + target + ") was not found.";
                    }
                    for (var it = virtuals.fields(); it.hasNext(); ) {
                        var other = it.next();
                        if (!other.getKey().equals(path) && local(other.getValue().path("destination").asText()).equals(
                                local(o.path("destination").asText()))) {
                            return "01070333:3: Virtual Server " + path + " illegally shares both address and service with Virtual Server "
                                    + other.getKey() + ".";
                        }
                    }
                }
                return null;
            }
            case "delete" -> {
                if (!table.has(path)) {
                    return "01020036:3: The requested " + label + " (" + path + ") was not found.";
                }
                if (pool) {
                    for (var it = virtuals.fields(); it.hasNext(); ) {
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

    /** {@code list ltm virtual|pool PATH one-line}, as tmsh prints it. */
    private static String list(ObjectNode s, String line) {
        String[] t = line.split("\\s+");
        boolean pool = t[2].equals("pool");
        String path = t[3];
        JsonNode o = s.path(pool ? "pools" : "virtuals").get(path);
        if (o == null) {
            return "01020036:3: The requested " + (pool ? "Pool" : "Virtual Server") + " (" + path + ") was not found.";
        }
        String folder = path.substring(0, path.lastIndexOf('/') + 1);
        if (pool) {
            StringBuilder members = new StringBuilder();
            for (JsonNode m : o.path("members")) {
                String endpoint = m.asText();
                String address = endpoint.contains(".") && endpoint.chars().filter(c -> c == ':').count() > 1
                        ? endpoint.substring(0, endpoint.lastIndexOf('.')) : endpoint.substring(0, endpoint.lastIndexOf(':'));
                members.append(folder).append(endpoint).append(" { address ").append(address).append(" } ");
            }
            return "ltm pool " + path + " { members { " + members + "} monitor /Common/" + o.path("monitor").asText("none") + " }";
        }
        StringBuilder profiles = new StringBuilder();
        o.path("profiles").forEach(p -> profiles.append("/Common/").append(p.asText()).append(" { } "));
        return "ltm virtual " + path + " { destination " + folder + local(o.path("destination").asText()) + " ip-protocol tcp mask "
                + "255.255.255.255 pool " + o.path("pool").asText() + " profiles { " + profiles + "} source 0.0.0.0/0 translate-address "
                + o.path("translate-address").asText("enabled") + " translate-port " + o.path("translate-port").asText("enabled") + " }";
    }

    private static String local(String path) {
        return path.startsWith("/") ? path.substring(path.lastIndexOf('/') + 1) : path;
    }

    private ObjectNode load() {
        try {
            if (!Files.exists(file)) {
                ObjectNode s = JSON.createObjectNode();
                s.putArray("partitions").add("Common");
                return s;
            }
            return (ObjectNode) JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void save(ObjectNode s) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, s.toPrettyString());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

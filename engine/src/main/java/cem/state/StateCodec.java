package cem.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the state file format. Reading sniffs the format version first and upgrades
 * older formats step by step ({@link #UPGRADERS}), so a newer cem always reads an older state.
 */
public final class StateCodec {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Upgraders from format N to N+1, indexed by N. Format 1 is the first: none yet. */
    private static final Map<Integer, java.util.function.UnaryOperator<ObjectNode>> UPGRADERS = Map.of();

    private StateCodec() {}

    /** Why a state document was refused. */
    public static final class CorruptStateException extends Exception {
        private static final long serialVersionUID = 1L;

        private final String hint;

        public CorruptStateException(String message) {
            this(message, null);
        }

        /** @param hint what to do, when it is more than restoring an earlier version; or null */
        public CorruptStateException(String message, String hint) {
            super(message, null, false, false);
            this.hint = hint;
        }

        /** What to do, when it is more than restoring an earlier version; or null. */
        public String hint() {
            return hint;
        }
    }

    /** The state's text with its checksum and no MAC. */
    public static String write(State state) {
        return write(state, Integrity.CHECKSUM);
    }

    /** The state's text with its checksum, and its MAC when {@code integrity} has a key. */
    public static String write(State state, Integrity integrity) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", state.formatVersion());
        root.put("lineage", state.lineage());
        root.put("serial", state.serial());
        root.put("cem_version", state.cemVersion());
        ArrayNode resources = root.putArray("resources");
        for (ResourceState r : state.all()) {
            resources.add(resourceJson(r));
        }
        integrity.add(root);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One resource's JSON, as in the state file (and the journal). */
    public static ObjectNode resourceJson(ResourceState r) {
        {
            ObjectNode n = JSON.createObjectNode();
            n.put("address", r.address());
            n.put("type", r.type());
            n.put("host", r.host());
            if (r.identity() != null) {
                n.put("identity", r.identity());
            }
            n.set("attributes", r.attributes());
            ArrayNode deps = n.putArray("dependencies");
            r.dependencies().forEach(deps::add);
            if (r.preventDestroy()) {
                n.put("prevent_destroy", true);
            }
            return n;
        }
    }

    /** A state that carries its checksum. */
    public static State read(String text) throws CorruptStateException {
        return read(text, Integrity.CHECKSUM);
    }

    /** A state that passes {@code integrity}'s checks. */
    public static State read(String text, Integrity integrity) throws CorruptStateException {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(text);
        } catch (IOException e) {
            throw new CorruptStateException("not valid JSON (" + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")");
        }
        if (parsed == null || !parsed.isObject()) {
            throw new CorruptStateException("not a JSON object");
        }
        ObjectNode root = (ObjectNode) parsed;
        int version = root.path("version").asInt(-1);
        if (version < 1) {
            throw new CorruptStateException("no format version");
        }
        if (version > State.FORMAT_VERSION) {
            throw new CorruptStateException("format version " + version + " is newer than this cem reads ("
                    + State.FORMAT_VERSION + "); upgrade cem");
        }
        String problem = integrity.problem(root);
        if (problem != null) {
            boolean adoptable = problem.startsWith("has no ");
            throw new CorruptStateException("it " + problem, adoptable ? "If you trust its content, `cem state sign -d CONFIG_DIR` writes it again with a checksum"
                    + (integrity.keyed() ? " and a MAC" : "") + " (and says what it holds); otherwise restore an earlier version." : null);
        }
        root.remove(Checksum.FIELD);
        root.remove(Integrity.FIELD);
        while (version < State.FORMAT_VERSION) {
            root = UPGRADERS.get(version).apply(root);
            version++;
        }
        String lineage = text(root, "lineage");
        long serial = root.path("serial").asLong(-1);
        if (serial < 0) {
            throw new CorruptStateException("no serial");
        }
        Map<String, ResourceState> resources = new LinkedHashMap<>();
        for (JsonNode n : root.path("resources")) {
            ResourceState r = resource(n);
            if (resources.put(r.address(), r) != null) {
                throw new CorruptStateException("resource " + r.address() + " appears twice");
            }
        }
        return new State(State.FORMAT_VERSION, lineage, serial, root.path("cem_version").asText("unknown"), resources);
    }

    /** One resource from its JSON. */
    public static ResourceState resource(JsonNode n) throws CorruptStateException {
        List<String> deps = new ArrayList<>();
        n.path("dependencies").forEach(d -> deps.add(d.asText()));
        return new ResourceState(text(n, "address"), text(n, "type"), text(n, "host"),
                n.hasNonNull("identity") ? n.get("identity").asText() : null,
                n.path("attributes").isObject() ? n.get("attributes") : JSON.createObjectNode(), deps,
                n.path("prevent_destroy").asBoolean(false));
    }

    private static String text(JsonNode node, String field) throws CorruptStateException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new CorruptStateException("missing \"" + field + "\"");
        }
        return v.asText();
    }
}

package cem.windows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The PowerShell agent ({@code agent.psm1}) and its batch protocol: a request of ops goes in
 * base64 (so no value is ever part of PowerShell source), one JSON document comes back.
 */
final class Agent {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODULE = load();

    private final ArrayNode ops = JSON.createArrayNode();

    /** Adds an op; returns its index in the answer. */
    int add(String op, JsonNode args) {
        ops.addObject().put("op", op).set("args", args);
        return ops.size() - 1;
    }

    boolean isEmpty() {
        return ops.isEmpty();
    }

    /** The script to run: the module, then one call with the encoded request. */
    String script() {
        ObjectNode request = JSON.createObjectNode();
        request.put("v", 1);
        request.set("ops", ops);
        String encoded = Base64.getEncoder().encodeToString(request.toString().getBytes(StandardCharsets.UTF_8));
        return MODULE + "\nInvoke-CemBatch -Request '" + encoded + "'\nexit 0\n";
    }

    /** The results of a batch, or an exception when the answer is not one. */
    static JsonNode results(String stdout) {
        try {
            JsonNode answer = JSON.readTree(stdout.trim());
            if (answer == null || !answer.path("results").isArray()) {
                throw new IllegalStateException("the agent answered without results: " + abbreviate(stdout));
            }
            return answer.get("results");
        } catch (IOException e) {
            throw new IllegalStateException("the agent's answer is not JSON: " + abbreviate(stdout));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private static String load() {
        try (InputStream in = Agent.class.getResourceAsStream("agent.psm1")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

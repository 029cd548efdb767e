package cem.windows;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The agent's op contracts ({@code cem/windows/ops/<op>.schema.json}) for tests: requests and answers checked against them. */
final class OpContracts {

    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

    private OpContracts() {}

    /** Every op that has a schema. */
    static Set<String> ops() {
        try (var files = Files.list(directory())) {
            Set<String> out = new TreeSet<>();
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".schema.json"))
                    .forEach(n -> out.add(n.substring(0, n.length() - ".schema.json".length())));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What is wrong with a value against the op's {@code args} or {@code data} schema, one line each; empty when it holds. */
    static List<String> violations(String op, String part, JsonNode value) {
        Schema schema = SCHEMAS.computeIfAbsent(op + "#" + part, k -> {
            try (InputStream in = OpContracts.class.getResourceAsStream("/cem/windows/ops/" + op + ".schema.json")) {
                if (in == null) {
                    return null;
                }
                JsonNode node = Agent.JSON.readTree(in).path("$defs").path(part);
                return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(node);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<String> out = new ArrayList<>();
        if (schema == null) {
            out.add(op + ": no schema");
            return out;
        }
        for (Error e : schema.validate(value)) {
            out.add(op + " " + part + ": " + e);
        }
        return out;
    }

    private static Path directory() {
        try {
            return Path.of(OpContracts.class.getResource("/cem/windows/ops/agent.info.schema.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

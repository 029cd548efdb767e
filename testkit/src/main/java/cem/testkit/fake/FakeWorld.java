package cem.testkit.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * The fake provider's "hosts": one JSON file per host in a directory, so that separate cem
 * processes (and tests that kill them) see one durable world. {@code control.json} in the same
 * directory injects latency, failing resources, unreachable hosts and hosts whose answers cannot be
 * read ({@code "garbled": {host: what it answered}}); {@code calls.log} counts
 * round trips.
 */
public final class FakeWorld {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public FakeWorld(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    /** The objects on a host: address → {identity, attributes}. */
    public synchronized ObjectNode host(String host) {
        Path file = dir.resolve(host + ".json");
        try {
            return Files.exists(file) ? (ObjectNode) JSON.readTree(file.toFile()) : JSON.createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces a host's objects atomically. */
    public synchronized void save(String host, ObjectNode objects) {
        try {
            Files.createDirectories(dir);
            Path temp = dir.resolve(host + ".json.tmp-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId());
            Files.writeString(temp, objects.toPrettyString(), StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(temp, dir.resolve(host + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JsonNode control() {
        Path file = dir.resolve("control.json");
        try {
            return Files.exists(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long latencyMillis() {
        return control().path("latencyMs").asLong(0);
    }

    public Set<String> failing() {
        Set<String> out = new HashSet<>();
        control().path("fail").forEach(n -> out.add(n.asText()));
        return out;
    }

    public Set<String> unreachable() {
        Set<String> out = new HashSet<>();
        control().path("unreachable").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** What a garbled host answered (control.json {@code "garbled"}), or null when its answers are fine. */
    public String garbled(String host) {
        JsonNode text = control().path("garbled").get(host);
        return text == null ? null : text.asText();
    }

    public synchronized void logCall(String kind, String host, int resources) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("calls.log"), kind + " " + host + " " + resources + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void setControl(String json) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("control.json"), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

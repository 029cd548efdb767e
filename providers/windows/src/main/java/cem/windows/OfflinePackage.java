package cem.windows;

import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The CEM offline package: generated on the NS, written to a local path with a small record of the
 * inputs it was made from (the policy's gateways and ports), so that it is generated again only
 * when those change. The path must lead inside the configuration's directory once links are
 * resolved (validation says so for the configuration; a path from the state is checked here): one
 * that leads elsewhere is never read, written or deleted.
 */
final class OfflinePackage {

    private OfflinePackage() {}

    /** Where the package goes, or empty when its path leads out of the configuration's directory. */
    static java.util.Optional<Path> output(ResourceInstance r, HostTarget host) {
        return cem.fs.Confined.inside(host.configDirectory(), r.attributes().path("output").asText());
    }

    private static Path record(Path output) {
        return output.resolveSibling(output.getFileName() + ".cem.json");
    }

    /** What the package is made from: the gateways and ports of the policy it carries. */
    static String inputs(ResourceInstance r) {
        JsonNode policy = r.related().get("cem_policy." + r.attributes().path("policy").asText());
        return Agent.sha256((policy == null ? "" : policy.path("gateways").toString()).getBytes(StandardCharsets.UTF_8));
    }

    static LiveResource live(ResourceInstance r, HostTarget host) {
        Path output = output(r, host).orElse(null);
        if (output == null || !Files.exists(output)) {
            return LiveResource.absent(r.address()); // a path out of the configuration is not cem's: never deleted
        }
        String made = "";
        try {
            made = Agent.JSON.readTree(Files.readString(record(output))).path("inputs").asText();
        } catch (IOException | RuntimeException e) {
            // no record: treated as made from other inputs
        }
        ObjectNode attrs = ((ObjectNode) r.attributes()).deepCopy();
        if (!made.equals(inputs(r))) {
            attrs.put("policy", "(a package made for other gateways or ports)");
        }
        return new LiveResource(r.address(), true, output.toString(), attrs);
    }

    /** Writes a generated package and the record of its inputs. */
    static void write(ResourceInstance r, HostTarget host, JsonNode generated) throws IOException {
        Path output = output(r, host).orElseThrow(() -> new IOException("its output \"" + r.attributes().path("output").asText()
                + "\" leads out of the configuration's directory " + host.configDirectory() + "; nothing was written"));
        if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        Files.write(output, Base64.getDecoder().decode(generated.path("package").asText()));
        Files.writeString(record(output), Agent.JSON.createObjectNode().put("inputs", inputs(r)).toString());
    }

    static void delete(ResourceInstance r, HostTarget host) throws IOException {
        java.util.Optional<Path> output = output(r, host);
        if (output.isPresent()) {
            Files.deleteIfExists(output.get());
            Files.deleteIfExists(record(output.get()));
        }
    }
}

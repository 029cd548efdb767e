package cem.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a backend is opened with.
 *
 * @param settings the {@code backend:} block as written
 * @param secrets its resolved secret references by attribute ({@code password}); never logged
 * @param key this state's key (one per site or workspace)
 * @param configDirectory where relative paths start
 * @param jobUrl the CI job URL when the environment names one, for lock holder details, or null
 * @param configDigest the digest of the configuration the writes come from, or null
 * @param cemVersion the running cem's version
 * @param encryption seals state at rest, or null
 * @param integrity what a state must carry to be read (its checksum; a MAC when a key is set)
 */
public record BackendSpec(JsonNode settings, Map<String, String> secrets, String key, Path configDirectory, String jobUrl,
        String configDigest, String cemVersion, StateEncryption encryption, Integrity integrity) {

    public BackendSpec {
        secrets = Map.copyOf(secrets);
    }

    @Override
    public String toString() {
        return "BackendSpec[" + settings.path("type").asText() + " " + key + "]"; // never the secrets
    }
}

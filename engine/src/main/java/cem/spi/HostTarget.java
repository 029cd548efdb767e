package cem.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;

/**
 * The host a batch runs against, as configured.
 *
 * @param name the host's name in the configuration
 * @param settings the host's mapping (address, os, transport, auth with secret references, tls …)
 * @param secrets resolved secret values by attribute path (e.g. {@code auth/password}); never logged
 * @param configDirectory the configuration directory (relative paths start here)
 */
public record HostTarget(String name, JsonNode settings, Map<String, String> secrets, Path configDirectory) {

    public HostTarget {
        secrets = Map.copyOf(secrets);
    }

    @Override
    public String toString() {
        return "HostTarget[" + name + "]"; // never the secrets
    }
}

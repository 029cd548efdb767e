package cem.spi;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a provider is created with.
 *
 * @param environment the process environment
 * @param configDirectory the configuration directory
 * @param debug whether --debug is on (providers may log round trips)
 * @param acceptNewHostKeys --accept-new-host-keys: record the SSH key of a host seen for the first time
 */
public record ProviderContext(Map<String, String> environment, Path configDirectory, boolean debug, boolean acceptNewHostKeys) {

    public ProviderContext {
        environment = Map.copyOf(environment);
    }

    public ProviderContext(Map<String, String> environment, Path configDirectory, boolean debug) {
        this(environment, configDirectory, debug, false);
    }
}

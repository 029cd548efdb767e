package cem.spi;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a provider is created with.
 *
 * @param environment the process environment
 * @param configDirectory the configuration directory
 * @param debug whether --debug is on (providers may log round trips)
 */
public record ProviderContext(Map<String, String> environment, Path configDirectory, boolean debug) {

    public ProviderContext {
        environment = Map.copyOf(environment);
    }
}

package cem.testkit.fake;

import cem.spi.Provider;
import cem.spi.ProviderContext;
import cem.spi.ProviderFactory;
import java.nio.file.Path;

/**
 * Registers the fake provider. It takes part only when {@code CEM_FAKE_WORLD} names its world
 * directory, and then it overrides the real providers, so the engine can be driven through the
 * real command line without any host.
 */
public final class FakeProviderFactory implements ProviderFactory {

    public static final String WORLD_VARIABLE = "CEM_FAKE_WORLD";

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public boolean enabled(ProviderContext context) {
        return context.environment().containsKey(WORLD_VARIABLE);
    }

    @Override
    public boolean overrides() {
        return true;
    }

    @Override
    public Provider create(ProviderContext context) {
        return new FakeProvider(new FakeWorld(Path.of(context.environment().get(WORLD_VARIABLE))));
    }
}

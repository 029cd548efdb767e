package cem.engine;

import cem.spi.Provider;
import cem.spi.ProviderContext;
import cem.spi.ProviderFactory;
import cem.spi.ResourceSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The providers of this run, found with {@link ServiceLoader}, and which one manages each type.
 * Two enabled providers claiming one type is an error naming both, unless exactly one of them
 * overrides (a test double).
 */
public final class ProviderRegistry implements AutoCloseable {

    private final Map<String, Provider> byType = new HashMap<>();
    private final Map<String, String> providerNameByType = new HashMap<>();
    private final Map<String, ResourceSchema> schemas = new HashMap<>();
    private final List<Provider> providers = new ArrayList<>();

    private ProviderRegistry() {}

    public static ProviderRegistry load(ProviderContext context) {
        List<ProviderFactory> factories = new ArrayList<>();
        for (ProviderFactory f : ServiceLoader.load(ProviderFactory.class)) {
            if (f.enabled(context)) {
                factories.add(f);
            }
        }
        return of(factories, context);
    }

    /** A registry of the given factories (tests). */
    public static ProviderRegistry of(List<ProviderFactory> factories, ProviderContext context) {
        Map<String, ProviderFactory> byName = new LinkedHashMap<>();
        for (ProviderFactory f : factories) {
            ProviderFactory other = byName.putIfAbsent(f.name(), f);
            if (other != null) {
                throw new IllegalStateException("two providers are named \"" + f.name() + "\": "
                        + other.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        ProviderRegistry registry = new ProviderRegistry();
        Map<String, ProviderFactory> claimed = new HashMap<>();
        for (ProviderFactory f : byName.values()) {
            Provider p = f.create(context);
            registry.providers.add(p);
            for (Map.Entry<String, ResourceSchema> e : p.schemas().entrySet()) {
                ProviderFactory previous = claimed.get(e.getKey());
                if (previous != null && previous.overrides() == f.overrides()) {
                    throw new IllegalStateException("resource type " + e.getKey() + " is claimed by two providers: "
                            + previous.name() + " and " + f.name());
                }
                if (previous == null || f.overrides()) {
                    claimed.put(e.getKey(), f);
                    registry.byType.put(e.getKey(), p);
                    registry.providerNameByType.put(e.getKey(), f.name());
                    registry.schemas.put(e.getKey(), e.getValue());
                }
            }
        }
        return registry;
    }

    public Optional<Provider> forType(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    public Optional<ResourceSchema> schema(String type) {
        return Optional.ofNullable(schemas.get(type));
    }

    public String providerName(String type) {
        return providerNameByType.getOrDefault(type, "none");
    }

    @Override
    public void close() {
        providers.forEach(Provider::close);
    }
}

package cem.spi;

/**
 * The {@link java.util.ServiceLoader} entry point of a provider module
 * ({@code META-INF/services/cem.spi.ProviderFactory}).
 */
public interface ProviderFactory {

    /** A short unique name, e.g. {@code windows}. */
    String name();

    /**
     * Whether this provider takes part in this run. A provider that claims a type another also
     * claims wins when it is enabled (e.g. a test double switched on by its environment).
     */
    default boolean enabled(ProviderContext context) {
        return true;
    }

    /** Whether this provider overrides others that claim the same types when it is enabled. */
    default boolean overrides() {
        return false;
    }

    Provider create(ProviderContext context);
}

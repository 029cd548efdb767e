package cem.state;

/**
 * A state backend other than the local file, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/cem.state.StateBackendFactory}): the {@code type} a configuration's
 * {@code backend:} block names.
 */
public interface StateBackendFactory {

    /** The {@code backend.type} this factory serves, e.g. {@code postgres}. */
    String type();

    /** Opens the backend (connects, checks its schema version); nothing is written. */
    StateStore open(BackendSpec spec) throws StateException;
}

package cem.spi;

import java.util.Map;

/**
 * A provider: a set of resource types and how to read and change them on a host, one batch per
 * host per call. Implementations must be thread-safe: the engine calls them for many hosts at once
 * (never twice at once for the same host).
 */
public interface Provider extends AutoCloseable {

    /** The resource types this provider manages, by type name. */
    Map<String, ResourceSchema> schemas();

    /** Reads all listed resources of one host. Must not change anything. */
    ReadResponse read(ReadRequest request);

    /**
     * Refines the changes planned for one host: values known before apply, side effects apply will
     * have, and diagnostics for what apply cannot do. Runs no remote command.
     */
    default PlanResponse plan(PlanRequest request) {
        return PlanResponse.NONE;
    }

    /** Makes the listed changes on one host; each change is idempotent. */
    ApplyResponse apply(ApplyRequest request);

    /** Releases connections. */
    @Override
    default void close() {}
}

package cem.spi;

import java.util.List;

/**
 * Apply a batch of changes to one host in one round trip.
 *
 * @param host the host
 * @param changes the changes, in the order to make them
 * @param unchanged the provider's other resources on this host as they stand while this batch runs
 *     (unchanged ones, and changes of other batches: applied ones as they now are, pending ones as they
 *     were read), attributes without secrets. A provider that rewrites a whole container at once (a
 *     firewall chain in one transaction) needs them; others ignore them.
 */
public record ApplyRequest(HostTarget host, List<Change> changes, List<ResourceInstance> unchanged) {

    public ApplyRequest {
        changes = List.copyOf(changes);
        unchanged = List.copyOf(unchanged);
    }

    public ApplyRequest(HostTarget host, List<Change> changes) {
        this(host, changes, List.of());
    }

    /**
     * One change.
     *
     * @param operation create, update or delete (a replacement arrives as a delete and a create)
     * @param resource the resource; for create/update its desired attributes with secrets resolved,
     *     for delete its last known attributes
     */
    public record Change(Operation operation, ResourceInstance resource) {}

    public enum Operation { CREATE, UPDATE, DELETE }
}

package cem.spi;

import java.util.List;

/**
 * Apply a batch of changes to one host in one round trip.
 *
 * @param host the host
 * @param changes the changes, in the order to make them
 */
public record ApplyRequest(HostTarget host, List<Change> changes) {

    public ApplyRequest {
        changes = List.copyOf(changes);
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

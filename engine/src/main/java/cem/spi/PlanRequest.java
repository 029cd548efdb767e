package cem.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The changes planned for one host, for the provider to refine before they are shown (Terraform's
 * PlanResourceChange). Answered from what the provider's read learned and from local files: no
 * remote command.
 *
 * @param host the host
 * @param changes the planned changes of this provider's resources on the host
 */
public record PlanRequest(HostTarget host, List<Proposed> changes) {

    public PlanRequest {
        changes = List.copyOf(changes);
    }

    /**
     * One planned change.
     *
     * @param operations what apply will ask for, in order (a replacement is a delete and a create)
     * @param resource the resource: its desired attributes with secrets resolved, and what it refers to;
     *     for a delete its last known attributes
     * @param before its attributes as read, or null when it does not exist
     */
    public record Proposed(List<ApplyRequest.Operation> operations, ResourceInstance resource, JsonNode before) {

        public Proposed {
            operations = List.copyOf(operations);
        }

        public boolean creates() {
            return operations.contains(ApplyRequest.Operation.CREATE);
        }

        public boolean deletes() {
            return operations.contains(ApplyRequest.Operation.DELETE);
        }
    }
}

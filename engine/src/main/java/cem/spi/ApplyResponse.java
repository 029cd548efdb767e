package cem.spi;

import cem.diag.Diagnostics;
import java.util.Map;

/**
 * The result of a batch apply.
 *
 * @param results the new live state of each resource that was changed successfully, by address
 *     (for a delete: an absent {@link LiveResource}); a change missing here failed
 * @param diagnostics failures, each with the address it belongs to
 * @param roundTrips remote commands this apply cost
 */
public record ApplyResponse(Map<String, LiveResource> results, Diagnostics diagnostics, int roundTrips) {

    public ApplyResponse {
        results = Map.copyOf(results);
    }
}

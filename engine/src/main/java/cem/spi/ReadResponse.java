package cem.spi;

import cem.diag.Diagnostics;
import java.util.Map;

/**
 * The result of a batch read.
 *
 * @param resources what was found, by address; an address missing here could not be read
 * @param diagnostics problems; a host-level problem (unreachable, auth) has no address and makes
 *     every resource of the batch unknown
 * @param roundTrips remote commands this read cost
 */
public record ReadResponse(Map<String, LiveResource> resources, Diagnostics diagnostics, int roundTrips) {

    public ReadResponse {
        resources = Map.copyOf(resources);
    }
}

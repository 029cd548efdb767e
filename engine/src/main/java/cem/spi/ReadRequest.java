package cem.spi;

import java.util.List;

/**
 * Read every listed resource of one host in one round trip.
 *
 * @param host the host
 * @param resources the resources to read, all of this provider's types
 */
public record ReadRequest(HostTarget host, List<ResourceInstance> resources) {

    public ReadRequest {
        resources = List.copyOf(resources);
    }
}

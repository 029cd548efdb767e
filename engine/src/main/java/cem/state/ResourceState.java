package cem.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What cem knows of one resource it manages.
 *
 * @param address {@code type.name}
 * @param type the resource type
 * @param host the host it lives on
 * @param identity its identity on the host (thumbprint, rule name …)
 * @param attributes last known attributes; sensitive ones only as salted digests
 * @param dependencies addresses it depended on when it was last applied (to order deletion)
 * @param preventDestroy kept from the configuration, so it still protects after the resource
 *     is removed from the YAML
 */
public record ResourceState(String address, String type, String host, String identity, JsonNode attributes,
        List<String> dependencies, boolean preventDestroy) {

    public ResourceState {
        dependencies = List.copyOf(dependencies);
        attributes = attributes.deepCopy();
    }

    public String name() {
        return address.substring(address.indexOf('.') + 1);
    }

    public ResourceState withAddress(String newAddress) {
        return new ResourceState(newAddress, type, host, identity, attributes, dependencies, preventDestroy);
    }
}

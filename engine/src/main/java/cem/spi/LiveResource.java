package cem.spi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a provider found on the host for one resource.
 *
 * @param address the resource asked about
 * @param exists whether the object exists on the host
 * @param identity the object's identity on the host (a thumbprint, a rule name …), or null when absent
 * @param attributes its attributes as read (empty object when absent); sensitive ones as digests
 */
public record LiveResource(String address, boolean exists, String identity, JsonNode attributes) {

    public static LiveResource absent(String address) {
        return new LiveResource(address, false, null, com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
    }
}

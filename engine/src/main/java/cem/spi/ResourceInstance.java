package cem.spi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A resource a provider is asked about.
 *
 * @param address {@code type.name}
 * @param type the resource type
 * @param identity the live identity cem recorded for it, or null when it has none yet
 * @param attributes the desired attributes (what the configuration says, secrets resolved; for a
 *     resource only in the state, what the state recorded)
 * @param related the attributes of the resources this one refers to (e.g. the certificate an IIS
 *     binding names), by address, secrets resolved: what a provider needs to turn a reference
 *     into a host value such as a thumbprint
 */
public record ResourceInstance(String address, String type, String identity, JsonNode attributes,
        java.util.Map<String, JsonNode> related) {

    public ResourceInstance {
        related = java.util.Map.copyOf(related);
    }

    public ResourceInstance(String address, String type, String identity, JsonNode attributes) {
        this(address, type, identity, attributes, java.util.Map.of());
    }

    /** The name part of the address. */
    public String name() {
        return address.substring(address.indexOf('.') + 1);
    }
}

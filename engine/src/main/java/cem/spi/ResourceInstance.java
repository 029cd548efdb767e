package cem.spi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A resource a provider is asked about.
 *
 * @param address {@code type.name}
 * @param type the resource type
 * @param identity the live identity cem recorded for it, or null when it has none yet
 * @param attributes the desired attributes (for reads: what the configuration or state says;
 *     for applies: the values to set, secrets resolved)
 */
public record ResourceInstance(String address, String type, String identity, JsonNode attributes) {}

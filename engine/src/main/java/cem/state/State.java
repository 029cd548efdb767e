package cem.state;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A snapshot of what cem manages.
 *
 * @param formatVersion the state file format
 * @param lineage a UUID fixed when the state is first created; a plan is bound to it
 * @param serial increases with every write
 * @param cemVersion the cem that wrote it
 * @param resources resources by address, in address order
 */
public record State(int formatVersion, String lineage, long serial, String cemVersion, Map<String, ResourceState> resources) {

    public static final int FORMAT_VERSION = 1;

    public State {
        resources = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(resources));
    }

    public static State empty(String cemVersion) {
        return new State(FORMAT_VERSION, UUID.randomUUID().toString(), 0, cemVersion, Map.of());
    }

    public Optional<ResourceState> resource(String address) {
        return Optional.ofNullable(resources.get(address));
    }

    public Collection<ResourceState> all() {
        return resources.values();
    }

    public State with(ResourceState r) {
        Map<String, ResourceState> copy = new LinkedHashMap<>(resources);
        copy.put(r.address(), r);
        return new State(formatVersion, lineage, serial, cemVersion, copy);
    }

    public State without(String address) {
        Map<String, ResourceState> copy = new LinkedHashMap<>(resources);
        copy.remove(address);
        return new State(formatVersion, lineage, serial, cemVersion, copy);
    }

    /** The next version of this state, as written by {@code version}. */
    public State nextSerial(String version) {
        return new State(FORMAT_VERSION, lineage, serial + 1, version, resources);
    }
}

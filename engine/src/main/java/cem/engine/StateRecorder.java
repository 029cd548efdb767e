package cem.engine;

import cem.state.ResourceState;
import cem.state.State;
import cem.state.StateException;
import cem.state.StateStore;

/**
 * The one mutable state during an apply: records each finished resource and writes the state at
 * once (atomically, through the store), so a crash loses nothing that was applied.
 */
public final class StateRecorder {

    private final StateStore store;
    private final String cemVersion;
    private State state;
    private StateException failure;
    private final java.util.Set<String> dirty = new java.util.TreeSet<>();

    public StateRecorder(StateStore store, State start, String cemVersion) {
        this.store = store;
        this.state = start;
        this.cemVersion = cemVersion;
    }

    public synchronized void put(ResourceState r) {
        state = state.with(r);
        dirty.add(r.address());
    }

    public synchronized void remove(String address) {
        state = state.without(address);
        dirty.add(address);
    }

    /**
     * Saves what changed since the last save, as the next serial (a journal entry where the
     * backend keeps one). A failed write is remembered and reported at the end.
     */
    public synchronized void persist() {
        State next = state.nextSerial(cemVersion);
        try {
            store.writeChanges(next, dirty);
            state = next;
            dirty.clear();
        } catch (StateException e) {
            failure = e;
        }
    }

    /** Writes the whole state (folding any journal into it). */
    public synchronized void persistAll() {
        State next = state.nextSerial(cemVersion);
        try {
            store.write(next);
            state = next;
            dirty.clear();
        } catch (StateException e) {
            failure = e;
        }
    }

    public synchronized State snapshot() {
        return state;
    }

    public synchronized StateException failure() {
        return failure;
    }
}

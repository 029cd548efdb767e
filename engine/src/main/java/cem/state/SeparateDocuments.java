package cem.state;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A state store whose documents live in a directory the configuration names
 * ({@code backend.documents.directory}) instead of beside the state, whatever the backend: a shared,
 * backed-up volume that every CI runner mounts. Everything else is the backend's.
 */
public final class SeparateDocuments implements StateStore {

    private final StateStore state;
    private final DocumentDirectory documents;

    public SeparateDocuments(StateStore state, DocumentDirectory documents) {
        this.state = state;
        this.documents = documents;
    }

    @Override
    public DocumentDirectory documents() {
        return documents;
    }

    @Override
    public Optional<State> read() throws StateException {
        return state.read();
    }

    @Override
    public void write(State s) throws StateException {
        state.write(s);
    }

    @Override
    public void writeChanges(State s, java.util.Set<String> changed) throws StateException {
        state.writeChanges(s, changed);
    }

    @Override
    public Lock lock(String operation, Duration timeout) throws StateException {
        return state.lock(operation, timeout);
    }

    @Override
    public void forceUnlock(String id) throws StateException {
        state.forceUnlock(id);
    }

    @Override
    public Optional<LockInfo> currentLock() throws StateException {
        return state.currentLock();
    }

    @Override
    public String init() throws StateException {
        return state.init();
    }

    @Override
    public List<StateVersion> history() throws StateException {
        return state.history();
    }

    @Override
    public Optional<State> read(long version) throws StateException {
        return state.read(version);
    }

    @Override
    public List<LockInfo> locks() throws StateException {
        return state.locks();
    }

    @Override
    public String describe() {
        return state.describe();
    }
}

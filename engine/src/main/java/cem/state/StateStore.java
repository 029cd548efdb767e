package cem.state;

import java.time.Duration;
import java.util.Optional;

/**
 * Where state lives. A backend keeps the current state and the previous one, writes atomically,
 * and guards writers with a lock.
 */
public interface StateStore {

    /** The current state, or empty when none was written yet. */
    Optional<State> read() throws StateException;

    /** Replaces the state atomically; the previous version stays as a backup. */
    void write(State state) throws StateException;

    /**
     * Records a state that differs from the last one written only in {@code changed} addresses
     * (added, updated or removed). A backend may journal just those, so that saving after every
     * finished resource stays cheap for large states; {@link #read()} always returns the whole.
     */
    default void writeChanges(State state, java.util.Set<String> changed) throws StateException {
        write(state);
    }

    /**
     * Takes the lock, waiting up to {@code timeout} while another holder has it.
     *
     * @throws StateException naming the holder when it cannot be had in time
     */
    Lock lock(String operation, Duration timeout) throws StateException;

    /** Breaks a lock, whoever holds it (after the user checked it is stale). */
    void forceUnlock(String id) throws StateException;

    /** The lock held right now, if any. */
    Optional<LockInfo> currentLock() throws StateException;

    /** A held lock; closing releases it. */
    interface Lock extends AutoCloseable {
        LockInfo info();

        @Override
        void close();
    }
}

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

    /** Creates or upgrades what the backend needs (tables, schema); idempotent. The local file needs nothing. */
    default String init() throws StateException {
        return "The local state needs no initialisation.";
    }

    /** Written versions, newest first, where the backend keeps history; else only the current one. */
    default java.util.List<StateVersion> history() throws StateException {
        return read().map(s -> java.util.List.of(new StateVersion(1, s.serial(), s.lineage(), "", null, s.cemVersion(), null,
                s.all().size()))).orElse(java.util.List.of());
    }

    /** One version from the history, or empty when the backend does not keep it. */
    default Optional<State> read(long version) throws StateException {
        return Optional.empty();
    }

    /** Every lock the backend knows of (the local file: at most the one). */
    default java.util.List<LockInfo> locks() throws StateException {
        return currentLock().map(java.util.List::of).orElse(java.util.List.of());
    }

    /**
     * A document kept beside the state under {@code name} (letters, digits, {@code .-_}; {@link #documentName}),
     * already sealed by the caller: the key and certificate an ACME CA issued. Empty when none was written.
     */
    default Optional<String> readDocument(String name) throws StateException {
        return documentDirectory().read(name);
    }

    /** The names of the documents kept beside the state (for `cem state migrate`); none where the backend keeps none. */
    default java.util.List<String> documentNames() throws StateException {
        return documents() == null ? java.util.List.of() : documents().names();
    }

    /** Writes a document beside the state atomically, readable by its owner only. */
    default void writeDocument(String name, String text) throws StateException {
        documentDirectory().write(name, text);
    }

    /** The directory that keeps this backend's documents, for a backend that keeps them in files; null otherwise. */
    default DocumentDirectory documents() {
        return null;
    }

    private DocumentDirectory documentDirectory() throws StateException {
        if (documents() == null) {
            throw new StateException(describe() + " keeps no documents beside the state.", "Name a directory for them: backend.documents.directory.");
        }
        return documents();
    }

    /** What a document's name may be. */
    String DOCUMENT_NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,199}";

    /** {@code name} when it can name a document: a letter or digit, then up to 199 letters, digits and {@code .-_}. */
    static String documentName(String name) {
        if (!name.matches(DOCUMENT_NAME)) {
            throw new IllegalArgumentException("not a document name: " + name);
        }
        return name;
    }

    /** Where the state lives, for messages ("postgres cem.states key site-a"). */
    default String describe() {
        return getClass().getSimpleName();
    }

    /** A held lock; closing releases it. */
    interface Lock extends AutoCloseable {
        LockInfo info();

        @Override
        void close();
    }
}

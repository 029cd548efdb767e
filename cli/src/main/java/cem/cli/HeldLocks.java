package cem.cli;

import cem.state.StateStore;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state locks this process holds, so that every way out releases them: a Ctrl-C or SIGTERM at
 * a confirmation prompt ends the JVM while the command's thread waits for input, and its
 * try-with-resources never runs (issue 20, item 3). An apply in progress releases its lock itself,
 * after saving what it did.
 */
final class HeldLocks {

    private static final Set<Held> HELD = ConcurrentHashMap.newKeySet();

    private HeldLocks() {}

    /** A lock that leaves the registry when closed; closing it twice is harmless. */
    static StateStore.Lock track(StateStore.Lock lock) {
        Held held = new Held(lock);
        HELD.add(held);
        return held;
    }

    /** Releases every lock still held (from a shutdown hook); returns how many. */
    static int releaseAll() {
        int n = 0;
        for (Held h : Set.copyOf(HELD)) {
            h.close();
            n++;
        }
        return n;
    }

    private static final class Held implements StateStore.Lock {
        private final StateStore.Lock lock;
        private boolean closed;

        Held(StateStore.Lock lock) {
            this.lock = lock;
        }

        @Override
        public cem.state.LockInfo info() {
            return lock.info();
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                HELD.remove(this);
                lock.close();
            }
        }
    }
}

package cem.engine;

import java.util.concurrent.Semaphore;

/**
 * How many hosts this process works on at once, across every plan and apply it runs together
 * (a fleet's sites share it, so that a site waiting for its slowest host does not hold slots its
 * other hosts are done with). Unlimited unless a scope sets it; each plan and apply still has its
 * own {@code parallelism}.
 */
public final class HostSlots {

    private static volatile Semaphore slots;

    private HostSlots() {}

    /** Limits hosts at once to {@code n} until the returned scope is closed. */
    public static AutoCloseable limit(int n) {
        Semaphore before = slots;
        slots = new Semaphore(Math.max(1, n));
        return () -> slots = before;
    }

    /** Runs one host's work when a slot is free. */
    static void run(Runnable work) {
        Semaphore s = slots;
        if (s == null) {
            work.run();
            return;
        }
        s.acquireUninterruptibly();
        try {
            work.run();
        } finally {
            s.release();
        }
    }
}

package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Severity;

/**
 * Ctrl-C or SIGTERM while cem only reads (the hosts, to plan; the state lock, while waiting for
 * it): the thread doing it is interrupted, so the reads still outstanding are abandoned, and the
 * command says that it stopped rather than finishing the refresh and printing the whole plan
 * (issue 20, item 3). Nothing was changed, so nothing needs finishing; the command's locks are
 * released on its way out, and the JVM exits 130 (143 for SIGTERM).
 */
final class Interruption implements AutoCloseable {

    private final Thread worker;
    private final Thread hook;
    private boolean armed = true;
    private volatile boolean received;

    private Interruption(Session session, String what) {
        this.worker = Thread.currentThread();
        this.hook = new Thread(() -> {
            if (fire()) {
                session.err().println("\nInterrupt received: stopping " + what + "; nothing is changed.");
                session.err().flush();
            }
        }, "cem-interrupt-read");
    }

    /**
     * Watches for Ctrl-C and SIGTERM while the current thread does {@code what} ("the refresh"),
     * until closed.
     */
    static Interruption watch(Session session, String what) {
        Interruption i = new Interruption(session, what);
        try {
            Runtime.getRuntime().addShutdownHook(i.hook);
        } catch (IllegalStateException e) {
            i.received = true; // the JVM is already shutting down: do not start
        }
        return i;
    }

    /** Whether a signal arrived; then the work's result, or its failure, is to be dropped for {@link #interrupted}. */
    boolean received() {
        return received;
    }

    private synchronized boolean fire() {
        if (!armed) {
            return false;
        }
        received = true;
        worker.interrupt();
        return true;
    }

    /** The command's way out after a signal: nothing was changed. */
    static DiagnosticsException interrupted(String summary) {
        return new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9007", summary,
                "Ctrl-C or SIGTERM arrived while cem was reading; what it was still reading was abandoned. Nothing was changed.",
                "Run the command again when you want its result.", null, null));
    }

    @Override
    public void close() {
        synchronized (this) {
            armed = false;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook ran, or runs now and finds this closed
        }
        if (received) {
            Thread.interrupted(); // the way out reads and writes files (the lock); an interrupted thread could not
        }
    }
}

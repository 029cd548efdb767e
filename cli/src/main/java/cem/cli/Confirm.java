package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Severity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Terraform's confirmation: only "yes", typed at a terminal, approves a change to hosts. */
final class Confirm {

    private Confirm() {}

    /**
     * @param what the command, for the error when there is no terminal ("Apply", "Rollout")
     * @param question the question asked
     * @param hint what to do without a terminal
     */
    static boolean ask(Session session, boolean autoApprove, String what, String question, String hint) {
        if (autoApprove) {
            return true;
        }
        if (!session.terminal()) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9005", what + " needs confirmation",
                    "cem asks for \"yes\" before changing hosts, but there is no terminal to ask on.", hint, null, null));
        }
        session.out().println();
        session.out().println(question);
        session.out().println("  cem will perform the actions described above.");
        session.out().println("  Only 'yes' will be accepted to approve.");
        session.out().print("\n  Enter a value: ");
        session.out().flush();
        // Ctrl-C or SIGTERM here ends the JVM while this thread waits for input: release the locks then, and tell.
        Thread onInterrupt = new Thread(() -> {
            if (HeldLocks.releaseAll() > 0) {
                session.err().println();
                session.err().println(what + " cancelled at the prompt: nothing was changed, and the state lock was released.");
                session.err().flush();
            }
        }, "cem-prompt-interrupted");
        WAITING.set(true);
        boolean hooked = register(onInterrupt);
        try {
            String line = new BufferedReader(new InputStreamReader(session.in(), StandardCharsets.UTF_8)).readLine();
            return line != null && line.trim().equals("yes");
        } catch (IOException e) {
            return false;
        } finally {
            WAITING.set(false);
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onInterrupt);
                } catch (IllegalStateException e) {
                    // shutting down: the hook runs
                }
            }
        }
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WAITING = new java.util.concurrent.atomic.AtomicBoolean();

    /** Whether the command waits at a prompt (then nothing is in flight, and the exit need not wait for it). */
    static boolean waiting() {
        return WAITING.get();
    }

    private static boolean register(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }
}

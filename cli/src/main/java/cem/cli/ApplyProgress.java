package cem.cli;

import cem.engine.ApplyHook;
import cem.plan.Action;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/** Apply progress on stderr: a line when a host's batch starts and one per finished resource. */
final class ApplyProgress implements ApplyHook {

    private final PrintWriter err;

    ApplyProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public synchronized void started(String host, List<String> addresses) {
        err.println(host + ": applying " + addresses.size() + " change" + (addresses.size() == 1 ? "" : "s") + " ("
                + String.join(", ", addresses) + ")");
        err.flush();
    }

    @Override
    public synchronized void finished(String address, Action action, Duration elapsed, String error) {
        String verb = switch (action) {
            case CREATE -> "Creation";
            case DELETE -> "Destruction";
            case UPDATE -> "Modification";
            default -> "Replacement";
        };
        String took = String.format("%.1fs", elapsed.toMillis() / 1000.0);
        err.println(error == null ? address + ": " + verb + " complete after " + took
                : address + ": " + verb + " FAILED after " + took + ": " + error);
        err.flush();
    }
}

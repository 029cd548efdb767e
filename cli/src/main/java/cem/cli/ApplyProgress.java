package cem.cli;

import cem.engine.ApplyHook;
import cem.plan.Action;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Apply progress on stderr. Always one line per finished resource with its duration; on a
 * terminal also a live status line of the hosts being worked on (what, and for how long),
 * redrawn every half second.
 */
final class ApplyProgress implements ApplyHook, AutoCloseable {

    private record Running(int changes, Instant since) {}

    private final PrintWriter err;
    private final boolean live;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final ScheduledExecutorService ticker;
    private int statusWidth;

    ApplyProgress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.live = terminal;
        if (live) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cem-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::repaint, 500, 500, TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
        }
    }

    @Override
    public synchronized void started(String host, List<String> addresses) {
        running.put(host, new Running(addresses.size(), Instant.now()));
        if (!live) {
            err.println(host + ": applying " + addresses.size() + " change" + (addresses.size() == 1 ? "" : "s") + " ("
                    + String.join(", ", addresses) + ")");
            err.flush();
        }
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
        clearStatus();
        err.println(error == null ? address + ": " + verb + " complete after " + took
                : address + ": " + verb + " FAILED after " + took + ": " + cem.diag.TerminalText.safe(error)); // the host's words
        paintStatus();
        err.flush();
    }

    @Override
    public synchronized void adopted(String address) {
        clearStatus();
        err.println(address + ": Adoption complete (recorded in the state; nothing changed on the host)");
        paintStatus();
        err.flush();
    }

    @Override
    public synchronized void hostDone(String host) {
        running.remove(host);
    }

    private synchronized void repaint() {
        clearStatus();
        paintStatus();
        err.flush();
    }

    private void paintStatus() {
        if (!live || running.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder("  working on: ");
        Instant now = Instant.now();
        running.forEach((host, r) -> b.append(host).append(" (").append(r.changes()).append(" change")
                .append(r.changes() == 1 ? "" : "s").append(", ")
                .append(Duration.between(r.since(), now).toSeconds()).append("s)  "));
        String status = b.length() > 160 ? b.substring(0, 157) + "..." : b.toString();
        err.print(status);
        statusWidth = status.length();
    }

    private void clearStatus() {
        if (live && statusWidth > 0) {
            err.print("\r" + " ".repeat(statusWidth) + "\r");
            statusWidth = 0;
        }
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        clearStatus();
        err.flush();
    }
}

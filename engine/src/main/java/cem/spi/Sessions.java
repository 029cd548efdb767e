package cem.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A provider's sessions: one per host, opened on first use with the transport the host names, kept
 * for the host's next batch (a plan's read and an apply's writes share it), and dropped after a
 * failure so that the next batch connects afresh. At most {@link #MAX_IDLE} sessions wait idle:
 * beyond that the least recently used are closed, so that a run over thousands of hosts holds
 * sessions (threads, buffers, the hosts' shell quotas) for the hosts it is working on, not for
 * every host it has seen.
 */
public final class Sessions implements AutoCloseable {

    /** Idle sessions kept open for reuse. */
    static final int MAX_IDLE = 128;

    private final ProviderContext context;
    private final String defaultScheme;
    private final Transports transports = Transports.load();
    private final Map<String, Transport> open = new ConcurrentHashMap<>();
    /** Hosts whose sessions wait idle, least recently used first; guards {@link #open}'s changes too. */
    private final java.util.LinkedHashSet<String> idle = new java.util.LinkedHashSet<>();
    private java.util.concurrent.ExecutorService closer;

    /** @param defaultScheme the transport of hosts that do not name one */
    public Sessions(ProviderContext context, String defaultScheme) {
        this.context = context;
        this.defaultScheme = defaultScheme;
    }

    /** Work on a host's session. */
    public interface Use<T, E extends Exception> {
        T apply(Transport session) throws TransportException, E;
    }

    /** Runs one batch on the host's session, then leaves the session idle for the host's next batch. */
    public <T, E extends Exception> T with(HostTarget host, Use<T, E> use) throws TransportException, E {
        Transport t = of(host);
        try {
            return use.apply(t);
        } finally {
            idle(host.name());
        }
    }

    /** The host's session, opened when there is none; it is in use until {@link #with} returns. */
    public Transport of(HostTarget host) throws TransportException {
        synchronized (idle) {
            Transport existing = open.get(host.name());
            if (existing != null) {
                idle.remove(host.name());
                return existing;
            }
        }
        JsonNode s = host.settings();
        ConnectionSpec spec = new ConnectionSpec(host.name(), s.path("address").asText(), s.path("port").asInt(0), s, host.secrets(),
                host.configDirectory(), context.acceptNewHostKeys(), Duration.ofSeconds(20),
                context.debug() ? System.err::println : null, context.environment());
        long start = System.nanoTime();
        Transport t = transports.open(s.path("transport").asText(defaultScheme), spec);
        if (context.debug()) {
            System.err.println(String.format("[debug] %s %s: session opened in %d ms", s.path("transport").asText(defaultScheme), host.name(),
                    (System.nanoTime() - start) / 1_000_000));
        }
        open.put(host.name(), t);
        return t;
    }

    /** The host's session waits for its next batch; the least recently used beyond {@link #MAX_IDLE} are closed. */
    private void idle(String host) {
        java.util.List<Transport> evicted = new java.util.ArrayList<>();
        synchronized (idle) {
            if (!open.containsKey(host)) {
                return; // dropped after a failure
            }
            idle.remove(host);
            idle.add(host);
            while (idle.size() > MAX_IDLE) {
                String eldest = idle.iterator().next();
                idle.remove(eldest);
                Transport t = open.remove(eldest);
                if (t != null) {
                    evicted.add(t);
                }
            }
            if (!evicted.isEmpty() && closer == null) {
                closer = closers(4);
            }
            // closed off the worker's thread: a WinRM session's close is a round trip
            evicted.forEach(t -> closer.execute(() -> closeQuietly(t)));
        }
    }

    private static java.util.concurrent.ExecutorService closers(int n) {
        return java.util.concurrent.Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "cem-close");
            t.setDaemon(true);
            return t;
        });
    }

    /** The code of a host-level problem: it has no address, and makes every resource of its batch unknown. */
    public static final String HOST_PROBLEM = "PRV4002";

    /** A host-level problem (unreachable, refused, a tool missing on the host). */
    public static cem.diag.Diagnostic hostProblem(String summary, String detail, String hint) {
        return new cem.diag.Diagnostic(cem.diag.Severity.ERROR, HOST_PROBLEM, summary, detail, hint, null, null);
    }

    /** After a transport failure: drops the host's session (the next batch reconnects) and says what happened. */
    public cem.diag.Diagnostic failed(HostTarget host, TransportException e) {
        drop(host);
        return hostProblem(e.getMessage(), "", e.hint());
    }

    /** Forgets the host's session after a failure (the next batch reconnects). */
    public void drop(HostTarget host) {
        Transport t;
        synchronized (idle) {
            idle.remove(host.name());
            t = open.remove(host.name());
        }
        if (t != null) {
            t.close();
        }
    }

    /** Sessions closed at once at the end of a run. */
    private static final int CLOSERS = 32;

    /**
     * Closes every session, many at once: closing is a round trip per host (WinRM deletes its shell,
     * so that the host's shell quota is free again), and 1,500 of them one after another took
     * 22 seconds after the work was done.
     */
    @Override
    public void close() {
        java.util.List<Transport> all;
        java.util.concurrent.ExecutorService evicting;
        synchronized (idle) {
            all = new java.util.ArrayList<>(open.values());
            open.clear();
            idle.clear();
            evicting = closer;
            closer = null;
        }
        java.util.concurrent.ExecutorService pool = all.size() <= 1 ? null : closers(Math.min(CLOSERS, all.size()));
        all.forEach(t -> {
            if (pool == null) {
                closeQuietly(t);
            } else {
                pool.execute(() -> closeQuietly(t));
            }
        });
        for (java.util.concurrent.ExecutorService p : new java.util.concurrent.ExecutorService[] {pool, evicting}) {
            if (p != null) {
                p.shutdown();
                try {
                    p.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static void closeQuietly(Transport t) {
        try {
            t.close();
        } catch (RuntimeException e) {
            // the host is gone or the session broken: nothing more to release here
        }
    }
}

package cem.lab;

/**
 * Faults a lab host injects, changeable while it runs: per-command latency, a connection reset
 * after a number of commands, refused authentication.
 */
public final class Faults {

    private volatile long latencyMillis;
    /** Random faults (the soak test): each command rolls once per kind at rate/5; 0 for none. */
    private volatile double rate;
    private java.util.Random random = new java.util.Random();
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicInteger> injected = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** Random faults at {@code rate} per command, spread over latency spikes, resets, truncated answers, refused logins and failing ops. */
    public Faults random(double rate, long seed) {
        this.rate = rate;
        this.random = new java.util.Random(seed);
        return this;
    }

    /** The random faults injected so far, by kind. */
    public java.util.Map<String, Integer> injected() {
        java.util.Map<String, Integer> out = new java.util.TreeMap<>();
        injected.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private boolean roll(String kind) {
        if (rate <= 0) {
            return false;
        }
        boolean hit;
        synchronized (this) {
            hit = random.nextDouble() < rate / 5;
        }
        if (hit) {
            injected.computeIfAbsent(kind, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        }
        return hit;
    }

    /** Whether this op fails (random faults), as Windows fails one: the caller answers it with an error. */
    boolean failThisOp() {
        return roll("failing op");
    }
    private volatile int resetAfter = -1;
    private volatile boolean rejectAuth;
    private volatile int truncateAfter = -1;

    public long latencyMillis() {
        return latencyMillis;
    }

    public Faults latencyMillis(long ms) {
        latencyMillis = ms;
        return this;
    }

    /** Drop the connection instead of answering the N-th command from now (1 = the next one); -1 for never. */
    public int resetAfter() {
        return resetAfter;
    }

    public Faults resetAfter(int commands) {
        resetAfter = commands;
        return this;
    }

    /** Cut the answer to the N-th command from now short (WinRM: half a SOAP document); -1 for never. */
    public Faults truncateAfter(int commands) {
        truncateAfter = commands;
        return this;
    }

    synchronized boolean truncateThisAnswer() {
        int[] left = {truncateAfter};
        boolean now = countDown(left);
        truncateAfter = left[0];
        return now || roll("truncated answer");
    }

    public boolean rejectAuth() {
        return rejectAuth || roll("refused login");
    }

    public Faults rejectAuth(boolean reject) {
        rejectAuth = reject;
        return this;
    }

    /** Counts one command; true when this one must be dropped. */
    synchronized boolean dropThisCommand() {
        int[] left = {resetAfter};
        boolean now = countDown(left);
        resetAfter = left[0];
        return now || roll("connection reset");
    }

    /** One step of an "after N" countdown (-1 = off): true on the N-th step, which also switches it off. */
    private static boolean countDown(int[] left) {
        if (left[0] < 0) {
            return false;
        }
        left[0]--;
        if (left[0] == 0) {
            left[0] = -1;
            return true;
        }
        return false;
    }

    void pause() {
        long ms = latencyMillis + (roll("latency spike") ? 1500 : 0);
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

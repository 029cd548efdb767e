package cem.lab;

/**
 * Faults a lab host injects, changeable while it runs: per-command latency, a connection reset
 * after a number of commands, refused authentication.
 */
public final class Faults {

    private volatile long latencyMillis;
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
        return now;
    }

    public boolean rejectAuth() {
        return rejectAuth;
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
        return now;
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
        long ms = latencyMillis;
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

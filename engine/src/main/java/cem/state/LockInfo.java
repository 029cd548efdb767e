package cem.state;

import java.time.Instant;

/**
 * Who holds a state lock.
 *
 * @param id the lock's id, for {@code cem force-unlock ID}
 * @param operation plan, apply, destroy …
 * @param user the user name
 * @param hostname the machine
 * @param pid the process
 * @param created when it was taken
 * @param jobUrl the CI job, when the environment names one (else null)
 * @param key the state's key in a backend holding several states, else null
 * @param heartbeat when the holder last said it is alive (a backend that tracks it), else null
 */
public record LockInfo(String id, String operation, String user, String hostname, long pid, Instant created, String jobUrl, String key,
        Instant heartbeat) {

    public LockInfo(String id, String operation, String user, String hostname, long pid, Instant created, String jobUrl) {
        this(id, operation, user, hostname, pid, created, jobUrl, null, null);
    }

    /** Whether the holder ran on this machine and its process no longer runs: its lock was left behind. */
    public boolean deadHere() {
        String here;
        try {
            here = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            here = "localhost";
        }
        return hostname.equals(here) && pid > 0 && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    public String describe() {
        return "ID " + id + ", " + operation + (key == null ? "" : " of state " + key) + " by " + user + "@" + hostname + " (pid " + pid
                + ") since " + created + (heartbeat == null ? "" : ", alive at " + heartbeat) + (jobUrl == null ? "" : ", " + jobUrl);
    }
}

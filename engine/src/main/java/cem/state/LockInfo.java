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
 */
public record LockInfo(String id, String operation, String user, String hostname, long pid, Instant created, String jobUrl) {

    public String describe() {
        return "ID " + id + ", " + operation + " by " + user + "@" + hostname + " (pid " + pid + ") since " + created
                + (jobUrl == null ? "" : ", " + jobUrl);
    }
}

package cem.lab;

/** A simulated host: answers the command lines the transports send it. Thread-safe. */
public interface HostExecutor {

    /**
     * @param user the authenticated user
     * @param commandLine the command line as received
     * @param stdin standard input (empty when none was sent)
     */
    Execution run(String user, String commandLine, byte[] stdin);
}

package cem.spi;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A session to one host that runs commands: SSH or WinRM. One per host per run, reused for every
 * command. Implementations are not required to be thread-safe: the engine runs one batch per host
 * at a time.
 */
public interface Transport extends AutoCloseable {

    /**
     * The most a command may answer, standard output and error together (bytes over SSH, characters
     * over WinRM): cem's largest answers (an agent batch with the NS's policy XML) are well under a
     * megabyte, and a host that sends more is cut off with {@link TransportException#outputTooLarge}
     * rather than buffered until the heap is gone.
     */
    long MAX_OUTPUT_BYTES = 16L * 1024 * 1024;

    /** Runs a command line with optional standard input. */
    CommandResult exec(RemoteCommand command) throws TransportException;

    /**
     * Runs a PowerShell script of any size on a Windows host. Over SSH the script goes through
     * standard input; WinRM, which has none, uploads it in chunks and runs a small bootstrap
     * that checks its SHA-256 first. The script must end with an explicit {@code exit}.
     */
    default CommandResult powershell(String script, Duration timeout) throws TransportException {
        return powershell(script, timeout, false);
    }

    /**
     * The same, and when {@code idempotent} (a script that only reads, or that may run twice with
     * the same outcome) a broken connection is re-established and the script sent once more.
     */
    default CommandResult powershell(String script, Duration timeout, boolean idempotent) throws TransportException {
        return exec(new RemoteCommand("powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command -",
                script.getBytes(StandardCharsets.UTF_8), timeout, idempotent));
    }

    /** Round trips made so far (commands, and upload chunks counted apart). */
    default int commands() {
        return 0;
    }

    @Override
    void close();
}

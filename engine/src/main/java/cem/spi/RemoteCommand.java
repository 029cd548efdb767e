package cem.spi;

import java.time.Duration;

/**
 * A command line to run on a host, with optional standard input. Values never go into the command
 * line: they travel in {@code stdin} (or, for PowerShell, inside an encoded request).
 *
 * @param commandLine the program and its fixed arguments
 * @param stdin bytes to write to standard input, then close it (empty for none)
 * @param timeout how long the command may take
 * @param idempotent whether running it twice is harmless (only then may a transport retry after
 *     the command may have started)
 */
public record RemoteCommand(String commandLine, byte[] stdin, Duration timeout, boolean idempotent) {

    public RemoteCommand {
        stdin = stdin == null ? new byte[0] : stdin.clone();
    }

    public static RemoteCommand of(String commandLine, Duration timeout) {
        return new RemoteCommand(commandLine, new byte[0], timeout, false);
    }

    @Override
    public byte[] stdin() {
        return stdin.clone();
    }
}

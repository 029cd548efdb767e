package cem.spi;

/**
 * A remote command could not be run or finished. The message names the host and never contains
 * a credential; the hint says what to do.
 */
public final class TransportException extends Exception {

    private static final long serialVersionUID = 1L;

    private final FailureKind kind;
    private final String host;
    private final String hint;

    public TransportException(FailureKind kind, String host, String message, String hint, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.host = host;
        this.hint = hint;
    }

    /** A command answered more than {@link Transport#MAX_OUTPUT_BYTES}: the transport stopped reading and ended the command. */
    public static TransportException outputTooLarge(String host) {
        return new TransportException(FailureKind.REMOTE_ERROR, host, "Host " + host + " answered more than "
                + (Transport.MAX_OUTPUT_BYTES >> 20) + " MiB to one command, cem's cap on a command's output: cem stopped reading and ended the command.",
                "cem's commands answer far less. Check what runs on host " + host + " (a replaced nft, tmsh or PowerShell, or a profile script "
                        + "that prints), then run again.", null);
    }

    public FailureKind kind() {
        return kind;
    }

    public String host() {
        return host;
    }

    public String hint() {
        return hint;
    }

    /** Whether nothing can have run on the host, so trying again is safe. */
    public boolean safeToRetry() {
        return kind == FailureKind.UNREACHABLE;
    }
}

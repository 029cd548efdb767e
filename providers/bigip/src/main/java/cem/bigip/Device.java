package cem.bigip;

import cem.spi.CommandResult;
import cem.spi.Transport;
import cem.spi.TransportException;
import java.util.List;

/**
 * One BIG-IP's session: sends tmsh commands in the way the account's login shell takes them. The
 * first command goes as for a bash account ({@code tmsh -q}); a tmsh shell answers it with
 * {@link Tmsh#NOT_A_BASH_SHELL} and runs nothing, so the same commands are sent again joined for
 * tmsh, and the shell is remembered. Not thread-safe: one batch per host at a time.
 */
final class Device {

    private final Transport transport;
    private Tmsh.Shell shell;

    /** @param shell the shell seen before on this host, or null */
    Device(Transport transport, Tmsh.Shell shell) {
        this.transport = transport;
        this.shell = shell == null ? Tmsh.Shell.BASH : shell;
    }

    /** The account's shell as far as seen. */
    Tmsh.Shell shell() {
        return shell;
    }

    /** Runs the lines; switches shell and sends them again when the answer says nothing ran. */
    CommandResult run(List<String> lines, boolean idempotent) throws TransportException {
        CommandResult r = transport.exec(Tmsh.command(shell, lines, idempotent));
        String all = r.stdout() + "\n" + r.stderr();
        if (shell == Tmsh.Shell.BASH && all.contains(Tmsh.NOT_A_BASH_SHELL)) {
            shell = Tmsh.Shell.TMSH;
            r = transport.exec(Tmsh.command(shell, lines, idempotent));
        } else if (shell == Tmsh.Shell.TMSH && !all.contains("Syntax Error:") && all.matches("(?s).*\\b(cd|list|create): .*not found.*")) {
            shell = Tmsh.Shell.BASH; // a bash shell: its "list: command not found" (the account's shell was changed)
            r = transport.exec(Tmsh.command(shell, lines, idempotent));
        }
        return r;
    }

    /** Reads the partitions, virtual servers and pools in one round trip. */
    Snapshot read() throws TransportException {
        return Snapshot.of(run(Tmsh.readLines(), true));
    }
}

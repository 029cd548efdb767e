package cem.bigip;

import cem.spi.RemoteCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What cem says to a BIG-IP. The commands are built from values {@link Vip} has checked (IP
 * literals, port numbers, object names: no space, quote, brace or semicolon), and reach tmsh in one
 * of two ways, by the SSH account's login shell:
 *
 * <ul>
 *   <li>{@link Shell#BASH} (advanced shell): the constant command line {@code tmsh -q}, the commands
 *       on its standard input, one per line, then {@code quit}. {@code -q}: "the shell will not ask
 *       the user any questions" (tmsh's usage text, quoted in f5-ansible issue 719).
 *   <li>{@link Shell#TMSH}: the account's shell is tmsh itself — the default {@code admin}, and every
 *       remotely authenticated user, who cannot get bash (ytti/oxidized issue 419). An exec is then a
 *       tmsh command line: {@code tmsh -q} answers {@code Syntax Error: unexpected argument "tmsh"}
 *       and standard input is ignored (ytti/oxidized issue 2955). The commands go on the command
 *       line, joined by {@code ;} — as f5-ansible's {@code bigip_command.py} sends {@code cd /Common;
 *       list ltm virtual} as is to a tmsh shell — transactions included.
 * </ul>
 *
 * <p>A read starts with {@code cd /} and lists recursively, so it never names a missing object and
 * prints every name relative to {@code /} ({@link Listing}). An apply creates the partitions a read
 * showed missing, makes every change inside one {@code cli transaction} and saves the configuration;
 * what it did is then read by a separate command, never in the same tmsh session after
 * {@code submit cli transaction} (what tmsh does after a failed submit in a script is a
 * <b>[?]</b>: README, F5 section).
 */
final class Tmsh {

    private Tmsh() {}

    /** How the account's commands reach tmsh. */
    enum Shell { BASH, TMSH }

    static final String COMMAND_LINE = "tmsh -q";
    /** What tmsh answers a tmsh shell's exec of {@code tmsh …} (ytti/oxidized issue 2955). */
    static final String NOT_A_BASH_SHELL = "Syntax Error: unexpected argument \"tmsh\"";
    /** The folder a read lists from. */
    static final String READ_FOLDER = "/";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    /** A read: the partitions, then every virtual server and pool, from {@code /}. */
    static List<String> readLines() {
        return List.of("cd /", "list auth partition", "list ltm virtual recursive one-line", "list ltm pool recursive one-line");
    }

    /**
     * The lines of one apply: the missing partitions, the transaction (deletes first), the save.
     *
     * @param existingPartitions the partitions the device has, as read
     */
    static List<String> applyLines(List<Vip> deletes, List<Vip> creates, List<Vip> updates, Collection<String> existingPartitions) {
        List<String> lines = new ArrayList<>();
        Set<String> partitions = new TreeSet<>();
        creates.forEach(v -> partitions.add(v.partition()));
        updates.forEach(v -> partitions.add(v.partition()));
        partitions.removeAll(existingPartitions);
        partitions.forEach(p -> lines.add("create auth partition " + p));
        lines.add("create cli transaction");
        for (Vip v : deletes) {
            lines.add("delete ltm virtual " + v.virtualPath());
            lines.add("delete ltm pool " + v.poolPath());
        }
        for (Vip v : creates) {
            lines.add("create ltm pool " + v.poolPath() + poolBody(v));
            lines.add("create ltm virtual " + v.virtualPath() + virtualBody(v));
        }
        for (Vip v : updates) {
            lines.add("modify ltm pool " + v.poolPath() + poolBody(v));
            lines.add("modify ltm virtual " + v.virtualPath() + virtualBody(v));
        }
        lines.add("submit cli transaction");
        lines.add("save sys config");
        return lines;
    }

    private static String poolBody(Vip v) {
        return " members replace-all-with { " + v.memberPath() + " { address " + v.memberAddress() + " } } monitor /Common/" + v.monitor();
    }

    private static String virtualBody(Vip v) {
        StringBuilder profiles = new StringBuilder();
        v.profiles().forEach(p -> profiles.append("/Common/").append(p).append(' '));
        return " destination " + Vip.endpoint(v.destinationAddress(), v.destinationPort()) + " ip-protocol tcp pool " + v.poolPath()
                + " profiles replace-all-with { " + profiles + "} source-address-translation { type " + v.snat() + " }"
                + " translate-address enabled translate-port enabled";
    }

    /** The lines as one command for the shell; an apply is never retried by the transport. */
    static RemoteCommand command(Shell shell, List<String> lines, boolean idempotent) {
        if (shell == Shell.TMSH) {
            // Checked values hold no ';', quote or brace: joining cannot start another command.
            return new RemoteCommand(String.join("; ", lines), new byte[0], TIMEOUT, idempotent);
        }
        String stdin = String.join("\n", lines) + "\nquit\n";
        return new RemoteCommand(COMMAND_LINE, stdin.getBytes(StandardCharsets.UTF_8), TIMEOUT, idempotent);
    }
}

package cem.bigip;

import cem.spi.CommandResult;
import cem.spi.Transport;
import cem.spi.TransportException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks on a real BIG-IP of the tmsh behaviours the F5 provider and the lab assume, for
 * {@code cem probe}. {@link #probe(Transport)} only reads: it lists partitions and virtual servers
 * and asks for an object that does not exist. {@link #probeLabVe(Transport)} also sends a
 * transaction that fails by design (its virtual server refers to a pool that does not exist), for a
 * lab VE only. Each finding says whether the device confirmed what cem assumes, contradicted it, or
 * could not tell, with the device's own words as evidence.
 */
public final class BigipProbe {

    private BigipProbe() {}

    /** How a check came out. */
    public enum Status {
        CONFIRMED, CONTRADICTED, UNKNOWN;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One check.
     *
     * @param check what was checked (a stable key, e.g. {@code bigip.login-shell})
     * @param status confirmed, contradicted or unknown
     * @param evidence what the device answered, abridged
     */
    public record Finding(String check, Status status, String evidence) {}

    private static final String MISSING = "/Common/cem-probe-does-not-exist";

    /** The read-only checks, over an open SSH session to the BIG-IP. Never changes the device. */
    public static List<Finding> probe(Transport transport) throws TransportException {
        return run(transport, false);
    }

    /** The read-only checks and a transaction that fails by design; for a lab VE, never a production device. */
    public static List<Finding> probeLabVe(Transport transport) throws TransportException {
        return run(transport, true);
    }

    private static List<Finding> run(Transport t, boolean transaction) throws TransportException {
        List<Finding> out = new ArrayList<>();
        Device device = new Device(t, null);
        Snapshot s = device.read();
        boolean tmsh = device.shell() == Tmsh.Shell.TMSH;
        out.add(new Finding("bigip.login-shell", Status.CONFIRMED, tmsh ? "the account's shell is tmsh: `tmsh -q` answered "
                + Tmsh.NOT_A_BASH_SHELL : "the account's shell is bash: `tmsh -q` read its commands from standard input"));
        out.add(new Finding("bigip.read", s.problem() == null ? Status.CONFIRMED : Status.CONTRADICTED,
                s.problem() == null ? "`cd /; list auth partition; list ltm … recursive one-line` listed " + s.partitions().size()
                        + " partition(s) and " + (s.objects().size() - s.partitions().size()) + " virtual server(s) and pool(s)" : s.problem()));
        out.add(names(s));
        out.add(services(s));
        out.add(failingRead(device, tmsh));
        if (transaction) {
            out.add(failedSubmit(device));
        }
        return out;
    }

    /** Names printed from {@code /} lose their leading slash ({@code Common/x}). */
    private static Finding names(Snapshot s) {
        return s.partitions().contains("Common")
                ? new Finding("bigip.names-from-root", Status.CONFIRMED, "partition Common listed; every object resolved from /")
                : new Finding("bigip.names-from-root", Status.UNKNOWN, "partition Common not in the listing");
    }

    /** Ports print as service names ({@code :https}) unless {@code cli global-settings service number}. */
    private static Finding services(Snapshot s) {
        for (Map.Entry<String, Map<String, Object>> e : s.objects().entrySet()) {
            Object d = e.getValue().get("destination");
            if (e.getKey().startsWith("ltm virtual ") && d != null) {
                Listing.Endpoint p = Listing.endpoint(String.valueOf(d));
                if (p.printedPort().equals("https") || p.printedPort().equals("http")) {
                    return new Finding("bigip.service-names", Status.CONFIRMED, e.getKey() + ": destination " + d);
                }
                if (p.printedPort().equals("443") || p.printedPort().equals("80")) {
                    return new Finding("bigip.service-names", Status.CONTRADICTED, e.getKey() + ": destination " + d
                            + " (cli global-settings service number is set; cem reads numbers too)");
                }
                if (p.port().isEmpty()) {
                    return new Finding("bigip.service-names", Status.CONTRADICTED, e.getKey() + ": port \"" + p.printedPort()
                            + "\" is a service name cem does not know");
                }
            }
        }
        return new Finding("bigip.service-names", Status.UNKNOWN, "no virtual server on port 80 or 443 to look at");
    }

    /** A read of a missing object: its exit status, the stream of its error, whether the next command ran. */
    private static Finding failingRead(Device device, boolean tmsh) throws TransportException {
        CommandResult r = device.run(List.of("list ltm pool " + MISSING, "list auth partition"), true);
        boolean inErr = r.stderr().contains("01020036");
        boolean inOut = r.stdout().contains("01020036");
        boolean nextRan = r.stdout().contains("auth partition");
        String evidence = (tmsh ? "tmsh shell, commands joined by ';'" : "bash, script on standard input") + ": exit status " + r.exitCode()
                + ", the not-found error on " + (inErr ? "standard error" : inOut ? "standard output" : "neither stream")
                + ", the next command " + (nextRan ? "ran" : "did not run") + ". Lab: exit 1, standard error, "
                + (tmsh ? "did not run" : "ran") + ".";
        boolean asLab = r.exitCode() == 1 && inErr && nextRan != tmsh;
        return new Finding(tmsh ? "bigip.failing-read.tmsh-shell" : "bigip.failing-read.stdin", !inErr && !inOut ? Status.UNKNOWN
                : asLab ? Status.CONFIRMED : Status.CONTRADICTED, evidence);
    }

    /** What follows a failed {@code submit cli transaction}: its error's shape, and whether the next command runs. */
    private static Finding failedSubmit(Device device) throws TransportException {
        CommandResult r = device.run(List.of("create cli transaction",
                "create ltm virtual /Common/cem-probe-vs destination 192.0.2.1:9 ip-protocol tcp pool " + MISSING,
                "submit cli transaction", "list auth partition"), false);
        List<TmshMessage> m = new ArrayList<>(TmshMessage.parse(r.stdout()));
        m.addAll(TmshMessage.parse(r.stderr()));
        boolean nextRan = r.stdout().contains("auth partition");
        String evidence = "exit status " + r.exitCode() + ", messages " + m.stream().map(TmshMessage::text).toList() + ", the next command "
                + (nextRan ? "ran" : "did not run");
        boolean notFound = m.stream().anyMatch(x -> x.kind() == TmshMessage.Kind.NOT_FOUND);
        return new Finding("bigip.failed-submit", notFound ? Status.CONFIRMED : m.isEmpty() ? Status.UNKNOWN : Status.CONTRADICTED, evidence);
    }
}

package cem.cli;

import cem.lab.Certificates;
import cem.lab.CommandShell;
import cem.lab.Faults;
import cem.lab.LabSshServer;
import cem.lab.LabWinRmServer;
import cem.lab.WindowsHost;
import cem.spi.CommandResult;
import cem.spi.ConnectionSpec;
import cem.spi.RemoteCommand;
import cem.spi.Transport;
import cem.spi.TransportException;
import cem.spi.Transports;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cem lab …}: the simulated estate. */
@Command(name = "lab", description = "The simulated ITMS estate on 127.0.0.1 (real WinRM and SSH).",
        subcommands = {LabCommand.Up.class, LabCommand.Check.class, LabCommand.DriftCmd.class, LabCommand.FaultCmd.class, LabCommand.Down.class})
final class LabCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code cem lab up [DIR]}: runs the lab hosts of a configuration until Ctrl-C and prints how
     * to reach them, so other clients (pywinrm, ssh) can talk to the same simulated estate.
     */
    @Command(name = "up", description = {"Run the lab hosts of a configuration until Ctrl-C, and print their endpoints.",
        "cem starts the lab by itself for each command; this keeps it up for other clients (pywinrm, ssh)."})
    static final class Up implements Callable<Integer> {
        private final Session session;

        @picocli.CommandLine.Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
        String directory = ".";

        @Option(names = "--for", paramLabel = "SECONDS", description = "Stop after this many seconds (default: run until Ctrl-C).")
        Long seconds;

        @picocli.CommandLine.Mixin
        CommonOptions common;

        Up(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() throws InterruptedException {
            var result = Workspace.validator(session, session.secrets(), cem.diag.Severity.WARNING)
                    .validate(session.resolve(directory));
            if (result.value() == null || result.hasErrors()) {
                throw new cem.diag.DiagnosticsException(result.diagnostics());
            }
            try (cem.lab.Lab lab = LabRouting.start(result.value())) {
                if (lab == null) {
                    session.out().println("No host of " + directory + " says lab: true.");
                    session.out().flush();
                    return 1;
                }
                java.nio.file.Path secret = lab.directory().resolve("password");
                try {
                    cem.state.OwnerOnly.write(secret, lab.password() + "\n");
                } catch (IOException e) {
                    // the password stays unwritten; clients cannot log in, nothing leaks
                }
                session.out().println("Lab up (" + lab.directory() + "); user cem-lab+HOST, password in " + secret + " (this run only)");
                java.util.List<String> names = new java.util.ArrayList<>(lab.hosts().keySet());
                names.addAll(lab.firewalls().keySet());
                names.addAll(lab.balancers().keySet());
                names.forEach(h -> {
                    cem.lab.Lab.Endpoint e = lab.endpoint(h);
                    session.out().println("  " + h + ": " + (e.transport().equals("ssh")
                            ? "ssh -p " + e.port() + " -o UserKnownHostsFile=" + e.knownHosts() + " " + e.user() + "@127.0.0.1"
                            : "https://127.0.0.1:" + e.port() + "/wsman (CA: " + e.caFile() + ")"));
                });
                session.out().println("Ctrl-C stops it.");
                session.out().flush();
                Thread.sleep(seconds == null ? Long.MAX_VALUE : seconds * 1000);
            }
            return 0;
        }
    }

    /** {@code cem lab drift [DIR]}: out-of-band changes on the lab hosts of a configuration. */
    @Command(name = "drift", description = {"Make realistic out-of-band changes on the lab hosts of a configuration.",
        "A binding's certificate swapped, a firewall rule disabled, services stopped, the gateway listener moved,",
        "the CEM policy disabled. `cem plan` shows them."})
    static final class DriftCmd implements Callable<Integer> {
        private final Session session;

        @picocli.CommandLine.Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
        String directory = ".";

        DriftCmd(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() throws IOException {
            var changes = new java.util.ArrayList<>(cem.lab.Drift.apply(LabRouting.directory(session.resolve(directory))));
            // The offline package is a local file: someone deletes it.
            try (var files = Files.list(session.resolve(directory).resolve(".cem"))) {
                for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".cem.json")).toList()) {
                    Path pkg = p.resolveSibling(p.getFileName().toString().replace(".cem.json", ""));
                    if (Files.deleteIfExists(pkg)) {
                        changes.add("local: offline package " + pkg.getFileName() + " deleted");
                    }
                }
            } catch (IOException e) {
                // no .cem directory: nothing applied yet
            }
            if (changes.isEmpty()) {
                session.out().println("The lab of " + directory + " has no host state yet: run `cem apply " + directory + "` first.");
                session.out().flush();
                return 1;
            }
            changes.forEach(c -> session.out().println("drift: " + c));
            session.out().println("Run `cem plan " + directory + "` to see it.");
            session.out().flush();
            return 0;
        }
    }

    /**
     * {@code cem lab fault [DIR] --host H --gateway-offline|--garbled-answer TEXT|--clear}: a lasting fault on a lab host,
     * for health gates, the doctor and how commands meet a broken host.
     */
    @Command(name = "fault", description = {"Inject a lasting fault on a lab host (kept until --clear), as a broken network would.",
        "--gateway-offline: the gateway's status reports never reach its NS, so the NS does not show it Online;",
        "apply cannot repair it, `cem doctor` and a rollout's health gate report it.",
        "--garbled-answer TEXT: cem's agent on the host answers TEXT instead of its results, as a broken host would.",
        "Run it while no cem uses the lab."})
    static final class FaultCmd implements Callable<Integer> {
        private final Session session;

        @picocli.CommandLine.Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration or fleet directory (default: the current one).")
        String directory = ".";

        @Option(names = "--host", required = true, paramLabel = "HOST", description = "The lab host (a Windows host; a gateway for --gateway-offline).")
        String host;

        @Option(names = "--gateway-offline", description = "The gateway's status reports never reach the NS.")
        boolean gatewayOffline;

        @Option(names = "--garbled-answer", paramLabel = "TEXT", description = "The host's agent answers TEXT instead of its results.")
        String garbledAnswer;

        @Option(names = "--clear", description = "Remove the host's faults.")
        boolean clear;

        FaultCmd(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            if ((gatewayOffline ? 1 : 0) + (garbledAnswer != null ? 1 : 0) + (clear ? 1 : 0) != 1) {
                throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9062", "Name one fault, or --clear",
                        "", "Pass --gateway-offline, --garbled-answer TEXT or --clear.", null, null));
            }
            Path file = LabRouting.directory(session.resolve(directory)).resolve(host + ".json");
            if (!Files.isRegularFile(file)) {
                throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9061",
                        "The lab of " + directory + " has no Windows host " + host, "cem looked for " + file + ".",
                        "Run `cem apply " + directory + "` first, and name a lab host of the configuration.", null, null));
            }
            cem.lab.WindowsState state = new cem.lab.WindowsState(file, java.util.List.of(), java.util.Map.of());
            state.change(s -> {
                if (clear) {
                    s.remove("faults");
                } else if (gatewayOffline) {
                    s.with("faults").put(cem.lab.WindowsState.GATEWAY_OFFLINE, true);
                } else {
                    s.with("faults").put(cem.lab.WindowsState.GARBLED_ANSWER, garbledAnswer);
                }
            });
            session.out().println(clear ? host + ": faults cleared" : gatewayOffline ? host + ": the gateway's status reports no longer reach its NS"
                    : host + ": cem's agent now answers something else than its results");
            session.out().flush();
            return 0;
        }
    }

    /** {@code cem lab down [DIR]}: reset the lab's estate. */
    @Command(name = "down", description = "Delete the lab estate of a configuration (its simulated hosts' state, CA and keys).")
    static final class Down implements Callable<Integer> {
        private final Session session;

        @picocli.CommandLine.Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
        String directory = ".";

        Down(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() throws IOException {
            Path dir = LabRouting.directory(session.resolve(directory));
            if (Files.exists(dir)) {
                try (var walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            session.out().println("The lab estate of " + directory + " is gone; the next command starts a fresh one."
                    + " (cem's state in .cem/ still remembers what it applied: `cem plan` will offer to create it again.)");
            session.out().flush();
            return 0;
        }
    }

    /**
     * Starts a lab Windows host and talks to it through cem's own transports, as a provider would:
     * proves that this build's WinRM and SSH work (the shaded jar included) and measures a round trip.
     */
    @Command(name = "check", description = {"Start a lab host and run commands on it over WinRM (HTTPS and HTTP) and SSH.",
        "Prints the round-trip time per command of each transport."})
    static final class Check implements Callable<Integer> {

        private final Session session;

        @Option(names = "--commands", defaultValue = "20", description = "Commands per transport (default ${DEFAULT-VALUE}).")
        int commands;

        @Option(names = "--latency", defaultValue = "0", paramLabel = "MS", description = "Latency the lab adds per command (default ${DEFAULT-VALUE}).")
        long latency;

        @picocli.CommandLine.Mixin
        CommonOptions common;

        Check(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() throws IOException, TransportException {
            Path dir = Files.createTempDirectory("cem-lab-check");
            String password = UUID.randomUUID().toString();
            WindowsHost host = new WindowsHost("lab1");
            Faults faults = new Faults().latencyMillis(latency);
            Certificates.Issued ca = Certificates.rootCa("CN=cem lab CA");
            Certificates.Issued cert = ca.issue("CN=127.0.0.1").ip("127.0.0.1").dns("localhost").build();
            Files.writeString(dir.resolve("lab-ca.pem"), ca.certificatePem());
            Transports transports = Transports.load();
            session.out().println("transport        first connect   per command (avg of " + commands + ")   200 KB script");
            try (LabWinRmServer https = new LabWinRmServer(CommandShell.on(host), faults, "cem", password, cert.serverContext(), 30).start();
                    LabWinRmServer http = new LabWinRmServer(CommandShell.on(host), faults, "cem", password, null, 30).start();
                    LabSshServer ssh = new LabSshServer(dir.resolve("ssh"), host, faults, "cem", password, null).start()) {
                Files.writeString(dir.resolve("known_hosts"), ssh.knownHostsLine() + "\n");
                java.util.function.Consumer<String> debug = common.debug ? line -> session.err().println(line) : null;
                measure("winrm (https)", transports, "winrm", spec(dir, https.port(), password, "basic", false, true, debug));
                measure("winrm (http)", transports, "winrm", spec(dir, http.port(), password, "basic", true, false, debug));
                measure("ssh", transports, "ssh", spec(dir, ssh.port(), password, "password", false, false, debug));
            }
            session.out().flush();
            return 0;
        }

        private void measure(String label, Transports transports, String scheme, ConnectionSpec spec) throws TransportException {
            long t0 = System.nanoTime();
            try (Transport t = transports.open(scheme, spec)) {
                CommandResult first = t.exec(RemoteCommand.of("hostname", Duration.ofSeconds(60)));
                long connect = System.nanoTime() - t0;
                if (!first.stdout().trim().equals("LAB1")) {
                    throw new IllegalStateException(label + ": unexpected answer " + first.stdout());
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < commands; i++) {
                    t.exec(RemoteCommand.of("hostname", Duration.ofSeconds(60)));
                }
                long per = (System.nanoTime() - t1) / Math.max(1, commands);
                StringBuilder script = new StringBuilder(WindowsHost.SELF_TEST + "\n");
                while (script.length() < 200 * 1024) {
                    script.append("# padding padding padding padding padding padding padding padding\n");
                }
                String text = script.append("exit 0\n").toString();
                long t2 = System.nanoTime();
                CommandResult big = t.powershell(text, Duration.ofSeconds(120));
                long scriptTime = System.nanoTime() - t2;
                if (!big.stdout().trim().equals(WindowsHost.sha256(text.getBytes(StandardCharsets.UTF_8)))) {
                    throw new IllegalStateException(label + ": the script's checksum did not round-trip: " + big.stderr());
                }
                session.out().printf("%-16s %8.0f ms   %14.1f ms   %20.0f ms%n", label, connect / 1e6, per / 1e6, scriptTime / 1e6);
            }
        }

        private static ConnectionSpec spec(Path dir, int port, String password, String scheme, boolean http, boolean tls,
                java.util.function.Consumer<String> debug) {
            ObjectNode settings = new ObjectMapper().createObjectNode();
            settings.putObject("auth").put("scheme", scheme).put("username", "cem");
            settings.put("insecureHttp", http);
            if (tls) {
                settings.putObject("tls").put("caFile", "lab-ca.pem");
            }
            settings.putObject("ssh").put("knownHosts", "known_hosts");
            return new ConnectionSpec("lab1", "127.0.0.1", port, settings, Map.of("auth/password", password), dir, false,
                    Duration.ofSeconds(20), debug);
        }
    }
}

package cem.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The simulated estate for configurations whose hosts say {@code lab: true}: each host gets its
 * protocol server on 127.0.0.1 (WinRM over HTTPS with the lab's own CA, or SSH with a host key
 * kept in the lab directory) and a simulated Windows host whose state lives in that directory, so
 * successive commands see one estate. Trust goes through the lab's CA and host keys, written in
 * the directory — never by turning verification off.
 */
public final class Lab implements AutoCloseable {

    /** How cem reaches one lab host. */
    public record Endpoint(String host, String transport, int port, String user, Path caFile, Path knownHosts) {}

    /** A host to simulate: its name, the transport the configuration chose, and its OS (windows or linux). */
    /**
     * A lab host.
     *
     * @param network the network the host is on: hosts reach the hosts of their own network only (a
     *     fleet's sites are separate networks, so one site's gateway never reports to another's NS,
     *     even when both NSs have one name)
     */
    public record HostSpec(String name, String transport, String os, String network) {

        public HostSpec(String name, String transport, String os) {
            this(name, transport, os, "");
        }

        public HostSpec(String name, String transport) {
            this(name, transport, "windows");
        }
    }

    private final Path directory;
    private final String user = "cem-lab";
    private final String password = issue();

    /** Every password labs of this process made, for the test suite's secret scanner. */
    private static final java.util.Set<String> PASSWORDS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static String issue() {
        String p = UUID.randomUUID().toString();
        PASSWORDS.add(p);
        return p;
    }

    /** The passwords labs of this process made (never written anywhere; the test suite checks that). */
    public static java.util.Set<String> passwords() {
        return java.util.Collections.unmodifiableSet(PASSWORDS);
    }
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, WindowsHost> hosts = new LinkedHashMap<>();
    private final Map<String, LinuxHost> firewalls = new LinkedHashMap<>();
    private final Map<String, BigipHost> balancers = new LinkedHashMap<>();
    private final List<AutoCloseable> servers = new ArrayList<>();
    private Path runFiles;
    private LabKeys keys;
    /** Latency and faults of every lab host (CEM_LAB_LATENCY_MS sets a per-command latency, for benchmarks). */
    private final Faults faults = faultsFromEnvironment();

    /** CEM_LAB_FAULT_RATE (e.g. 0.05) and CEM_LAB_FAULT_SEED turn on random faults, for the soak test. */
    private static Faults faultsFromEnvironment() {
        Faults f = new Faults().latencyMillis(latencyFromEnvironment());
        try {
            double rate = Double.parseDouble(System.getenv().getOrDefault("CEM_LAB_FAULT_RATE", "0"));
            if (rate > 0) {
                f.random(rate, Long.parseLong(System.getenv().getOrDefault("CEM_LAB_FAULT_SEED", "1")));
            }
        } catch (NumberFormatException e) {
            // not a number: no faults
        }
        return f;
    }

    /** The random faults injected so far, by kind. */
    public Map<String, Integer> faultsInjected() {
        return faults.injected();
    }
    private LabSshServer ssh;
    private LabWinRmServer winrm;

    private static long latencyFromEnvironment() {
        try {
            return Long.parseLong(System.getenv().getOrDefault("CEM_LAB_LATENCY_MS", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static final java.util.concurrent.atomic.AtomicLong CPU_NANOS = new java.util.concurrent.atomic.AtomicLong();

    /** Adds the CPU time a lab handler used to answer one request. */
    static void chargeCpu(long nanos) {
        CPU_NANOS.addAndGet(nanos);
    }

    /** CPU time the lab's handlers used in this process so far. */
    public static long cpuMillis() {
        return CPU_NANOS.get() / 1_000_000;
    }

    /** The current thread's CPU time (nanoseconds), for charging a handler. */
    static long threadCpu() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return mx.isCurrentThreadCpuTimeSupported() ? mx.getCurrentThreadCpuTime() : 0;
    }

    /** Commands each host answered so far (one round trip each; upload chunks of WinRM scripts count). */
    public Map<String, Integer> commandsByHost() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        String prefix = user + "+";
        java.util.function.BiConsumer<String, Integer> add = (login, n) -> {
            String host = login.regionMatches(true, 0, prefix, 0, prefix.length()) ? login.substring(prefix.length()) : login;
            out.merge(host, n, Integer::sum);
        };
        if (ssh != null) {
            ssh.commandsByUser().forEach(add);
        }
        if (winrm != null) {
            winrm.commandsByUser().forEach(add);
        }
        return out;
    }

    private Lab(Path directory) {
        this.directory = directory;
    }

    /** Starts the servers of these hosts; their state is read from (and kept in) {@code directory}. */
    public static Lab start(Path directory, List<HostSpec> specs) {
        Lab lab = new Lab(directory);
        try {
            Files.createDirectories(directory);
            Path ignore = directory.getParent() == null ? null : directory.getParent().resolve(".gitignore");
            if (ignore != null && !Files.exists(ignore)) {
                Files.writeString(ignore, "# cem's state, locks and lab data: never commit them.\n*\n");
            }
            // ECDSA keys throughout: a new RSA CA key each run cost about a second of CPU.
            Certificates.Issued ca = Certificates.selfSigned("CN=cem lab CA,O=cem lab").ca().eku().ecdsa().build();
            // ECDSA P-256: a TLS handshake costs the lab a fraction of an RSA-2048 signature.
            Certificates.Issued tls = ca.issue("CN=127.0.0.1").ip("127.0.0.1").dns("localhost").ecdsa().build();
            // This run's trust files: each run has its own CA and host key line, and several cem processes may use one
            // lab directory at once (a fleet's sites applied in parallel), so they are not shared.
            Path run = lab.runDirectory();
            Path caFile = run.resolve("lab-ca.pem");
            Files.writeString(caFile, ca.certificatePem());
            Path knownHosts = run.resolve("known_hosts");
            // One SSH server and one WinRM server for every host: a login cem-lab+HOST reaches HOST.
            Map<String, HostExecutor> overSsh = new LinkedHashMap<>();
            Map<String, CommandShell.Factory> overWinRm = new LinkedHashMap<>();
            for (HostSpec spec : specs) {
                HostExecutor device;
                if (spec.os().equals("linux")) {
                    LinuxHost firewall = new LinuxHost(spec.name(), directory.resolve(spec.name() + Drift.NFTABLES_SUFFIX));
                    lab.firewalls.put(spec.name(), firewall);
                    device = firewall;
                } else if (spec.os().equals("bigip")) {
                    BigipHost balancer = new BigipHost(spec.name(), directory.resolve(spec.name() + Drift.BIGIP_SUFFIX));
                    lab.balancers.put(spec.name(), balancer);
                    device = balancer;
                } else {
                    WindowsHost host = new WindowsHost(spec.name(), new WindowsState(directory.resolve(spec.name() + ".json"),
                            List.of("Default Web Site", "CEM Agent"),
                            Map.of("W3SVC", "running"))); // no IG installed: a configuration installs it from its package
                    host.faults(lab.faults);
                    lab.hosts.put(spec.name(), host);
                    device = host;
                    if (!spec.transport().equals("ssh")) {
                        overWinRm.put(spec.name(), CommandShell.on(host));
                        continue;
                    }
                }
                overSsh.put(spec.name(), device);
            }
            String known = "";
            if (!overSsh.isEmpty()) {
                LabSshServer ssh = LabSshServer.virtualHosts(directory.resolve("ssh"), overSsh, lab.faults, lab.user, lab.password).start();
                lab.servers.add(ssh);
                lab.ssh = ssh;
                known = ssh.knownHostsLine() + "\n";
                for (String name : overSsh.keySet()) {
                    lab.endpoints.put(name, new Endpoint(name, "ssh", ssh.port(), lab.user + "+" + name, caFile, knownHosts));
                }
            }
            if (!overWinRm.isEmpty()) {
                LabWinRmServer winrm = LabWinRmServer.virtualHosts(overWinRm, lab.faults, lab.user, lab.password, tls.serverContext(), 30).start();
                lab.servers.add(winrm);
                lab.winrm = winrm;
                for (String name : overWinRm.keySet()) {
                    lab.endpoints.put(name, new Endpoint(name, "winrm", winrm.port(), lab.user + "+" + name, caFile, knownHosts));
                }
            }
            Files.writeString(knownHosts, known);
            Map<String, java.util.List<WindowsState>> networks = new java.util.HashMap<>();
            for (HostSpec spec : specs) {
                WindowsHost host = lab.hosts.get(spec.name());
                if (host != null) {
                    networks.computeIfAbsent(spec.network(), k -> new java.util.ArrayList<>()).add(host.state());
                }
            }
            networks.values().forEach(states -> states.forEach(st -> st.peers(() -> states)));
            return lab;
        } catch (IOException e) {
            lab.close();
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Where a lab gateway's listener answers on loopback: while the gateway is installed and its
     * service runs, presenting the certificate {@link WindowsState#gatewayCertificate()} names.
     * Empty when nothing would listen.
     */
    public java.util.Optional<java.net.InetSocketAddress> gatewayEndpoint(String host) {
        WindowsHost h = hosts.get(host);
        if (h == null) {
            return java.util.Optional.empty();
        }
        String thumbprint = h.state().gatewayCertificate();
        if (thumbprint.isEmpty()) {
            return java.util.Optional.empty();
        }
        return keys().serve(thumbprint);
    }

    /** Where a lab host's HTTPS binding on {@code port} answers on loopback, while IIS runs; empty when nothing would listen. */
    public java.util.Optional<java.net.InetSocketAddress> bindingEndpoint(String host, int port) {
        WindowsHost h = hosts.get(host);
        if (h == null) {
            return java.util.Optional.empty();
        }
        String thumbprint = h.state().sslCertificate("0.0.0.0:" + port);
        if (!h.state().running("W3SVC") || thumbprint.isEmpty()) {
            return java.util.Optional.empty();
        }
        return keys().serve(thumbprint);
    }

    private synchronized LabKeys keys() {
        if (keys == null) {
            keys = new LabKeys(directory);
        }
        return keys;
    }

    public Endpoint endpoint(String host) {
        return endpoints.get(host);
    }

    /** The password of this run's lab account (generated; never written anywhere). */
    public String password() {
        return password;
    }

    public Map<String, WindowsHost> hosts() {
        return hosts;
    }

    /** The simulated F5 BIG-IP devices, by host name. */
    public Map<String, BigipHost> balancers() {
        return balancers;
    }

    /** The simulated Linux firewalls, by host name. */
    public Map<String, LinuxHost> firewalls() {
        return firewalls;
    }

    public Path directory() {
        return directory;
    }

    /** {@code runs/PID-RANDOM/} under the lab directory, made now; those of processes that are gone are removed. */
    private Path runDirectory() throws IOException {
        Path runs = directory.resolve("runs");
        Files.createDirectories(runs);
        try (var list = Files.list(runs)) {
            for (Path old : list.toList()) {
                String name = old.getFileName().toString();
                long pid = name.matches("\\d+-.*") ? Long.parseLong(name.substring(0, name.indexOf('-'))) : -1;
                if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                deleteTree(old);
            }
        }
        runFiles = runs.resolve(ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(runFiles);
        return runFiles;
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // another process removed it first
        }
    }

    @Override
    public void close() {
        if (keys != null) {
            keys.close();
        }
        if (runFiles != null) {
            deleteTree(runFiles);
        }
        for (AutoCloseable s : servers) {
            try {
                s.close();
            } catch (Exception e) {
                // stopping a lab server cannot fail in a way that matters
            }
        }
        servers.clear();
    }
}

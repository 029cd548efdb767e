package cem.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real Linux firewall hosts for tests: a network namespace each, joined to this machine by a veth
 * pair on 169.254.N.0/30, running OpenSSH's sshd (a temporary host key, key authentication only)
 * and the kernel's nftables. Needs root; {@link #unavailable()} says why not when it cannot run,
 * and tests report that as skipped. Every namespace is removed on {@link Host#close()}, also when
 * a test fails (JUnit's {@code @AfterEach}/{@code @AfterAll} call it).
 *
 * <p>Commands over SSH run as a test user whose login shell is /bin/sh (root's shell start-up
 * files would slow every command): {@value #USER}, allowed to run {@code nft} through
 * {@code sudo -n}, and {@value #USER_WITHOUT_SUDO}, who is not.
 */
public final class Namespaces {

    public static final String USER = "cemnft";
    public static final String USER_WITHOUT_SUDO = "cemnopw";
    private static final Path SUDOERS = Path.of("/etc/sudoers.d/cem-tests");

    private Namespaces() {}

    /** Why real namespaces cannot be used here, or null when they can. */
    public static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root (network namespaces, nftables, sshd); CI runs the tests as root";
        }
        for (String tool : new String[] {"/usr/sbin/ip", "/usr/sbin/nft", "/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/sudo"}) {
            if (!Files.isExecutable(Path.of(tool)) && !Files.isExecutable(Path.of(tool.replace("/usr/sbin/", "/sbin/")))) {
                return tool + " is missing (./run-tests installs it)";
            }
        }
        return null;
    }

    /** Creates the test users and their sudoers entry when missing (idempotent); removes namespaces of dead test runs. */
    public static synchronized void prepareUsers() {
        for (String line : run(List.of("ip", "netns", "list")).output.split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(cemt(\\d+)x\\d+)").matcher(line);
            if (m.find() && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
                run(List.of("ip", "netns", "del", m.group(1)));
            }
        }
        for (String user : new String[] {USER, USER_WITHOUT_SUDO}) {
            if (run(List.of("id", "-u", user)).exitCode != 0) {
                must(List.of("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", user));
            }
            // "*": no password, but not locked ("!"), which sshd would refuse even for key logins.
            must(List.of("usermod", "--password", "*", user));
        }
        try {
            String entry = USER + " ALL=(root) NOPASSWD: /usr/sbin/nft\n";
            if (!Files.exists(SUDOERS) || !Files.readString(SUDOERS).equals(entry)) {
                Files.writeString(SUDOERS, entry);
                Files.setPosixFilePermissions(SUDOERS, PosixFilePermissions.fromString("r--r-----"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a host: namespace, veth pair, sshd on 169.254.{@code index}.2:22 (this machine's side is
     * .1). {@code directory} receives the keys, the sshd configuration and {@code known_hosts}.
     */
    public static Host start(String name, int index, Path directory) {
        if (index < 1 || index > 250) {
            throw new IllegalArgumentException("index 1..250");
        }
        String ns = "cemt" + ProcessHandle.current().pid() + "x" + index;
        String outside = "cemo" + index + "p" + (ProcessHandle.current().pid() % 10000);
        String inside = "cemi" + index + "p" + (ProcessHandle.current().pid() % 10000);
        String address = "169.254." + index + ".2";
        Host host = new Host(name, ns, outside, address, directory);
        try {
            Files.createDirectories(directory);
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
            must(List.of("ip", "netns", "add", ns));
            host.created = true;
            must(List.of("ip", "link", "add", outside, "type", "veth", "peer", "name", inside));
            must(List.of("ip", "link", "set", inside, "netns", ns));
            must(List.of("ip", "addr", "add", "169.254." + index + ".1/30", "dev", outside));
            must(List.of("ip", "link", "set", outside, "up"));
            must(List.of("ip", "netns", "exec", ns, "ip", "addr", "add", address + "/30", "dev", inside));
            must(List.of("ip", "netns", "exec", ns, "ip", "link", "set", inside, "up"));
            must(List.of("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
            Path hostKey = directory.resolve("ssh_host_ed25519_key");
            Path clientKey = directory.resolve("id_ed25519");
            Files.deleteIfExists(hostKey);
            Files.deleteIfExists(clientKey);
            must(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()));
            must(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString()));
            // The test users must read it, and JUnit's temporary directories are root's alone.
            Path shared = Files.createDirectories(Path.of("/run/cem-tests", ns));
            Files.setPosixFilePermissions(shared.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path authorized = shared.resolve("authorized_keys");
            Files.copy(directory.resolve("id_ed25519.pub"), authorized, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(authorized, PosixFilePermissions.fromString("rw-r--r--"));
            Path config = directory.resolve("sshd_config");
            Files.writeString(config, String.join("\n",
                    "ListenAddress " + address + ":22",
                    "HostKey " + hostKey,
                    "PidFile " + directory.resolve("sshd.pid"),
                    "UsePAM no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "AuthorizedKeysFile " + authorized,
                    "StrictModes no",
                    "PermitRootLogin prohibit-password",
                    "AllowUsers root " + USER + " " + USER_WITHOUT_SUDO,
                    "LogLevel ERROR", ""));
            Files.createDirectories(Path.of("/run/sshd"));
            host.sshd = new ProcessBuilder("ip", "netns", "exec", ns, "/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(directory.resolve("sshd.log").toFile()).start();
            String pub = Files.readString(directory.resolve("ssh_host_ed25519_key.pub")).trim();
            String[] parts = pub.split(" ");
            Files.writeString(directory.resolve("known_hosts"), address + " " + parts[0] + " " + parts[1] + "\n");
            waitForPort(address, 22, Duration.ofSeconds(10), host);
            return host;
        } catch (IOException | RuntimeException e) {
            host.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static void waitForPort(String address, int port, Duration limit, Host host) {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 200);
                return;
            } catch (IOException e) {
                if (!host.sshd.isAlive()) {
                    throw new IllegalStateException("sshd in " + host.namespace + " exited: " + host.log());
                }
                sleepMillis(50);
            }
        }
        throw new IllegalStateException("sshd in " + host.namespace + " does not listen on " + address + ":" + port);
    }

    /** One firewall host in its namespace. */
    public static final class Host implements AutoCloseable {
        private final String name;
        private final String namespace;
        private final String outsideLink;
        private final String address;
        private final Path directory;
        private boolean created;
        private Process sshd;
        private final List<Process> listeners = new ArrayList<>();

        private Host(String name, String namespace, String outsideLink, String address, Path directory) {
            this.name = name;
            this.namespace = namespace;
            this.outsideLink = outsideLink;
            this.address = address;
            this.directory = directory;
        }

        public String name() {
            return name;
        }

        public String address() {
            return address;
        }

        public Path knownHosts() {
            return directory.resolve("known_hosts");
        }

        public Path clientKey() {
            return directory.resolve("id_ed25519");
        }

        /** Runs a command inside the namespace as root (nft, ss …), standard input given. */
        public Result exec(String stdin, String... command) {
            List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            line.addAll(List.of(command));
            return Namespaces.run(line, stdin);
        }

        /** {@code nft} inside the namespace; fails the test on a non-zero exit. */
        public String nft(String... args) {
            List<String> line = new ArrayList<>(List.of("nft"));
            line.addAll(List.of(args));
            Result r = exec("", line.toArray(String[]::new));
            if (r.exitCode != 0) {
                throw new IllegalStateException("nft " + String.join(" ", args) + ": " + r.output);
            }
            return r.output;
        }

        /** Listens on these TCP ports inside the namespace (accepting and closing), until close. */
        public void listen(int... ports) {
            StringBuilder py = new StringBuilder("import socket,threading\n");
            py.append("def serve(p):\n s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n")
                    .append(" s.bind(('0.0.0.0', p)); s.listen(16)\n while True:\n  c,_=s.accept(); c.close()\n");
            for (int p : ports) {
                py.append("threading.Thread(target=serve, args=(").append(p).append(",)).start()\n");
            }
            try {
                Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "/usr/bin/python3", "-c", py.toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                listeners.add(p);
                for (int port : ports) {
                    waitListening(port);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void waitListening(int port) {
            Instant deadline = Instant.now().plusSeconds(5);
            while (Instant.now().isBefore(deadline)) {
                if (exec("", "ss", "-Hltn", "sport = :" + port).output.contains(":" + port)) {
                    return;
                }
                sleepMillis(50);
            }
            throw new IllegalStateException("nothing listens on " + port + " in " + namespace);
        }

        /** Whether a TCP connection from this machine to the host's port is accepted within the timeout. */
        public boolean connects(int port, Duration timeout) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        String log() {
            try {
                return Files.readString(directory.resolve("sshd.log"));
            } catch (IOException e) {
                return "(no log)";
            }
        }

        @Override
        public void close() {
            listeners.forEach(Process::destroyForcibly);
            if (sshd != null) {
                sshd.destroyForcibly();
                try {
                    sshd.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (created) {
                run(List.of("ip", "netns", "del", namespace));
            }
            run(List.of("rm", "-rf", "/run/cem-tests/" + namespace));
            run(List.of("ip", "link", "del", outsideLink)); // gone with the namespace; this only catches a half-made pair
        }
    }

    /** A command's exit code and its output (stdout and stderr together). */
    public record Result(int exitCode, String output) {}

    static Result run(List<String> command) {
        return run(command, "");
    }

    static Result run(List<String> command, String stdin) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + "(timed out)");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    private static void must(List<String> command) {
        Result r = run(command);
        if (r.exitCode != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.exitCode + "): " + r.output);
        }
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

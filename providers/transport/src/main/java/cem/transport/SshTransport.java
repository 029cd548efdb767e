package cem.transport;

import cem.spi.CommandResult;
import cem.spi.ConnectionSpec;
import cem.spi.FailureKind;
import cem.spi.RemoteCommand;
import cem.spi.Transport;
import cem.spi.TransportException;
import com.fasterxml.jackson.databind.JsonNode;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.UserInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Commands over SSH (jsch, the maintained fork): one session per host for the whole run, one exec
 * channel per command, standard input for scripts of any size. Host keys are checked strictly
 * against known_hosts; with accept-new, a host seen for the first time is recorded, and a changed
 * key still fails.
 */
public final class SshTransport implements Transport {

    private final ConnectionSpec spec;
    private Session session;
    private int commands;

    private SshTransport(ConnectionSpec spec, Session session) {
        this.spec = spec;
        this.session = session;
    }

    /** Connects, retrying connection-level failures (nothing ran yet) with backoff. */
    public static SshTransport open(ConnectionSpec spec) throws TransportException {
        TransportException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return new SshTransport(spec, connect(spec));
            } catch (TransportException e) {
                if (!e.safeToRetry()) {
                    throw e;
                }
                last = e;
                sleep(Duration.ofMillis(200L << attempt));
            }
        }
        throw last;
    }

    private static Session connect(ConnectionSpec spec) throws TransportException {
        JsonNode auth = spec.settings().path("auth");
        String user = auth.path("username").asText(System.getProperty("user.name"));
        int port = spec.port() > 0 ? spec.port() : 22;
        JSch jsch = new JSch();
        Path knownHosts = knownHosts(spec);
        try {
            if (Files.exists(knownHosts)) {
                jsch.setKnownHosts(knownHosts.toString());
            } else {
                Files.createDirectories(knownHosts.toAbsolutePath().getParent());
                Files.createFile(knownHosts);
                jsch.setKnownHosts(knownHosts.toString());
            }
            String pin = spec.settings().path("ssh").path("hostKeySha256").asText("");
            AcceptNew keys = new AcceptNew(jsch.getHostKeyRepository(), spec.acceptNewHostKeys(), pin);
            jsch.setHostKeyRepository(keys);
            String scheme = auth.path("scheme").asText(auth.has("keyFile") ? "publickey" : "password");
            if (scheme.equals("agent")) {
                String socket = spec.settings().path("ssh").path("agentSocket").asText(spec.environment().getOrDefault("SSH_AUTH_SOCK", ""));
                if (socket.isEmpty()) {
                    throw new TransportException(FailureKind.AUTH, spec.host(), "No ssh-agent for host " + spec.host() + ".",
                            "Start ssh-agent and add the key (SSH_AUTH_SOCK), or set ssh.agentSocket.", null);
                }
                try {
                    jsch.setIdentityRepository(new com.jcraft.jsch.AgentIdentityRepository(new com.jcraft.jsch.SSHAgentConnector(
                            new com.jcraft.jsch.UnixDomainSocketFactory(), spec.baseDirectory().resolve(expandHome(socket)))));
                } catch (RuntimeException | com.jcraft.jsch.AgentProxyException e) {
                    throw new TransportException(FailureKind.AUTH, spec.host(), "Cannot use the ssh-agent at " + socket + ": " + e.getMessage(),
                            "Check that ssh-agent runs and holds the key.", e);
                }
            }
            if (scheme.equals("publickey")) {
                Path key = spec.baseDirectory().resolve(expandHome(auth.path("keyFile").asText())).normalize();
                String passphrase = spec.secrets().get("auth/passphrase");
                jsch.addIdentity(key.toString(), passphrase == null ? null : passphrase.getBytes(StandardCharsets.UTF_8));
            }
            Session session = jsch.getSession(user, spec.address(), port);
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setConfig("PreferredAuthentications", scheme.equals("password") ? "password,keyboard-interactive" : "publickey");
            String password = spec.secrets().get("auth/password");
            if (password != null) {
                session.setPassword(password);
            }
            session.setUserInfo(new NoPrompts());
            session.setServerAliveInterval(15_000);
            session.connect((int) spec.connectTimeout().toMillis());
            return session;
        } catch (JSchChangedHostKeyException e) {
            String why = keysOf(jsch).refusal();
            if (why != null) {
                throw new TransportException(FailureKind.TRUST, spec.host(), "The SSH host key of " + spec.host() + " (" + spec.address()
                        + ":" + port + ") was refused: " + why + ".",
                        "Someone may be intercepting the connection, or the host was rebuilt. Check the key with its administrator"
                                + " (ssh-keygen -lf on the host's public key) before you change ssh.hostKeySha256 or known_hosts.", null);
            }
            throw new TransportException(FailureKind.TRUST, spec.host(), "The SSH host key of " + spec.host() + " (" + spec.address()
                    + ":" + port + ") has CHANGED since it was recorded in " + knownHosts + ".",
                    "Someone may be intercepting the connection, or the host was rebuilt. Check the new key with its administrator; "
                            + "if it is right, remove the old line from " + knownHosts + " and run `cem trust " + spec.host() + "`.", null);
        } catch (JSchUnknownHostKeyException e) {
            throw new TransportException(FailureKind.TRUST, spec.host(), "The SSH host key of " + spec.host() + " (" + spec.address()
                    + ":" + port + ") is not in " + knownHosts + ".",
                    "Verify its fingerprint and record it with `cem trust " + spec.host() + "`, or pass --accept-new-host-keys "
                            + "to record keys of hosts seen for the first time.", null);
        } catch (JSchException e) {
            throw classify(spec, port, e);
        } catch (IOException e) {
            throw new TransportException(FailureKind.UNREACHABLE, spec.host(), "Cannot use " + knownHosts + ": " + e.getMessage(),
                    "Check the ssh.knownHosts path of host " + spec.host() + ".", null);
        }
    }

    private static TransportException classify(ConnectionSpec spec, int port, JSchException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        String where = spec.host() + " (" + spec.address() + ":" + port + ")";
        if (m.contains("auth fail") || m.contains("too many authentication")) {
            return new TransportException(FailureKind.AUTH, spec.host(), "SSH authentication to " + where + " was refused.",
                    "Check the user name, key file or password of host " + spec.host() + " (the secret's value is not shown).", null);
        }
        if (m.contains("timeout") || m.contains("timed out")) {
            return new TransportException(FailureKind.UNREACHABLE, spec.host(), "SSH connection to " + where + " timed out.",
                    "Check that the host is up and that a firewall lets " + port + "/tcp through.", null);
        }
        if (m.contains("privatekey") || m.contains("invalid privatekey")) {
            return new TransportException(FailureKind.AUTH, spec.host(), "The SSH key file of host " + spec.host() + " cannot be used: "
                    + e.getMessage(), "Check auth.keyFile and its passphrase.", null);
        }
        if (e.getCause() instanceof IOException || m.contains("connection refused") || m.contains("unknownhost")) {
            return new TransportException(FailureKind.UNREACHABLE, spec.host(), "Cannot connect to " + where + ": " + e.getMessage(),
                    "Check the address and port of host " + spec.host() + ", and that sshd runs there.", null);
        }
        return new TransportException(FailureKind.UNREACHABLE, spec.host(), "SSH to " + where + " failed: " + e.getMessage(),
                "Check the host's SSH server.", null);
    }

    /**
     * Runs a command. A command that may have started is never run again, unless the caller marks
     * it idempotent: then a dropped connection is re-established and the command sent once more.
     */
    @Override
    public CommandResult exec(RemoteCommand command) throws TransportException {
        int attempts = command.idempotent() ? 3 : 1;
        for (int attempt = 1; ; attempt++) {
            try {
                if (!session.isConnected()) {
                    session = connect(spec);
                }
                return execOnce(command);
            } catch (TransportException e) {
                boolean retry = attempt < attempts
                        && (e.kind() == FailureKind.CONNECTION_LOST || e.kind() == FailureKind.UNREACHABLE);
                if (!retry) {
                    throw e;
                }
                session.disconnect();
                sleep(Duration.ofMillis(200L << (attempt - 1)));
            }
        }
    }

    private CommandResult execOnce(RemoteCommand command) throws TransportException {
        Instant start = Instant.now();
        ChannelExec channel;
        try {
            channel = (ChannelExec) session.openChannel("exec");
        } catch (JSchException e) {
            throw lost(e);
        }
        try {
            channel.setCommand(command.commandLine());
            // JSch's session thread writes the answer straight into these (its own pipes made the thread wait a second
            // whenever their 32 KB were full: a 1 MB answer took 26 s); past the cap they keep no more.
            CappedOutput out = new CappedOutput();
            CappedOutput err = new CappedOutput();
            channel.setOutputStream(out, true);
            channel.setErrStream(err, true);
            OutputStream stdin = channel.getOutputStream();
            channel.connect((int) spec.connectTimeout().toMillis());
            commands++;
            stdin.write(command.stdin());
            stdin.flush();
            stdin.close();
            Instant deadline = start.plus(command.timeout());
            while (!channel.isClosed()) {
                if (out.size() + (long) err.size() > MAX_OUTPUT_BYTES) {
                    throw TransportException.outputTooLarge(spec.host()); // the finally closes the channel: the command gets SIGPIPE
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new TransportException(FailureKind.TIMEOUT, spec.host(), "A command on " + spec.host() + " did not finish within "
                            + command.timeout().toSeconds() + "s.", "The host may be overloaded; it may still be running the command.", null);
                }
                if (!session.isConnected()) {
                    throw new TransportException(FailureKind.CONNECTION_LOST, spec.host(), "The SSH connection to " + spec.host()
                            + " dropped while a command ran.", "Run again; cem re-reads what is live before changing anything.", null);
                }
                Thread.sleep(5);
            }
            if (out.size() + (long) err.size() > MAX_OUTPUT_BYTES) {
                throw TransportException.outputTooLarge(spec.host());
            }
            if (channel.getExitStatus() == -1) {
                // The channel closed without an exit status: the connection broke under the command.
                throw new TransportException(FailureKind.CONNECTION_LOST, spec.host(), "The SSH connection to " + spec.host()
                        + " dropped before the command reported its exit status.",
                        "Run again; cem re-reads what is live before changing anything.", null);
            }
            Duration took = Duration.between(start, Instant.now());
            spec.log("ssh", "command", took, command.stdin().length, out.size() + err.size(), channel.getExitStatus());
            return new CommandResult(channel.getExitStatus(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                    took);
        } catch (JSchException | IOException e) {
            throw lost(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException(FailureKind.CONNECTION_LOST, spec.host(), "Interrupted", "Run again.", e);
        } finally {
            channel.disconnect();
        }
    }

    private TransportException lost(Exception e) {
        return new TransportException(FailureKind.CONNECTION_LOST, spec.host(), "The SSH connection to " + spec.host() + " failed: "
                + e.getMessage(), "Run again; cem re-reads what is live before changing anything.", e);
    }

    /** What a command wrote to one stream, kept up to just past {@link Transport#MAX_OUTPUT_BYTES} (the rest is dropped, and the caller refuses the answer). */
    private static final class CappedOutput extends ByteArrayOutputStream {
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (count <= MAX_OUTPUT_BYTES) {
                super.write(b, off, len);
            }
        }

        @Override
        public synchronized void write(int b) {
            if (count <= MAX_OUTPUT_BYTES) {
                super.write(b);
            }
        }
    }

    @Override
    public int commands() {
        return commands;
    }

    @Override
    public void close() {
        session.disconnect();
    }

    static Path knownHosts(ConnectionSpec spec) {
        String configured = spec.settings().path("ssh").path("knownHosts").asText("");
        return configured.isEmpty() ? Path.of(System.getProperty("user.home"), ".ssh", "known_hosts")
                : spec.baseDirectory().resolve(expandHome(configured)).normalize();
    }

    private static String expandHome(String path) {
        return cem.config.ReadScope.expandHome(path); // as validation read it when it checked the path
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A host key blob as the server sent it, its type guessed from its name inside. JSch's guess reads
     * byte 8 unchecked: a blob shorter than that was an ArrayIndexOutOfBoundsException (found by the
     * hostile-answer harness); any blob it cannot read is a JSchException.
     */
    static HostKey hostKey(String host, byte[] key) throws JSchException {
        try {
            return new HostKey(host, HostKey.GUESS, key);
        } catch (RuntimeException e) {
            throw new JSchException("unreadable host key (" + key.length + " bytes)", e);
        }
    }

    private static AcceptNew keysOf(JSch jsch) {
        return (AcceptNew) jsch.getHostKeyRepository();
    }

    /**
     * Known hosts as OpenSSH's accept-new: record unknown hosts when asked to; a changed key is always
     * refused — and so is a key of another type for a host that already has one recorded (JSch
     * compares keys of one type only, so accept-new would have appended it). With
     * {@code ssh.hostKeySha256} the key must have that SHA-256 fingerprint (OpenSSH's "SHA256:"
     * form, ssh-keygen -l), whatever known_hosts holds.
     */
    private static final class AcceptNew implements HostKeyRepository {
        private final HostKeyRepository known;
        private final boolean acceptNew;
        private final String pin;
        private volatile String refusal;

        AcceptNew(HostKeyRepository known, boolean acceptNew, String pin) {
            this.known = known;
            this.acceptNew = acceptNew;
            this.pin = pin;
        }

        /** Why the last key was refused, when cem refused it rather than known_hosts. */
        String refusal() {
            return refusal;
        }

        @Override
        public int check(String host, byte[] key) {
            if (!pin.isEmpty()) {
                String actual = fingerprint(key);
                if (actual.equals(pin)) {
                    return OK;
                }
                refusal = "its fingerprint is " + actual + ", and ssh.hostKeySha256 pins " + pin;
                return CHANGED;
            }
            int result = known.check(host, key);
            if (result == NOT_INCLUDED && acceptNew) {
                HostKey[] recorded = known.getHostKey(host, null);
                if (recorded != null && recorded.length > 0) {
                    refusal = "it is of another type than the key recorded for it in known_hosts (" + recorded[0].getType()
                            + "), and --accept-new-host-keys records keys of new hosts only";
                    return CHANGED;
                }
                try {
                    known.add(hostKey(host, key), null);
                    return OK;
                } catch (JSchException e) {
                    return NOT_INCLUDED;
                }
            }
            return result;
        }

        /** OpenSSH's fingerprint of a public key blob: "SHA256:" and the unpadded base64 of its SHA-256. */
        static String fingerprint(byte[] key) {
            try {
                return "SHA256:" + java.util.Base64.getEncoder().withoutPadding()
                        .encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(key));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void add(HostKey hostkey, UserInfo ui) {
            known.add(hostkey, ui);
        }

        @Override
        public void remove(String host, String type) {
            known.remove(host, type);
        }

        @Override
        public void remove(String host, String type, byte[] key) {
            known.remove(host, type, key);
        }

        @Override
        public String getKnownHostsRepositoryID() {
            return known.getKnownHostsRepositoryID();
        }

        @Override
        public HostKey[] getHostKey() {
            return known.getHostKey();
        }

        @Override
        public HostKey[] getHostKey(String host, String type) {
            return known.getHostKey(host, type);
        }
    }

    /** Never prompts: cem runs unattended. */
    private static final class NoPrompts implements UserInfo {
        @Override
        public String getPassphrase() {
            return null;
        }

        @Override
        public String getPassword() {
            return null;
        }

        @Override
        public boolean promptPassword(String message) {
            return false;
        }

        @Override
        public boolean promptPassphrase(String message) {
            return false;
        }

        @Override
        public boolean promptYesNo(String message) {
            return false;
        }

        @Override
        public void showMessage(String message) {
            // nothing to show: diagnostics say what happened
        }
    }
}

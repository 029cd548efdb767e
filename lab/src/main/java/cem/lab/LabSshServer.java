package cem.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * One lab host's SSH server on 127.0.0.1 (Apache MINA SSHD): its host key kept in the lab
 * directory, password and public-key authentication, exec channels handed to the host's
 * {@link HostExecutor}, faults injected per command.
 */
public final class LabSshServer implements AutoCloseable {

    private final SshServer server;
    private final AtomicInteger commands = new AtomicInteger();

    /**
     * @param directory where the host key is kept (so a restarted lab keeps its identity)
     * @param user the accepted user name
     * @param password the accepted password, or null for key authentication only
     * @param authorizedKeys an OpenSSH authorized_keys file, or null
     */
    public LabSshServer(Path directory, HostExecutor host, Faults faults, String user, String password, Path authorizedKeys) {
        this(directory, login -> user.equals(login) ? host : null, faults, password, authorizedKeys);
    }

    /**
     * Many lab hosts behind one port: a login {@code USER+HOST} reaches host HOST (so a lab of
     * hundreds of hosts needs one server, not hundreds).
     */
    public static LabSshServer virtualHosts(Path directory, Map<String, HostExecutor> byHost, Faults faults, String user, String password) {
        String prefix = user + "+";
        return new LabSshServer(directory, login -> login.startsWith(prefix) ? byHost.get(login.substring(prefix.length())) : null, faults,
                password, null);
    }

    private final java.util.function.Function<String, HostExecutor> hosts;
    private final Map<String, AtomicInteger> commandsByUser = new java.util.concurrent.ConcurrentHashMap<>();

    private LabSshServer(Path directory, java.util.function.Function<String, HostExecutor> hosts, Faults faults, String password,
            Path authorizedKeys) {
        this.hosts = hosts;
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(directory.resolve("ssh_host_key"));
        keys.setAlgorithm(KeyUtils.EC_ALGORITHM);
        keys.setKeySize(256); // P-256: what OpenSSH offers first; P-521 costs every connection several times the CPU
        server.setKeyPairProvider(keys);
        server.setPasswordAuthenticator((u, p, session) -> !faults.rejectAuth() && password != null && hosts.apply(u) != null
                && password.equals(p));
        if (authorizedKeys != null) {
            server.setPublickeyAuthenticator((u, key, session) -> !faults.rejectAuth() && hosts.apply(u) != null
                    && authorized(authorizedKeys).stream().anyMatch(k -> KeyUtils.compareKeys(k, key)));
        }
        server.setCommandFactory((channel, commandLine) -> new ExecCommand(commandLine, hosts.apply(channel.getSession().getUsername()), faults));
    }

    /** The keys of an OpenSSH authorized_keys file, read at each login (so tests can change it). */
    private static java.util.List<PublicKey> authorized(Path file) {
        try {
            return org.apache.sshd.common.config.keys.PublicKeyEntry.resolvePublicKeyEntries(null,
                    org.apache.sshd.common.config.keys.AuthorizedKeyEntry.readAuthorizedKeys(file),
                    org.apache.sshd.common.config.keys.PublicKeyEntryResolver.FAILING);
        } catch (IOException | java.security.GeneralSecurityException e) {
            return java.util.List.of();
        }
    }

    public LabSshServer start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public int port() {
        return server.getPort();
    }

    /** Commands answered so far. */
    public int commands() {
        return commands.get();
    }

    /** Commands answered so far, by login (USER+HOST behind a virtual-host server). */
    public Map<String, Integer> commandsByUser() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        commandsByUser.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** The host key's public part, as OpenSSH writes it in known_hosts. */
    public String knownHostsLine() {
        try {
            PublicKey key = server.getKeyPairProvider().loadKeys(null).iterator().next().getPublic();
            return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(key);
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One exec channel: reads standard input to its end, asks the host, writes the answer. */
    private final class ExecCommand implements Command {
        private final String commandLine;
        private final HostExecutor host;
        private final Faults faults;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        ExecCommand(String commandLine, HostExecutor host, Faults faults) {
            this.commandLine = commandLine;
            this.host = host;
            this.faults = faults;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            String user = channel.getSession().getUsername();
            Thread worker = new Thread(() -> {
                try {
                    ByteArrayOutputStream stdin = new ByteArrayOutputStream();
                    in.transferTo(stdin);
                    if (faults.dropThisCommand()) {
                        channel.getSession().close(true);
                        return;
                    }
                    faults.pause();
                    commands.incrementAndGet();
                    commandsByUser.computeIfAbsent(user, k -> new AtomicInteger()).incrementAndGet();
                    long cpu = Lab.threadCpu();
                    Execution result = host.run(user, commandLine, stdin.toByteArray());
                    Lab.chargeCpu(Lab.threadCpu() - cpu);
                    out.write(result.stdout().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    err.write(result.stderr().getBytes(StandardCharsets.UTF_8));
                    err.flush();
                    exit.onExit(result.exitCode());
                } catch (IOException e) {
                    exit.onExit(255, e.getMessage());
                }
            }, "lab-ssh-exec");
            worker.setDaemon(true);
            worker.start();
        }

        @Override
        public void destroy(ChannelSession channel) {
            // the worker ends with the channel's streams
        }
    }

}

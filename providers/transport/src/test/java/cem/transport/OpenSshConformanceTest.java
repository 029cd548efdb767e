package cem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Faults;
import cem.lab.LabSshServer;
import cem.lab.WindowsHost;
import cem.spi.CommandResult;
import cem.spi.FailureKind;
import cem.spi.RemoteCommand;
import cem.spi.TransportException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Code we did not write: OpenSSH's ssh client against the lab, and our transport against OpenSSH's sshd. */
class OpenSshConformanceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    @Timeout(60)
    void opensshClientRunsCommandsOnTheLab() throws Exception {
        Path key = SshFixtures.keyPair(tmp, "ecdsa");
        try (LabSshServer lab = new LabSshServer(tmp.resolve("lab"), new WindowsHost("ns1"), new Faults(), "cem", null,
                tmp.resolve("id_ecdsa.pub")).start()) {
            Path known = SshFixtures.knownHosts(tmp, lab.knownHostsLine());
            Process p = new ProcessBuilder("ssh", "-n", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                    "-o", "UserKnownHostsFile=" + known, "-i", key.toString(), "-p", Integer.toString(lab.port()), "cem@127.0.0.1",
                    "hostname").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertEquals("NS1\r\n", out);
        }
    }

    @Test
    @Timeout(120)
    void ourTransportRunsCommandsOnARealSshd() throws Exception {
        Path sshd = Path.of("/usr/sbin/sshd");
        assertTrue(Files.isExecutable(sshd), "OpenSSH's sshd is missing: ./run-tests installs openssh-server (apt-get)");
        Path key = SshFixtures.keyPair(tmp, "ed25519");
        Path hostKey = tmp.resolve("host_key");
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()).start().waitFor();
        Files.copy(tmp.resolve("id_ed25519.pub"), tmp.resolve("authorized_keys"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = tmp.resolve("sshd_config");
        Files.writeString(config, String.join("\n", List.of(
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + hostKey, "AuthorizedKeysFile " + tmp.resolve("authorized_keys"),
                "UsePAM no", "StrictModes no", "PidFile none", "PermitRootLogin prohibit-password", "PasswordAuthentication no",
                "LogLevel ERROR")) + "\n");
        Files.createDirectories(Path.of("/run/sshd"));
        Process daemon = new ProcessBuilder(sshd.toString(), "-D", "-e", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("sshd.log").toFile()).start();
        try {
            waitForPort(port, daemon);
            String hostKeyLine = "[127.0.0.1]:" + port + " " + Files.readString(tmp.resolve("host_key.pub")).trim();
            String user = System.getProperty("user.name");
            try (SshTransport t = SshTransport.open(SshFixtures.spec(tmp, port, user, "publickey", key,
                    SshFixtures.knownHosts(tmp, hostKeyLine), Map.of(), false))) {
                assertEquals("hello\n", t.exec(RemoteCommand.of("echo hello", TIMEOUT)).stdout());
                assertEquals(3, t.exec(RemoteCommand.of("exit 3", TIMEOUT)).exitCode());
                byte[] payload = new byte[200 * 1024];
                new Random(3).nextBytes(payload);
                CommandResult sum = t.exec(new RemoteCommand("sha256sum", payload, TIMEOUT, true));
                assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload)),
                        sum.stdout().split("\\s+")[0], sum.stderr());
                assertEquals(3, t.commands());
            }
            // The same key, from an ssh-agent this time.
            Path agentSocket = tmp.resolve("agent.sock");
            Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", agentSocket.toString()).redirectErrorStream(true).start();
            try {
                for (int i = 0; i < 50 && Files.notExists(agentSocket); i++) {
                    Thread.sleep(100);
                }
                ProcessBuilder add = new ProcessBuilder("ssh-add", key.toString()).redirectErrorStream(true);
                add.environment().put("SSH_AUTH_SOCK", agentSocket.toString());
                assertEquals(0, add.start().waitFor());
                var agentSpec = SshFixtures.spec(tmp, port, user, "agent", null, SshFixtures.knownHosts(tmp, hostKeyLine), Map.of(), false);
                ((com.fasterxml.jackson.databind.node.ObjectNode) agentSpec.settings().path("ssh")).put("agentSocket", agentSocket.toString());
                try (SshTransport t = SshTransport.open(agentSpec)) {
                    assertEquals("agent\n", t.exec(RemoteCommand.of("echo agent", TIMEOUT)).stdout());
                }
            } finally {
                agent.destroy();
            }
            TransportException changed = org.junit.jupiter.api.Assertions.assertThrows(TransportException.class,
                    () -> SshTransport.open(SshFixtures.spec(tmp, port, user, "publickey", key,
                            SshFixtures.knownHosts(tmp, "[127.0.0.1]:" + port + " ssh-ed25519 "
                                    + "AAAAC3NzaC1lZDI1NTE5AAAAIBwzNYEaK6d+tgaBZfqDJpa6cAPIEhsGpT3flKi7i+5m"), Map.of(), true)));
            assertEquals(FailureKind.TRUST, changed.kind(), Files.readString(tmp.resolve("sshd.log")));
        } finally {
            daemon.destroy();
            daemon.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void waitForPort(int port, Process daemon) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (!daemon.isAlive()) {
                throw new IOException("sshd exited: " + new String(daemon.getInputStream().readAllBytes()));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IOException("sshd did not listen on " + port);
    }
}

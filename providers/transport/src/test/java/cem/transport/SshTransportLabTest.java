package cem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Faults;
import cem.lab.LabSshServer;
import cem.lab.WindowsHost;
import cem.spi.CommandResult;
import cem.spi.FailureKind;
import cem.spi.RemoteCommand;
import cem.spi.TransportException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our SSH transport (jsch) against the lab's SSH server (Apache MINA SSHD). */
class SshTransportLabTest {

    private static final String PASSWORD = "lab-Secret-91";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    Faults faults;
    LabSshServer server;
    Path key;

    @BeforeEach
    void start() throws Exception {
        key = SshFixtures.keyPair(tmp, "ecdsa"); // the lab's SSHD reads ECDSA and RSA keys (ed25519 needs an extra library)
        faults = new Faults();
        server = new LabSshServer(tmp.resolve("lab/ig1"), new WindowsHost("ig1"), faults, "cem", PASSWORD,
                tmp.resolve("id_ecdsa.pub")).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private SshTransport connect(String scheme) throws Exception {
        return SshTransport.open(SshFixtures.spec(tmp, server.port(), "cem", scheme, scheme.equals("publickey") ? key : null,
                SshFixtures.knownHosts(tmp, server.knownHostsLine()), Map.of("auth/password", PASSWORD), false));
    }

    @Test
    void runsCommandsWithPasswordAndWithKey() throws Exception {
        try (SshTransport t = connect("password")) {
            assertEquals("IG1\r\n", t.exec(RemoteCommand.of("hostname", TIMEOUT)).stdout());
            assertEquals("ig1\\cem\r\n", t.exec(RemoteCommand.of("whoami", TIMEOUT)).stdout());
            CommandResult unknown = t.exec(RemoteCommand.of("ipconfig /all", TIMEOUT));
            assertEquals(1, unknown.exitCode());
            assertTrue(unknown.stderr().contains("'ipconfig' is not recognized"), unknown.stderr());
            assertEquals(3, t.commands());
        }
        try (SshTransport t = connect("publickey")) {
            assertEquals("hello\r\n", t.exec(RemoteCommand.of("echo hello", TIMEOUT)).stdout());
        }
    }

    @Test
    void aTwoHundredKilobyteScriptRoundTripsThroughStandardInput() throws Exception {
        StringBuilder script = new StringBuilder(WindowsHost.SELF_TEST + "\n");
        Random random = new Random(1);
        while (script.length() < 200 * 1024) {
            script.append("# ").append(Long.toHexString(random.nextLong())).append(" é ü 中\n");
        }
        script.append("exit 0\n");
        try (SshTransport t = connect("password")) {
            CommandResult r = t.powershell(script.toString(), TIMEOUT);
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(WindowsHost.sha256(script.toString().getBytes(StandardCharsets.UTF_8)), r.stdout().trim());
        }
    }

    @Test
    void aWrongPasswordFailsClosedNamingTheHostNotTheSecret() throws Exception {
        var spec = SshFixtures.spec(tmp, server.port(), "cem", "password", null, SshFixtures.knownHosts(tmp, server.knownHostsLine()),
                Map.of("auth/password", "not-the-Password-77"), false);
        TransportException e = assertThrows(TransportException.class, () -> SshTransport.open(spec));
        assertEquals(FailureKind.AUTH, e.kind());
        assertTrue(e.getMessage().contains("ig1 (127.0.0.1:" + server.port() + ")"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-Password-77") || e.hint().contains("not-the-Password-77"));
        assertTrue(e.hint().contains("password"), e.hint());
    }

    @Test
    void anUnknownHostKeyFailsUnlessAcceptNewThenAChangedKeyAlwaysFails() throws Exception {
        Path known = SshFixtures.knownHosts(tmp);
        var strict = SshFixtures.spec(tmp, server.port(), "cem", "password", null, known, Map.of("auth/password", PASSWORD), false);
        TransportException unknown = assertThrows(TransportException.class, () -> SshTransport.open(strict));
        assertEquals(FailureKind.TRUST, unknown.kind());
        assertTrue(unknown.hint().contains("cem trust ig1"), unknown.hint());

        var acceptNew = SshFixtures.spec(tmp, server.port(), "cem", "password", null, known, Map.of("auth/password", PASSWORD), true);
        SshTransport.open(acceptNew).close();
        assertTrue(Files.readString(known).contains("[127.0.0.1]:" + server.port()), "the new key was recorded");
        SshTransport.open(strict).close(); // now known

        // Same address and port, another key: a man in the middle, or a rebuilt host.
        int port = server.port();
        server.close();
        Files.delete(tmp.resolve("lab/ig1/ssh_host_key"));
        server = new LabSshServer(tmp.resolve("lab/ig1"), new WindowsHost("ig1"), faults, "cem", PASSWORD, null);
        var replaced = SshFixtures.spec(tmp, startOn(port), "cem", "password", null, known, Map.of("auth/password", PASSWORD), true);
        TransportException changed = assertThrows(TransportException.class, () -> SshTransport.open(replaced));
        assertEquals(FailureKind.TRUST, changed.kind());
        assertTrue(changed.getMessage().contains("has CHANGED"), changed.getMessage());
    }

    /** Issue 24, item 6: ssh.hostKeySha256 was in the schema and read by nothing; accept-new appended a key of another type. */
    @Test
    void aPinnedFingerprintIsRequiredAndAKeyOfAnotherTypeIsNeverAcceptedAsNew() throws Exception {
        String[] line = server.knownHostsLine().split(" ");
        byte[] blob = java.util.Base64.getDecoder().decode(line[2]);
        String fingerprint = "SHA256:" + java.util.Base64.getEncoder().withoutPadding()
                .encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(blob));
        Path empty = SshFixtures.knownHosts(tmp);
        var base = SshFixtures.spec(tmp, server.port(), "cem", "password", null, empty, Map.of("auth/password", PASSWORD), false);
        com.fasterxml.jackson.databind.node.ObjectNode pinned = ((com.fasterxml.jackson.databind.node.ObjectNode) base.settings()).deepCopy();
        pinned.with("ssh").put("hostKeySha256", fingerprint);
        SshTransport.open(new cem.spi.ConnectionSpec("ig1", "127.0.0.1", server.port(), pinned, base.secrets(), tmp, false,
                Duration.ofSeconds(10))).close(); // the pin is the trust: no known_hosts line needed
        pinned.with("ssh").put("hostKeySha256", "SHA256:" + "A".repeat(43));
        TransportException wrong = assertThrows(TransportException.class, () -> SshTransport.open(new cem.spi.ConnectionSpec("ig1", "127.0.0.1",
                server.port(), pinned, base.secrets(), tmp, true, Duration.ofSeconds(10))));
        assertEquals(FailureKind.TRUST, wrong.kind());
        assertTrue(wrong.getMessage().contains("ssh.hostKeySha256 pins"), wrong.getMessage());

        // known_hosts holds an RSA key for this host; the server presents its ECDSA key: not "new", refused even with accept-new.
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        java.security.interfaces.RSAPublicKey pub = (java.security.interfaces.RSAPublicKey) rsa.generateKeyPair().getPublic();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream data = new java.io.DataOutputStream(out);
        for (byte[] part : new byte[][] {"ssh-rsa".getBytes(StandardCharsets.US_ASCII), pub.getPublicExponent().toByteArray(),
                pub.getModulus().toByteArray()}) {
            data.writeInt(part.length);
            data.write(part);
        }
        Path other = SshFixtures.knownHosts(tmp, line[0] + " ssh-rsa " + java.util.Base64.getEncoder().encodeToString(out.toByteArray()));
        var acceptNew = SshFixtures.spec(tmp, server.port(), "cem", "password", null, other, Map.of("auth/password", PASSWORD), true);
        TransportException otherType = assertThrows(TransportException.class, () -> SshTransport.open(acceptNew));
        assertEquals(FailureKind.TRUST, otherType.kind());
        assertTrue(otherType.getMessage().contains("another type"), otherType.getMessage());
        assertFalse(Files.readString(other).contains(line[1]), "nothing was appended");
    }

    private int startOn(int port) throws Exception {
        // the lab server takes an ephemeral port; a known_hosts line for the new port carries the old key
        server.start();
        String oldLine = Files.readString(tmp.resolve("known_hosts")).lines()
                .filter(l -> l.startsWith("[127.0.0.1]:" + port + " ")).findFirst().orElseThrow();
        Files.writeString(tmp.resolve("known_hosts"), oldLine.replace("]:" + port + " ", "]:" + server.port() + " ") + "\n");
        return server.port();
    }

    @Test
    void aResetMidRunIsRetriedOnlyForIdempotentCommands() throws Exception {
        try (SshTransport t = connect("password")) {
            faults.resetAfter(1);
            TransportException e = assertThrows(TransportException.class,
                    () -> t.exec(new RemoteCommand("hostname", new byte[0], TIMEOUT, false)));
            assertEquals(FailureKind.CONNECTION_LOST, e.kind());
            int before = server.commands();
            faults.resetAfter(1);
            CommandResult r = t.exec(new RemoteCommand("hostname", new byte[0], TIMEOUT, true));
            assertEquals("IG1\r\n", r.stdout());
            assertEquals(before + 1, server.commands(), "answered once, after one dropped attempt");
        }
    }
}

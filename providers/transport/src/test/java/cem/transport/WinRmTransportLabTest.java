package cem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Certificates;
import cem.lab.CommandShell;
import cem.lab.Faults;
import cem.lab.LabWinRmServer;
import cem.lab.WindowsHost;
import cem.spi.CommandResult;
import cem.spi.ConnectionSpec;
import cem.spi.FailureKind;
import cem.spi.RemoteCommand;
import cem.spi.TransportException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Our WinRM transport (winrm4j) against the lab's WinRM endpoint, over HTTP and verified HTTPS. */
class WinRmTransportLabTest {

    private static final String PASSWORD = "lab-Secret-17";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Certificates.Issued CA = Certificates.rootCa("CN=cem lab CA");
    private static final Certificates.Issued SERVER = CA.issue("CN=127.0.0.1").ip("127.0.0.1").dns("localhost").build();

    @TempDir
    Path tmp;

    private ConnectionSpec spec(int port, boolean http, String password, ObjectNode tls) {
        ObjectNode settings = new ObjectMapper().createObjectNode();
        settings.putObject("auth").put("scheme", "basic").put("username", "IG1\\cem");
        settings.put("insecureHttp", http);
        if (tls != null) {
            settings.set("tls", tls);
        }
        return new ConnectionSpec("ig1", "127.0.0.1", port, settings, Map.of("auth/password", password), tmp, false, Duration.ofSeconds(10));
    }

    private ObjectNode caFile() throws Exception {
        Files.writeString(tmp.resolve("lab-ca.pem"), CA.certificatePem());
        return new ObjectMapper().createObjectNode().put("caFile", "lab-ca.pem");
    }

    private static String bigScript() {
        StringBuilder script = new StringBuilder(WindowsHost.SELF_TEST + "\n");
        Random random = new Random(2);
        while (script.length() < 200 * 1024) {
            script.append("# ").append(Long.toHexString(random.nextLong())).append(" é ü 中\n");
        }
        return script.append("exit 0\n").toString();
    }

    @Test
    @Timeout(120)
    void overHttpOnLoopbackCommandsAndA200KbScriptWithItsChecksum() throws Exception {
        CommandShell.Factory shells = CommandShell.on(new WindowsHost("ig1"));
        try (LabWinRmServer lab = new LabWinRmServer(shells, new Faults(), "cem", PASSWORD, null, 30).start();
                WinRmTransport t = WinRmTransport.open(spec(lab.port(), true, PASSWORD, null))) {
            assertEquals("IG1\r\n", t.exec(RemoteCommand.of("hostname", TIMEOUT)).stdout());
            assertEquals("ig1\\cem\r\n", t.exec(RemoteCommand.of("whoami", TIMEOUT)).stdout());
            String script = bigScript();
            CommandResult r = t.powershell(script, TIMEOUT);
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(WindowsHost.sha256(script.getBytes(StandardCharsets.UTF_8)), r.stdout().trim());
            assertEquals(3, t.commands(), "hostname, whoami and one bootstrap");
            assertTrue(t.uploadChunks() > 10, "uploaded in chunks: " + t.uploadChunks());
            assertEquals(1, lab.openShells(), "one shell for the whole run");
        }
    }

    @Test
    @Timeout(60)
    void debugLogsEachRoundTripsDurationAndSizeButNeverACredential() throws Exception {
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (LabWinRmServer lab = new LabWinRmServer(CommandShell.on(new WindowsHost("ig1")), new Faults(), "cem", PASSWORD, null, 30).start()) {
            ConnectionSpec s = spec(lab.port(), true, PASSWORD, null);
            ConnectionSpec debug = new ConnectionSpec(s.host(), s.address(), s.port(), s.settings(), s.secrets(), s.baseDirectory(), false,
                    s.connectTimeout(), lines::add);
            try (WinRmTransport t = WinRmTransport.open(debug)) {
                t.exec(RemoteCommand.of("hostname", TIMEOUT));
                t.powershell(WindowsHost.SELF_TEST + "\nexit 0\n", TIMEOUT); // small: one command
                t.powershell(bigScript(), TIMEOUT); // large: uploaded in chunks
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[debug\\] winrm ig1: command in \\d+ ms, 8 bytes sent, 5 received, exit 0")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("upload chunk")), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains(PASSWORD) || l.contains("hostname")), lines.toString());
    }

    @Test
    @Timeout(120)
    void overHttpsWithTheLabCa() throws Exception {
        try (LabWinRmServer lab = new LabWinRmServer(CommandShell.on(new WindowsHost("ig1")), new Faults(), "cem", PASSWORD,
                SERVER.serverContext(), 30).start();
                WinRmTransport t = WinRmTransport.open(spec(lab.port(), false, PASSWORD, caFile()))) {
            assertEquals("IG1\r\n", t.exec(RemoteCommand.of("hostname", TIMEOUT)).stdout());
            CommandResult r = t.powershell(WindowsHost.SELF_TEST + "\nexit 0\n", TIMEOUT);
            assertEquals(0, r.exitCode(), r.stderr());
        }
    }

    @Test
    @Timeout(60)
    void anUnknownCaFailsClosedBeforeAnyCredentialIsSent() throws Exception {
        try (LabWinRmServer lab = new LabWinRmServer(CommandShell.on(new WindowsHost("ig1")), new Faults(), "cem", PASSWORD,
                SERVER.serverContext(), 30).start()) {
            TransportException e = assertThrows(TransportException.class, () -> WinRmTransport.open(spec(lab.port(), false, PASSWORD, null)));
            assertEquals(FailureKind.TRUST, e.kind());
            assertTrue(e.getMessage().contains("ig1 (127.0.0.1:" + lab.port() + ")"), e.getMessage());
            assertTrue(e.hint().contains("tls.caFile"), e.hint());
            assertEquals(0, lab.commands());
            ObjectNode wrongPin = new ObjectMapper().createObjectNode().put("pinnedSha256", "00".repeat(32));
            assertEquals(FailureKind.TRUST,
                    assertThrows(TransportException.class, () -> WinRmTransport.open(spec(lab.port(), false, PASSWORD, wrongPin))).kind());
            String pin = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(SERVER.certificate().getEncoded()));
            ObjectNode rightPin = new ObjectMapper().createObjectNode().put("pinnedSha256", pin);
            try (WinRmTransport t = WinRmTransport.open(spec(lab.port(), false, PASSWORD, rightPin))) {
                assertEquals("IG1\r\n", t.exec(RemoteCommand.of("hostname", TIMEOUT)).stdout());
            }
            // Trusting this server for one host must not make it trusted where no trust was configured.
            assertEquals(FailureKind.TRUST,
                    assertThrows(TransportException.class, () -> WinRmTransport.open(spec(lab.port(), false, PASSWORD, null))).kind());
        }
    }

    /**
     * Trust fails closed whatever the authentication scheme (winrm4j's Basic path ignores its TLS
     * options; cem's own handshake comes first): a server certificate from an unknown CA, for
     * another name, or expired, and no credential is sent.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0} with {1}")
    @org.junit.jupiter.params.provider.CsvSource({"unknown CA, basic", "unknown CA, ntlm", "unknown CA, kerberos",
        "another name, basic", "another name, ntlm", "another name, kerberos", "expired, basic", "expired, ntlm", "expired, kerberos"})
    @Timeout(60)
    void aBadServerCertificateFailsClosedOverEveryScheme(String problem, String scheme) throws Exception {
        Certificates.Issued cert = switch (problem) {
            case "unknown CA" -> Certificates.rootCa("CN=someone else's CA").issue("CN=127.0.0.1").ip("127.0.0.1").build();
            case "another name" -> CA.issue("CN=ig9.example.net").dns("ig9.example.net").build();
            default -> CA.issue("CN=127.0.0.1").ip("127.0.0.1")
                    .validity(java.time.Instant.parse("2020-01-01T00:00:00Z"), java.time.Instant.parse("2021-01-01T00:00:00Z")).build();
        };
        try (LabWinRmServer lab = new LabWinRmServer(CommandShell.on(new WindowsHost("ig1")), new Faults(), "cem", PASSWORD,
                cert.serverContext(), 30).start()) {
            ConnectionSpec spec = spec(lab.port(), false, PASSWORD, caFile());
            ((ObjectNode) spec.settings().path("auth")).put("scheme", scheme);
            TransportException e = assertThrows(TransportException.class, () -> WinRmTransport.open(spec));
            assertEquals(FailureKind.TRUST, e.kind(), e.getMessage());
            assertFalse(e.getMessage().contains(PASSWORD));
            assertEquals(0, lab.commands(), "nothing ran");
            assertEquals(0, lab.requests(), "no request (and so no credential) reached the server");
        }
    }

    @Test
    @Timeout(60)
    void aWrongPasswordFailsClosedNamingTheHostNotTheSecret() throws Exception {
        try (LabWinRmServer lab = new LabWinRmServer(CommandShell.on(new WindowsHost("ig1")), new Faults(), "cem", PASSWORD, null, 30)
                .start()) {
            TransportException e = assertThrows(TransportException.class,
                    () -> WinRmTransport.open(spec(lab.port(), true, "wrong-Pass-55", null)));
            assertEquals(FailureKind.AUTH, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("ig1"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-Pass-55") || e.hint().contains("wrong-Pass-55"));
        }
    }

    @Test
    @Timeout(120)
    void aDroppedConnectionOrATruncatedAnswerIsRetriedOnlyForIdempotentCommands() throws Exception {
        Faults faults = new Faults();
        try (LabWinRmServer lab = new LabWinRmServer(CommandShell.on(new WindowsHost("ig1")), faults, "cem", PASSWORD, null, 30).start();
                WinRmTransport t = WinRmTransport.open(spec(lab.port(), true, PASSWORD, null))) {
            faults.resetAfter(1);
            TransportException reset = assertThrows(TransportException.class,
                    () -> t.exec(new RemoteCommand("hostname", new byte[0], TIMEOUT, false)));
            assertEquals(FailureKind.CONNECTION_LOST, reset.kind(), reset.getMessage());
            faults.truncateAfter(1);
            TransportException cut = assertThrows(TransportException.class,
                    () -> t.exec(new RemoteCommand("hostname", new byte[0], TIMEOUT, false)));
            assertEquals(FailureKind.CONNECTION_LOST, cut.kind(), cut.getMessage());
            int before = lab.commands();
            faults.resetAfter(1);
            assertEquals("IG1\r\n", t.exec(new RemoteCommand("hostname", new byte[0], TIMEOUT, true)).stdout());
            assertEquals(before + 1, lab.commands(), "the dropped attempt never ran; the retry ran once");
        }
    }

    @Test
    @Timeout(60)
    void theShellQuotaIsReportedAsSuch() throws Exception {
        try (LabWinRmServer lab = new LabWinRmServer(CommandShell.on(new WindowsHost("ig1")), new Faults(), "cem", PASSWORD, null, 1)
                .start();
                WinRmTransport first = WinRmTransport.open(spec(lab.port(), true, PASSWORD, null))) {
            TransportException e = assertThrows(TransportException.class, () -> WinRmTransport.open(spec(lab.port(), true, PASSWORD, null)));
            assertEquals(FailureKind.REMOTE_ERROR, e.kind(), e.getMessage());
            assertTrue(e.hint().contains("maxSessions"), e.hint());
            assertEquals("IG1\r\n", first.exec(RemoteCommand.of("hostname", TIMEOUT)).stdout());
        }
    }

    /**
     * Sessions to several HTTPS hosts opened at once, each with its own CA, each trusted through
     * its own (a shared trust store rewritten as CAs arrived was once read half-written, seen as
     * "TLS certificate not trusted" when `cem doctor` opened three hosts at once).
     */
    @Test
    @Timeout(120)
    void sessionsToManyHttpsHostsOpenInParallel() throws Exception {
        for (int round = 0; round < 3; round++) {
            List<LabWinRmServer> servers = new java.util.ArrayList<>();
            List<ConnectionSpec> specs = new java.util.ArrayList<>();
            try {
                for (int h = 0; h < 4; h++) {
                    Certificates.Issued ca = Certificates.rootCa("CN=parallel CA " + round + "-" + h);
                    Certificates.Issued server = ca.issue("CN=127.0.0.1").ip("127.0.0.1").build();
                    LabWinRmServer lab = new LabWinRmServer(CommandShell.on(new WindowsHost("h" + h)), new Faults(), "cem", PASSWORD,
                            server.serverContext(), 30).start();
                    servers.add(lab);
                    Path caPath = tmp.resolve("ca-" + round + "-" + h + ".pem");
                    Files.writeString(caPath, ca.certificatePem());
                    specs.add(spec(lab.port(), false, PASSWORD, new ObjectMapper().createObjectNode().put("caFile", caPath.toString())));
                }
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(specs.size());
                try {
                    List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
                    for (ConnectionSpec spec : specs) {
                        answers.add(pool.submit(() -> {
                            try (WinRmTransport t = WinRmTransport.open(spec)) {
                                return t.exec(RemoteCommand.of("hostname", TIMEOUT)).stdout();
                            }
                        }));
                    }
                    for (int h = 0; h < answers.size(); h++) {
                        assertEquals(("h" + h).toUpperCase(java.util.Locale.ROOT) + "\r\n", answers.get(h).get(), "round " + round);
                    }
                } finally {
                    pool.shutdownNow();
                }
            } finally {
                servers.forEach(LabWinRmServer::close);
            }
        }
    }

    /**
     * A man in the middle passes cem's own handshake with the host's real certificate, then presents, on the
     * library's connection, one signed by another host's CA. On every scheme the host's own trust holds on that
     * connection too: no pooled store of every host's anchors, so the password is never sent (winrm4j's Basic
     * path used to take the JVM's default trust, which cem had filled with every host's CA).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"basic", "ntlm"})
    @Timeout(60)
    void aHostNeverTrustsACertificateSignedByAnotherHostsAnchor(String scheme) throws Exception {
        Certificates.Issued ownCa = Certificates.rootCa("CN=ig2's own CA");
        Certificates.Issued honest = ownCa.issue("CN=127.0.0.1").ip("127.0.0.1").build();
        Certificates.Issued forged = CA.issue("CN=127.0.0.1").ip("127.0.0.1").build(); // signed by ig1's anchor
        try (LabWinRmServer ig1 = new LabWinRmServer(CommandShell.on(new WindowsHost("ig1")), new Faults(), "cem", PASSWORD,
                SERVER.serverContext(), 30).start();
                LabWinRmServer mitm = new LabWinRmServer(CommandShell.on(new WindowsHost("ig2")), new Faults(), "cem", PASSWORD,
                        SwitchingKeys.context(honest, forged), 30).start()) {
            try (WinRmTransport t = WinRmTransport.open(spec(ig1.port(), false, PASSWORD, caFile()))) {
                assertEquals("IG1\r\n", t.exec(RemoteCommand.of("hostname", TIMEOUT)).stdout()); // ig1's CA is in use
            }
            Files.writeString(tmp.resolve("ig2-ca.pem"), ownCa.certificatePem());
            ConnectionSpec ig2 = spec(mitm.port(), false, PASSWORD, new ObjectMapper().createObjectNode().put("caFile", "ig2-ca.pem"));
            ((ObjectNode) ig2.settings().path("auth")).put("scheme", scheme);
            TransportException e = assertThrows(TransportException.class, () -> WinRmTransport.open(ig2));
            assertEquals(FailureKind.TRUST, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("not trusted"), e.getMessage());
            assertEquals(0, mitm.requests(), "no request (and so no password) reached the man in the middle");
        }
    }
}

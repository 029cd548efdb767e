package cem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.CommandShell;
import cem.lab.Execution;
import cem.lab.Faults;
import cem.lab.LabSshServer;
import cem.lab.LabWinRmServer;
import cem.lab.WindowsHost;
import cem.spi.ConnectionSpec;
import cem.spi.FailureKind;
import cem.spi.RemoteCommand;
import cem.spi.Transport;
import cem.spi.TransportException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile host that answers without end (issue 24, item 11): both transports stop reading at
 * {@link Transport#MAX_OUTPUT_BYTES} and fail with a message that names the host and the cap,
 * instead of buffering until the heap is gone. An answer just under the cap still arrives whole.
 */
class OutputCapTest {

    private static final String PASSWORD = "lab-Secret-33";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int OVER = (int) Transport.MAX_OUTPUT_BYTES + 64 * 1024;
    private static final int UNDER = (int) Transport.MAX_OUTPUT_BYTES - 64 * 1024;

    @TempDir
    Path tmp;

    /** A Windows host whose {@code flood N} prints N characters (stdout and stderr half each for {@code flood2}). */
    private static WindowsHost flooding() {
        return new WindowsHost("ig1") {
            @Override
            public Execution run(String user, String commandLine, byte[] stdin) {
                String[] words = commandLine.trim().split(" ");
                if (words[0].startsWith("flood")) {
                    int n = Integer.parseInt(words[1]);
                    return words[0].equals("flood2") ? new Execution(0, "o".repeat(n / 2), "e".repeat(n - n / 2))
                            : Execution.ok("x".repeat(n));
                }
                return super.run(user, commandLine, stdin);
            }
        };
    }

    private static void assertCapped(TransportException e) {
        assertEquals(FailureKind.REMOTE_ERROR, e.kind());
        assertTrue(e.getMessage().contains("ig1") && e.getMessage().contains("16 MiB"), e.getMessage());
        assertEquals("ig1", e.host());
    }

    @Test
    @Timeout(120)
    void sshStopsReadingAtTheCap() throws Exception {
        Path key = SshFixtures.keyPair(tmp, "ecdsa");
        try (LabSshServer server = new LabSshServer(tmp.resolve("lab/ig1"), flooding(), new Faults(), "cem", PASSWORD,
                tmp.resolve("id_ecdsa.pub")).start();
                SshTransport t = SshTransport.open(SshFixtures.spec(tmp, server.port(), "cem", "password", null,
                        SshFixtures.knownHosts(tmp, server.knownHostsLine()), Map.of("auth/password", PASSWORD), false))) {
            assertEquals(UNDER, t.exec(RemoteCommand.of("flood " + UNDER, TIMEOUT)).stdout().length());
            assertCapped(assertThrows(TransportException.class, () -> t.exec(RemoteCommand.of("flood " + OVER, TIMEOUT))));
            assertCapped(assertThrows(TransportException.class, () -> t.exec(RemoteCommand.of("flood2 " + OVER, TIMEOUT))));
        }
    }

    @Test
    @Timeout(120)
    void winRmStopsReadingAtTheCap() throws Exception {
        ObjectNode settings = new ObjectMapper().createObjectNode();
        settings.putObject("auth").put("scheme", "basic").put("username", "IG1\\cem");
        settings.put("insecureHttp", true);
        try (LabWinRmServer lab = new LabWinRmServer(CommandShell.on(flooding()), new Faults(), "cem", PASSWORD, null, 30).start();
                WinRmTransport t = WinRmTransport.open(new ConnectionSpec("ig1", "127.0.0.1", lab.port(), settings,
                        Map.of("auth/password", PASSWORD), tmp, false, Duration.ofSeconds(10)))) {
            assertEquals(UNDER, t.exec(RemoteCommand.of("flood " + UNDER, TIMEOUT)).stdout().length());
            assertCapped(assertThrows(TransportException.class, () -> t.exec(RemoteCommand.of("flood " + OVER, TIMEOUT))));
            assertCapped(assertThrows(TransportException.class, () -> t.exec(RemoteCommand.of("flood2 " + OVER, TIMEOUT))));
        }
    }
}

package cem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cem.lab.CommandShell;
import cem.lab.Faults;
import cem.lab.LabWinRmServer;
import cem.lab.WindowsHost;
import cem.spi.ConnectionSpec;
import cem.spi.RemoteCommand;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many WinRM sessions kept between batches, as a large plan and apply keep them: every session's
 * next command must find its kept-alive connection still served. (The JDK's HTTP server, which
 * the lab is built on, closed connections beyond 200 idle ones; the client then failed its next
 * request on a connection the server had closed.)
 */
class WinRmKeepAliveTest {

    private static final String PASSWORD = "keep-Alive-23";
    private static final int SESSIONS = 260;

    @TempDir
    Path tmp;

    @Test
    @Timeout(300)
    void moreThan200KeptSessionsAllRunTheirNextCommand() throws Exception {
        Map<String, CommandShell.Factory> hosts = new LinkedHashMap<>();
        for (int i = 0; i < SESSIONS; i++) {
            hosts.put("h" + i, CommandShell.on(new WindowsHost("h" + i)));
        }
        try (LabWinRmServer lab = LabWinRmServer.virtualHosts(hosts, new Faults(), "cem", PASSWORD, null, 30).start()) {
            ExecutorService pool = Executors.newFixedThreadPool(32);
            List<WinRmTransport> sessions = new ArrayList<>();
            try {
                List<Future<WinRmTransport>> opened = new ArrayList<>();
                for (int i = 0; i < SESSIONS; i++) {
                    ObjectNode settings = new ObjectMapper().createObjectNode().put("insecureHttp", true);
                    settings.putObject("auth").put("scheme", "basic").put("username", "cem+h" + i);
                    ConnectionSpec spec = new ConnectionSpec("h" + i, "127.0.0.1", lab.port(), settings, Map.of("auth/password", PASSWORD),
                            tmp, false, Duration.ofSeconds(20));
                    opened.add(pool.submit(() -> WinRmTransport.open(spec)));
                }
                for (Future<WinRmTransport> f : opened) {
                    sessions.add(f.get());
                }
                for (int round = 0; round < 2; round++) { // the second round reuses every session's kept-alive connection
                    List<Future<String>> answers = new ArrayList<>();
                    for (WinRmTransport t : sessions) {
                        answers.add(pool.submit(() -> t.exec(RemoteCommand.of("hostname", Duration.ofSeconds(60))).stdout()));
                    }
                    for (int i = 0; i < SESSIONS; i++) {
                        assertEquals(("H" + i) + "\r\n", answers.get(i).get(), "round " + round + ", session " + i);
                    }
                    Thread.sleep(500);
                }
            } finally {
                sessions.forEach(WinRmTransport::close);
                pool.shutdownNow();
            }
        }
    }
}

package cem.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionsTest {

    private static HostTarget host(String name) {
        return new HostTarget(name, new ObjectMapper().createObjectNode().put("address", "192.0.2.1").put("transport", "counting"),
                Map.of(), Path.of("."));
    }

    private static long openNow(String prefix) {
        return CountingTransportFactory.OPEN.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    @Test
    void aRunOverManyHostsKeepsOnlyTheMostRecentlyUsedSessionsIdle() throws Exception {
        int hosts = Sessions.MAX_IDLE + 40;
        try (Sessions sessions = new Sessions(new ProviderContext(Map.of(), Path.of("."), false), "counting")) {
            for (int i = 0; i < hosts; i++) {
                String out = sessions.with(host("lru-" + i), t -> t.exec(RemoteCommand.of("hostname", Duration.ofSeconds(1))).stdout());
                assertEquals("lru-" + i, out);
            }
            Thread.sleep(200); // evicted sessions close on the closer's threads
            assertEquals(Sessions.MAX_IDLE, openNow("lru-"), "idle sessions beyond the limit are closed");
            assertEquals(0, CountingTransportFactory.OPEN.get("lru-0").get(), "the least recently used went first");
            assertEquals(1, CountingTransportFactory.OPEN.get("lru-" + (hosts - 1)).get());
            int opened = CountingTransportFactory.OPENED.get();
            sessions.with(host("lru-" + (hosts - 1)), t -> t.exec(RemoteCommand.of("hostname", Duration.ofSeconds(1))));
            assertEquals(opened, CountingTransportFactory.OPENED.get(), "a recent host's next batch reuses its session");
            sessions.with(host("lru-0"), t -> t.exec(RemoteCommand.of("hostname", Duration.ofSeconds(1))));
            assertEquals(opened + 1, CountingTransportFactory.OPENED.get(), "an evicted host reconnects");
        }
        assertEquals(0, openNow("lru-"), "close() closes every session");
    }

    @Test
    void aSessionInUseIsNeverClosedByEviction() throws Exception {
        try (Sessions sessions = new Sessions(new ProviderContext(Map.of(), Path.of("."), false), "counting")) {
            sessions.with(host("busy"), t -> t.exec(RemoteCommand.of("x", Duration.ofSeconds(1)))); // idle, and the eldest
            String answer = sessions.with(host("busy"), busy -> {
                // while "busy" is in use, many other hosts come and go
                for (int i = 0; i < Sessions.MAX_IDLE * 2; i++) {
                    sessions.with(host("other-" + i), t -> t.exec(RemoteCommand.of("x", Duration.ofSeconds(1))));
                }
                Thread.sleep(100);
                return busy.exec(RemoteCommand.of("hostname", Duration.ofSeconds(1))).stdout();
            });
            assertEquals("busy", answer);
            assertTrue(CountingTransportFactory.OPEN.get("busy").get() == 1);
        }
    }
}

package cem.state.postgres;

import cem.state.BackendSpec;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A separate process that takes a state lock, says so, and waits to be killed. */
public final class LockHolder {

    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        var settings = new ObjectMapper().createObjectNode().put("type", "postgres").put("url", args[0]).put("username", "postgres")
                .put("sslmode", "disable").put("schema", args[2]);
        PostgresStateStore store = new PostgresStateStore(new BackendSpec(settings, Map.of(), args[1], Path.of("."), null, null, "test", null, cem.state.Integrity.CHECKSUM));
        store.lock("apply", Duration.ZERO);
        System.out.println("locked");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

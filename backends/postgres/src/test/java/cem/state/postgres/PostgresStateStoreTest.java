package cem.state.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.state.BackendSpec;
import cem.state.LockInfo;
import cem.state.ResourceState;
import cem.state.State;
import cem.state.StateException;
import cem.state.StateStore;
import cem.testkit.Postgres;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The PostgreSQL backend against a real server on loopback (started here, removed afterwards). */
class PostgresStateStoreTest {

    static Postgres pg;
    private static int schemas;

    @BeforeAll
    static void start() {
        pg = Postgres.startOrSkip();
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    static PostgresStateStore store(String schema, String key, int keep) throws StateException {
        return store(schema, key, keep, null);
    }

    /** A store on a schema of its own (each test starts from nothing), initialised. */
    static PostgresStateStore store(String schema, String key, int keep, cem.state.StateEncryption encryption) throws StateException {
        ObjectNode settings = new ObjectMapper().createObjectNode().put("type", "postgres").put("url", pg.url()).put("username", "postgres")
                .put("sslmode", "disable").put("schema", schema).put("keepVersions", keep);
        PostgresStateStore s = new PostgresStateStore(new BackendSpec(settings, Map.of(), key, Path.of("."), "https://ci.example/job/7",
                "sha256:abc", "0.1.0-test", encryption, cem.state.Integrity.CHECKSUM));
        s.init();
        return s;
    }

    static String fresh() {
        return "t" + (++schemas) + "_" + ProcessHandle.current().pid();
    }

    static State state(String lineage, long serial, int resources) {
        State s = new State(State.FORMAT_VERSION, lineage, serial, "0.1.0-test", Map.of());
        for (int i = 0; i < resources; i++) {
            ObjectNode attributes = new ObjectMapper().createObjectNode().put("localPorts", 4726 + i);
            s = s.with(new ResourceState("windows_firewall_rule.r" + i, "windows_firewall_rule", "ns1", "cem-r" + i, attributes, List.of(),
                    false));
        }
        return s;
    }

    @Test
    void initIsIdempotentAndWritesMakeVersionsWithRetention() throws Exception {
        String schema = fresh();
        PostgresStateStore s = store(schema, "site-a", 3);
        assertTrue(s.init().contains("up to date"), "a second init changes nothing");
        assertTrue(s.read().isEmpty());
        for (int serial = 1; serial <= 5; serial++) {
            s.write(state("L1", serial, serial));
        }
        assertEquals(5, s.read().orElseThrow().serial());
        var history = s.history();
        assertEquals(List.of(5L, 4L, 3L), history.stream().map(v -> v.version()).toList(), "keepVersions 3");
        assertEquals("sha256:abc", history.get(0).configDigest());
        assertEquals(5, history.get(0).resources());
        assertEquals(4, s.read(4).orElseThrow().serial());
        assertTrue(s.read(1).isEmpty(), "expired");
    }

    @Test
    void aWriteFromAStaleStateIsRefusedEvenWithoutALock() throws Exception {
        PostgresStateStore s = store(fresh(), "site-a", 100);
        s.write(state("L1", 1, 1));
        s.write(state("L1", 2, 2)); // another writer went ahead
        StateException stale = assertThrows(StateException.class, () -> s.write(state("L1", 2, 9)));
        assertTrue(stale.getMessage().contains("the database holds serial 2"), stale.getMessage());
        StateException other = assertThrows(StateException.class, () -> s.write(state("L2", 3, 1)));
        assertTrue(other.getMessage().contains("another lineage"), other.getMessage());
        assertEquals(2, s.read().orElseThrow().all().size(), "nothing of the refused writes landed");
    }

    @Test
    @Timeout(60)
    void locksArePerStateTheSecondWaitsThenNamesTheHolder() throws Exception {
        String schema = fresh();
        PostgresStateStore a = store(schema, "site-a", 100);
        PostgresStateStore a2 = store(schema, "site-a", 100);
        PostgresStateStore b = store(schema, "site-b", 100);
        try (StateStore.Lock held = a.lock("apply", Duration.ZERO); StateStore.Lock other = b.lock("apply", Duration.ZERO)) {
            Instant start = Instant.now();
            StateException busy = assertThrows(StateException.class, () -> a2.lock("plan", Duration.ofSeconds(1)));
            assertTrue(Duration.between(start, Instant.now()).toMillis() >= 900, "it waited for --lock-timeout");
            assertTrue(busy.getMessage().contains("apply of state site-a by"), busy.getMessage());
            assertTrue(busy.getMessage().contains("https://ci.example/job/7"), busy.getMessage());
            assertTrue(busy.hint().contains("cem force-unlock " + held.info().id()), busy.hint());
            List<LockInfo> all = a.locks();
            assertEquals(List.of("site-a", "site-b"), all.stream().map(LockInfo::key).toList());
        }
        assertTrue(a.locks().isEmpty(), "released");
        try (StateStore.Lock again = a2.lock("plan", Duration.ZERO)) {
            assertEquals("site-a", again.info().key());
        }
    }

    @Test
    @Timeout(60)
    void aKilledHoldersLockIsReleasedByPostgres() throws Exception {
        String schema = fresh();
        PostgresStateStore s = store(schema, "site-k", 100);
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockHolder.class.getName(), pg.url(), "site-k", schema)
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
            String line = out.readLine();
            assertEquals("locked", line);
        } finally {
            holder.destroyForcibly().waitFor();
        }
        Instant start = Instant.now();
        try (StateStore.Lock lock = s.lock("apply", Duration.ofSeconds(10))) {
            assertTrue(Duration.between(start, Instant.now()).toSeconds() < 10);
        }
    }

    @Test
    @Timeout(60)
    void forceUnlockEndsTheHoldersSession() throws Exception {
        String schema = fresh();
        PostgresStateStore s = store(schema, "site-f", 100);
        StateStore.Lock stuck = s.lock("apply", Duration.ZERO);
        s.forceUnlock(stuck.info().id());
        try (StateStore.Lock mine = store(schema, "site-f", 100).lock("apply", Duration.ofSeconds(5))) {
            assertFalse(mine.info().id().equals(stuck.info().id()));
        }
        stuck.close(); // its session is gone: closing must not fail
        StateException unknown = assertThrows(StateException.class, () -> s.forceUnlock("no-such-id"));
        assertTrue(unknown.getMessage().contains("No lock with ID no-such-id"), unknown.getMessage());
    }

    @Test
    @Timeout(120)
    void theDatabaseGoingAwayLeavesAClearErrorAndNoPartialVersion() throws Exception {
        PostgresStateStore s = store(fresh(), "site-d", 100);
        s.write(state("L1", 1, 3));
        pg.stop();
        try {
            StateException down = assertThrows(StateException.class, () -> s.write(state("L1", 2, 4)));
            assertTrue(down.getMessage().contains("The previous version is intact") || down.getMessage().contains("Cannot connect"),
                    down.getMessage());
        } finally {
            pg.restart();
        }
        assertEquals(1, s.read().orElseThrow().serial());
        assertEquals(1, s.history().size());
    }

    @Test
    void writingAThousandResourceVersionIsMeasuredNotAsserted() throws Exception {
        PostgresStateStore s = store(fresh(), "site-big", 100);
        State big = state("L1", 1, 1000);
        long start = System.nanoTime();
        s.write(big);
        long writeMicros = (System.nanoTime() - start) / 1000;
        start = System.nanoTime();
        try (StateStore.Lock lock = s.lock("apply", Duration.ZERO)) {
            lock.info();
        }
        long lockMicros = (System.nanoTime() - start) / 1000;
        System.out.println("postgres backend: 1,000-resource version written in " + writeMicros / 1000 + " ms; lock taken and released in "
                + lockMicros / 1000 + " ms");
        assertEquals(1000, s.read().orElseThrow().all().size());
    }

    @Test
    void encryptedAtRestInTheDatabaseWithSerialAndLineageStillInColumns() throws Exception {
        byte[] k = new byte[32];
        new java.security.SecureRandom().nextBytes(k);
        String schema = fresh();
        PostgresStateStore s = store(schema, "site-e", 100, new cem.state.StateEncryption(k, List.of(), true));
        s.write(state("L1", 1, 2));
        try (var c = java.sql.DriverManager.getConnection(pg.url() + "?user=postgres&sslmode=disable");
                var q = c.prepareStatement("SELECT body, serial, lineage FROM \"" + schema + "\".states WHERE key = 'site-e'")) {
            var r = q.executeQuery();
            r.next();
            assertTrue(r.getString(1).contains("\"encrypted\"") && !r.getString(1).contains("windows_firewall_rule"), r.getString(1));
            assertEquals(1, r.getLong(2));
            assertEquals("L1", r.getString(3));
        }
        assertEquals(2, s.read().orElseThrow().all().size());
        byte[] other = new byte[32];
        StateException wrong = assertThrows(StateException.class,
                () -> store(schema, "site-e", 100, new cem.state.StateEncryption(other, List.of(), true)).read());
        assertTrue(wrong.getMessage().contains("neither the configured key"), wrong.getMessage());
    }

    /** Issue 24, item 10: a row's body swapped for another state's, or for an older version's, was read as the current state. */
    @Test
    void aBodySwappedInFromAnotherStateOrAnOlderVersionIsRefused() throws Exception {
        byte[] k = new byte[32];
        new java.security.SecureRandom().nextBytes(k);
        cem.state.StateEncryption encryption = new cem.state.StateEncryption(k, List.of(), true);
        String schema = fresh();
        PostgresStateStore a = store(schema, "site-a", 100, encryption);
        PostgresStateStore b = store(schema, "site-b", 100, encryption);
        a.write(state("LA", 1, 1));
        a.write(state("LA", 2, 2));
        b.write(state("LB", 1, 3));
        try (var c = java.sql.DriverManager.getConnection(pg.url() + "?user=postgres&sslmode=disable");
                var swap = c.prepareStatement("UPDATE \"" + schema + "\".states SET body = (SELECT body FROM \"" + schema
                        + "\".states WHERE key = ? AND version = ?) WHERE key = 'site-a' AND version = 2")) {
            swap.setString(1, "site-b");
            swap.setLong(2, 1);
            swap.executeUpdate();
            StateException swapped = assertThrows(StateException.class, a::read);
            assertTrue(swapped.getMessage().contains("is not the one its row names") && swapped.getMessage().contains("lineage LB"),
                    swapped.getMessage());
            swap.setString(1, "site-a");
            swap.setLong(2, 1);
            swap.executeUpdate();
            StateException rolledBack = assertThrows(StateException.class, a::read);
            assertTrue(rolledBack.getMessage().contains("the row says serial 2") && rolledBack.getMessage().contains("holds serial 1"),
                    rolledBack.getMessage());
        }
        assertEquals(1, a.read(1).orElseThrow().serial(), "the earlier version itself still reads");
    }

    /** Issue 26, item 3: the documents an ACME CA issued are kept in the database, beside the state of their key. */
    @Test
    void documentsAreKeptPerStateKeyAndReplacedWhole() throws Exception {
        String schema = fresh();
        PostgresStateStore a = store(schema, "site-a", 100);
        PostgresStateStore b = store(schema, "site-b", 100);
        assertTrue(a.readDocument("acme-gateway-cert").isEmpty());
        a.writeDocument("acme-gateway-cert", "{\"sealed\":1}");
        assertEquals("{\"sealed\":1}", a.readDocument("acme-gateway-cert").orElseThrow());
        a.writeDocument("acme-gateway-cert", "{\"sealed\":2}");
        assertEquals("{\"sealed\":2}", store(schema, "site-a", 100).readDocument("acme-gateway-cert").orElseThrow(), "overwritten");
        assertTrue(b.readDocument("acme-gateway-cert").isEmpty(), "another state's document is not visible");
        b.writeDocument("acme-gateway-cert", "{\"sealed\":3}");
        assertEquals("{\"sealed\":2}", a.readDocument("acme-gateway-cert").orElseThrow());
        try (var c = java.sql.DriverManager.getConnection(pg.url() + "?user=postgres&sslmode=disable");
                var q = c.prepareStatement("SELECT count(*) FROM \"" + schema + "\".documents")) {
            var r = q.executeQuery();
            r.next();
            assertEquals(2, r.getInt(1), "one row per key and name");
        }
        for (String bad : List.of("../state", "", ".hidden", "a/b", "a".repeat(201))) {
            assertThrows(IllegalArgumentException.class, () -> a.writeDocument(bad, "x"), bad);
            assertThrows(IllegalArgumentException.class, () -> a.readDocument(bad), bad);
        }
    }

    /** A database set up by a cem before documents (schema version 1) says to run cem init, which adds their table. */
    @Test
    void aVersionOneDatabaseIsUpgradedByInit() throws Exception {
        String schema = fresh();
        PostgresStateStore s = store(schema, "site-u", 100);
        s.write(state("L1", 1, 1));
        try (var c = java.sql.DriverManager.getConnection(pg.url() + "?user=postgres&sslmode=disable"); var q = c.createStatement()) {
            q.execute("DROP TABLE \"" + schema + "\".documents");
            q.execute("DELETE FROM \"" + schema + "\".cem_migrations WHERE version = 2");
        }
        StateException old = assertThrows(StateException.class, () -> s.readDocument("acme-x"));
        assertTrue(old.getMessage().contains("no table for kept documents") && old.hint().contains("cem init"), old.getMessage());
        assertTrue(s.init().contains("applied migration 2 (documents)"));
        s.writeDocument("acme-x", "sealed");
        assertEquals("sealed", s.readDocument("acme-x").orElseThrow());
        assertEquals(1, s.read().orElseThrow().serial(), "the state is untouched");
    }
}

package cem.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStateStoreTest {

    @TempDir
    Path dir;

    private static ResourceState resource(String address, int port) {
        var attrs = JsonNodeFactory.instance.objectNode().put("port", port);
        return new ResourceState(address, address.substring(0, address.indexOf('.')), "h1", address, attrs, List.of(), false);
    }

    @Test
    void roundTripsAndKeepsABackup() throws Exception {
        LocalStateStore store = new LocalStateStore(dir, null);
        State s1 = State.empty("test").with(resource("iis_binding.a", 443)).nextSerial("test");
        store.write(s1);
        State s2 = s1.with(resource("iis_binding.b", 4726)).nextSerial("test");
        store.write(s2);
        assertEquals(s2, store.read().orElseThrow());
        assertEquals(s1, StateCodec.read(Files.readString(dir.resolve("state.json.backup"))));
        assertTrue(Files.readString(dir.resolve(".gitignore")).contains("*"));
    }

    @Test
    void journalEntriesAreReplayedAndATornLastLineIsIgnored() throws Exception {
        LocalStateStore store = new LocalStateStore(dir, null);
        State base = State.empty("test").with(resource("iis_binding.a", 443)).nextSerial("test");
        store.write(base);
        State next = base.with(resource("iis_binding.b", 1)).without("iis_binding.a").nextSerial("test");
        store.writeChanges(next, Set.of("iis_binding.a", "iis_binding.b"));
        Files.writeString(dir.resolve("state.journal"), "{\"serial\": 3, \"put\": [{\"addr", StandardOpenOption.APPEND);
        State read = store.read().orElseThrow();
        assertEquals(next.serial(), read.serial());
        assertEquals(Set.of("iis_binding.b"), read.resources().keySet());
        store.write(read.nextSerial("test"));
        assertTrue(Files.notExists(dir.resolve("state.journal")), "a full write folds the journal in");
    }

    /** Issue 24, item 2: one hand-written clear-text journal line beside a sealed state injected a resource and dropped a real one. */
    @Test
    void aClearTextJournalBesideASealedStateIsRefusedNotReplayed() throws Exception {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        LocalStateStore store = new LocalStateStore(dir, null, new StateEncryption(key, List.of(), true));
        State base = State.empty("test").with(resource("iis_binding.a", 443)).nextSerial("test");
        store.write(base);
        store.writeChanges(base.with(resource("iis_binding.b", 4726)).nextSerial("test"), Set.of("iis_binding.b"));
        assertTrue(Files.notExists(dir.resolve("state.journal")), "a sealed state keeps no clear-text journal");
        Files.writeString(dir.resolve("state.journal"), "{\"serial\": 99, \"put\": [], \"remove\": [\"iis_binding.a\"]}\n");
        StateException refused = assertThrows(StateException.class, store::read);
        assertTrue(refused.getMessage().contains("clear-text journal"), refused.getMessage());
    }

    @Test
    void aStateEditedByHandIsRefusedAndReformattingIsNotAnEdit() throws Exception {
        LocalStateStore store = new LocalStateStore(dir, null);
        State s1 = State.empty("test").with(resource("iis_binding.a", 443)).nextSerial("test");
        store.write(s1);
        Path file = dir.resolve("state.json");
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        Files.writeString(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapper.readTree(Files.readString(file))));
        assertEquals(s1, store.read().orElseThrow(), "whitespace is not content");
        Files.writeString(file, Files.readString(file).replace("443", "444"));
        StateException e = assertThrows(StateException.class, store::read);
        assertTrue(e.getMessage().contains("changed outside cem: its checksum does not match its content"), e.getMessage());
        assertTrue(e.hint().contains("state.json.backup"), e.hint());
    }

    @Test
    void aStateOfAnotherLineageCopiedOverIsRefused() throws Exception {
        LocalStateStore store = new LocalStateStore(dir, null);
        State mine = State.empty("test").with(resource("iis_binding.a", 443)).nextSerial("test");
        store.write(mine);
        store.write(mine.nextSerial("test"));
        State other = State.empty("test").with(resource("iis_binding.z", 1)).nextSerial("test");
        Files.writeString(dir.resolve("state.json"), StateCodec.write(other));
        StateException e = assertThrows(StateException.class, store::read);
        assertTrue(e.getMessage().contains("belongs to another configuration: its lineage is " + other.lineage()), e.getMessage());
        assertTrue(e.hint().contains("copying state.json.backup over state.json"), e.hint());
    }

    @Test
    void aCorruptStateIsRefusedWithWhereTheBackupIs() throws Exception {
        Files.writeString(dir.resolve("state.json"), "{\"version\": 1, \"lineage\": \"x\"");
        StateException e = assertThrows(StateException.class, () -> new LocalStateStore(dir, null).read());
        assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
        assertTrue(e.hint().contains("state.json.backup"), e.hint());
    }

    @Test
    void aNewerFormatIsRefused() throws Exception {
        Files.writeString(dir.resolve("state.json"), "{\"version\": 99, \"lineage\": \"x\", \"serial\": 1, \"resources\": []}");
        StateException e = assertThrows(StateException.class, () -> new LocalStateStore(dir, null).read());
        assertTrue(e.getMessage().contains("newer than this cem reads"), e.getMessage());
    }

    @Test
    void aHeldLockNamesItsHolderAndForceUnlockBreaksIt() throws Exception {
        LocalStateStore store = new LocalStateStore(dir, null);
        try (StateStore.Lock lock = store.lock("apply", Duration.ZERO)) {
            StateException e = assertThrows(StateException.class, () -> store.lock("plan", Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains("State is locked: ID " + lock.info().id() + ", apply by "), e.getMessage());
            assertTrue(e.hint().contains("--lock-timeout"), e.hint());
        }
        store.lock("plan", Duration.ZERO).close();
    }

    @Test
    void aLockOfADeadProcessSaysHowToBreakIt() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Files.writeString(dir.resolve("state.lock"), "{\"id\": \"abc\", \"operation\": \"apply\", \"user\": \"u\", \"hostname\": \""
                + java.net.InetAddress.getLocalHost().getHostName() + "\", \"pid\": " + p.pid() + ", \"created\": \"2026-01-01T00:00:00Z\"}");
        LocalStateStore store = new LocalStateStore(dir, null);
        StateException e = assertThrows(StateException.class, () -> store.lock("plan", Duration.ZERO));
        assertTrue(e.getMessage().contains("no longer running"), e.getMessage());
        assertTrue(e.hint().contains("cem force-unlock abc"), e.hint());
        assertThrows(StateException.class, () -> store.forceUnlock("wrong"));
        store.forceUnlock("abc");
        store.lock("plan", Duration.ZERO).close();
    }
}

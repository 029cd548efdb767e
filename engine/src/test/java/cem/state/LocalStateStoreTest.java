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
        Files.writeString(dir.resolve("state.json"), "{\"version\": 99, \"lineage\": \"x\", \"serial\": 1, \"resources\": []}"); // no checksum either
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

    private static byte[] key() {
        byte[] k = new byte[32];
        new java.security.SecureRandom().nextBytes(k);
        return k;
    }

    /** Issue 24, item 5: a state without a checksum was read as if it had a valid one. */
    @Test
    void aStateWithoutItsChecksumIsRefusedUntilSigned() throws Exception {
        State s1 = State.empty("test").with(resource("iis_binding.a", 443)).nextSerial("test");
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(StateCodec.write(s1));
        root.remove(Checksum.FIELD);
        Files.writeString(dir.resolve("state.json"), root.toString().replace("443", "444"));
        StateException e = assertThrows(StateException.class, () -> new LocalStateStore(dir, null).read());
        assertTrue(e.getMessage().contains("has no checksum"), e.getMessage());
        assertTrue(e.hint().contains("cem state sign"), e.hint());
        LocalStateStore signing = new LocalStateStore(dir, null, null, Integrity.CHECKSUM.adopting());
        State adopted = signing.read().orElseThrow();
        signing.write(adopted.nextSerial("test"));
        assertEquals(444, new LocalStateStore(dir, null).read().orElseThrow().resource("iis_binding.a").orElseThrow().attributes().path("port").asInt());
    }

    /** Issue 24, item 5: the checksum has no key; whoever edits a state recomputes it. With a MAC key they cannot. */
    @Test
    void withAMacKeyAnEditedStateWithARecomputedChecksumIsRefused() throws Exception {
        byte[] k = key();
        LocalStateStore keyed = new LocalStateStore(dir, null, null, Integrity.keyed(k));
        State s1 = State.empty("test").with(resource("iis_binding.a", 443)).nextSerial("test");
        keyed.write(s1);
        assertEquals(s1, keyed.read().orElseThrow());
        assertEquals(s1, new LocalStateStore(dir, null).read().orElseThrow(), "a job without the key still reads it (checksum only)");
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(Files.readString(dir.resolve("state.json")));
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("resources").get(0).get("attributes")).put("port", 444);
        Files.writeString(dir.resolve("state.json"), Checksum.add(root).toString());
        StateException edited = assertThrows(StateException.class, keyed::read);
        assertTrue(edited.getMessage().contains("MAC that does not match its content"), edited.getMessage());
        root.remove(Integrity.FIELD);
        Files.writeString(dir.resolve("state.json"), Checksum.add(root).toString());
        StateException stripped = assertThrows(StateException.class, keyed::read);
        assertTrue(stripped.getMessage().contains("has no MAC, and CEM_MAC_KEY is set"), stripped.getMessage());
        assertTrue(stripped.hint().contains("cem state sign"), stripped.hint());
        StateException other = assertThrows(StateException.class, () -> {
            new LocalStateStore(dir, null, null, Integrity.keyed(key())).write(s1);
            keyed.read();
        });
        assertTrue(other.getMessage().contains("MAC made with another key"), other.getMessage());
        keyed.writeChanges(s1.with(resource("iis_binding.b", 1)).nextSerial("test"), Set.of("iis_binding.b"));
        assertTrue(Files.notExists(dir.resolve("state.journal")), "a state with a MAC keeps no journal (its entries carry none)");
    }

    /** Issue 24, item 7: .cem was created 0755 and the backup with the default mode. */
    @Test
    void theDirectoryAndEveryFileInItAreOwnerOnly() throws Exception {
        Path cem = dir.resolve("config/.cem");
        LocalStateStore store = new LocalStateStore(cem, null);
        State s1 = State.empty("test").with(resource("iis_binding.a", 443)).nextSerial("test");
        store.write(s1);
        store.write(s1.nextSerial("test"));
        store.writeChanges(s1.nextSerial("test").nextSerial("test").with(resource("iis_binding.b", 1)), Set.of("iis_binding.b"));
        try (StateStore.Lock lock = store.lock("apply", Duration.ZERO)) {
            assertEquals("rwx------", mode(cem));
            for (String f : List.of("state.json", "state.json.backup", "state.journal", "state.lock", ".gitignore")) {
                assertEquals("rw-------", mode(cem.resolve(f)), f);
            }
        }
    }

    private static String mode(Path p) throws java.io.IOException {
        return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    /** Issue 24, item 7: state, journal and lock were opened through symbolic links. */
    @Test
    void linksInTheStateDirectoryAreRefusedNotFollowed() throws Exception {
        Path cem = dir.resolve(".cem");
        LocalStateStore store = new LocalStateStore(cem, null);
        State s1 = State.empty("test").with(resource("iis_binding.a", 443)).nextSerial("test");
        store.write(s1);
        Path elsewhere = dir.resolve("elsewhere.json");
        Files.move(cem.resolve("state.json"), elsewhere);
        Files.createSymbolicLink(cem.resolve("state.json"), elsewhere);
        StateException read = assertThrows(StateException.class, store::read);
        assertTrue(read.getMessage().contains("is a symbolic link"), read.getMessage());

        Files.delete(cem.resolve("state.json"));
        Files.copy(elsewhere, cem.resolve("state.json"));
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "not cem's\n");
        Files.createSymbolicLink(cem.resolve("state.journal"), victim);
        StateException journal = assertThrows(StateException.class,
                () -> store.writeChanges(s1.with(resource("iis_binding.b", 1)).nextSerial("test"), Set.of("iis_binding.b")));
        assertTrue(journal.getMessage().contains("is a symbolic link"), journal.getMessage());
        assertEquals("not cem's\n", Files.readString(victim), "nothing written through the link");

        Files.createSymbolicLink(cem.resolve("state.lock"), victim);
        StateException lock = assertThrows(StateException.class, () -> store.lock("apply", Duration.ZERO));
        assertTrue(lock.getMessage().contains("is a symbolic link"), lock.getMessage());
    }
}

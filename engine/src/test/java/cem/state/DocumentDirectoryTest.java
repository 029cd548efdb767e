package cem.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kept documents as owner-only files: the local state's {@code documents/}, or a directory the configuration names. */
class DocumentDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripOverwriteOwnerOnly() throws Exception {
        DocumentDirectory docs = new DocumentDirectory(tmp.resolve("shared/docs"));
        assertTrue(docs.read("acme-gw").isEmpty());
        docs.write("acme-gw", "sealed-1");
        docs.write("acme-gw", "sealed-2");
        assertEquals("sealed-2", docs.read("acme-gw").orElseThrow());
        Path file = tmp.resolve("shared/docs/acme-gw.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals(List.of(file), Files.list(file.getParent()).toList(), "no temporary file is left");
    }

    @Test
    void statesSharingADirectoryKeepTheirOwnDocumentsUnderTheirKey() throws Exception {
        Path shared = tmp.resolve("shared");
        StateStore siteA = new SeparateDocuments(new LocalStateStore(tmp.resolve("site-a/.cem"), null), DocumentDirectory.shared(shared, "site-a"));
        StateStore siteB = new SeparateDocuments(new LocalStateStore(tmp.resolve("site-b/.cem"), null), DocumentDirectory.shared(shared, "prod/site-b"));
        siteA.writeDocument("acme-gw", "sealed-a");
        siteB.writeDocument("acme-gw", "sealed-b");
        assertEquals("sealed-a", siteA.readDocument("acme-gw").orElseThrow());
        assertEquals("sealed-b", siteB.readDocument("acme-gw").orElseThrow());
        assertEquals("sealed-a", Files.readString(shared.resolve("site-a/acme-gw.json")));
        assertEquals("sealed-b", Files.readString(shared.resolve("prod/site-b/acme-gw.json")));
        assertEquals(List.of("acme-gw"), siteA.documentNames());
        assertEquals(List.of("acme-gw"), siteB.documentNames());
        for (String bad : List.of("a/../..", "a/.", "a//b", "a/", "site a")) {
            StateException e = assertThrows(StateException.class, () -> DocumentDirectory.shared(shared, bad), bad);
            assertTrue(e.getMessage().contains("\"" + bad + "\"") && e.hint().contains("backend.key"), e.getMessage());
        }
    }

    @Test
    void theLocalStateKeepsThemInItsDocumentsDirectory() throws Exception {
        LocalStateStore local = new LocalStateStore(tmp.resolve(".cem"), null);
        local.writeDocument("acme-gw", "sealed");
        assertEquals("sealed", Files.readString(tmp.resolve(".cem/documents/acme-gw.json")));
        assertEquals("sealed", local.readDocument("acme-gw").orElseThrow());
    }

    @Test
    void linksAreNotFollowed() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("acme-gw.json"), "planted");
        Path linked = Files.createSymbolicLink(tmp.resolve("linked"), elsewhere);
        DocumentDirectory viaLink = new DocumentDirectory(linked);
        assertTrue(assertThrows(StateException.class, () -> viaLink.read("acme-gw")).getMessage().contains("symbolic link"));
        assertTrue(assertThrows(StateException.class, () -> viaLink.write("acme-gw", "x")).getMessage().contains("symbolic link"));

        Path dir = Files.createDirectories(tmp.resolve("docs"));
        Files.createSymbolicLink(dir.resolve("acme-gw.json"), elsewhere.resolve("acme-gw.json"));
        DocumentDirectory docs = new DocumentDirectory(dir);
        assertTrue(assertThrows(StateException.class, () -> docs.read("acme-gw")).getMessage().contains("symbolic link"));
        docs.write("acme-gw", "mine"); // the link is replaced, not written through
        assertEquals("planted", Files.readString(elsewhere.resolve("acme-gw.json")));
        assertEquals("mine", docs.read("acme-gw").orElseThrow());
    }

    @Test
    void namesAreLettersDigitsAndDotDashUnderscore() {
        DocumentDirectory docs = new DocumentDirectory(tmp);
        for (String bad : List.of("../state", "", ".hidden", "a/b", "a\\b", "a".repeat(201))) {
            assertThrows(IllegalArgumentException.class, () -> docs.write(bad, "x"), bad);
            assertThrows(IllegalArgumentException.class, () -> docs.read(bad), bad);
        }
        assertEquals("acme-gw_1.x", StateStore.documentName("acme-gw_1.x"));
    }

    @Test
    void aSeparateDirectoryTakesTheDocumentsOfABackendThatKeepsNone() throws Exception {
        StateStore keepsNone = new StateStore() { // the interface's defaults: no documents beside the state
            @Override
            public java.util.Optional<State> read() {
                return java.util.Optional.empty();
            }

            @Override
            public void write(State state) {
            }

            @Override
            public Lock lock(String operation, java.time.Duration timeout) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void forceUnlock(String id) {
            }

            @Override
            public java.util.Optional<LockInfo> currentLock() {
                return java.util.Optional.empty();
            }
        };
        assertTrue(assertThrows(StateException.class, () -> keepsNone.readDocument("acme-gw")).getMessage().contains("keeps no documents"));
        StateStore store = new SeparateDocuments(keepsNone, new DocumentDirectory(tmp.resolve("shared")));
        store.writeDocument("acme-gw", "sealed");
        assertEquals("sealed", Files.readString(tmp.resolve("shared/acme-gw.json")));
        assertEquals("sealed", store.readDocument("acme-gw").orElseThrow());
        assertEquals(keepsNone.describe(), store.describe());
    }
}

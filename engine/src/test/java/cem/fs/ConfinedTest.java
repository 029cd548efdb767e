package cem.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 24, item 11: offline_package.output could resolve anywhere, and removing the resource deleted that file. */
class ConfinedTest {

    @TempDir
    Path tmp;

    @Test
    void onlyPlacesStrictlyInsideTheTreeOnceLinksAreResolved() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("config"));
        Files.createDirectories(tmp.resolve("outside"));
        Files.createDirectories(root.resolve("sub"));
        Files.createSymbolicLink(root.resolve("out"), tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("in"), root.resolve("sub"));
        Files.createSymbolicLink(root.resolve("passwd.zip"), Path.of("/etc/passwd"));
        assertEquals(Optional.of(root.toRealPath().resolve(".cem/p.zip")), Confined.inside(root, ".cem/p.zip"));
        assertEquals(Optional.of(root.toRealPath().resolve("sub/p.zip")), Confined.inside(root, "in/p.zip"), "a link inside the tree is fine");
        assertTrue(Confined.inside(root, "../outside/p.zip").isEmpty());
        assertTrue(Confined.inside(root, "a/../../outside/p.zip").isEmpty(), ".. through a directory not made yet");
        assertTrue(Confined.inside(root, tmp.resolve("outside/p.zip").toString()).isEmpty(), "an absolute path elsewhere");
        assertTrue(Confined.inside(root, "out/p.zip").isEmpty(), "a link out of the tree");
        assertTrue(Confined.inside(root, "passwd.zip").isEmpty(), "the file itself a link out");
        assertTrue(Confined.inside(root, ".").isEmpty(), "the tree itself");
        assertTrue(Confined.inside(root, "in/../../outside/p.zip").isEmpty(), ".. after a link is judged where the link leads");
    }
}

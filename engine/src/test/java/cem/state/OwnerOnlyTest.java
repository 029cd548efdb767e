package cem.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerOnlyTest {

    @TempDir
    Path dir;

    @Test
    void aNewFileIsOwnerOnly() throws Exception {
        Path file = dir.resolve("plan.json");
        OwnerOnly.write(file, "{}\n");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("{}\n", Files.readString(file));
    }

    @Test
    void anExistingReadableFileIsRestrictedAndReplaced() throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, "an older, longer content\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        OwnerOnly.write(file, "new\n");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("new\n", Files.readString(file));
    }

    /** Issue 24, item 7: files were created with the default mode and restricted afterwards. */
    @Test
    void filesAndDirectoriesAreCreatedOwnerOnlyNotRestrictedAfterwards() throws Exception {
        try (var ch = OwnerOnly.open(dir.resolve("new"), java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new"))), "from the create call on");
        }
        OwnerOnly.createDirectories(dir.resolve("a/b"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a"))));
    }

    /** Issue 24, item 7: a saved plan written to a symbolic link replaced the file it pointed to. */
    @Test
    void aLinkIsNeverWrittenThrough() throws Exception {
        Path victim = dir.resolve("victim");
        Files.writeString(victim, "keep\n");
        Files.createSymbolicLink(dir.resolve("plan.json"), victim);
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> OwnerOnly.write(dir.resolve("plan.json"), "{}\n"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("is a symbolic link"), e.getMessage());
        assertEquals("keep\n", Files.readString(victim));
    }
}

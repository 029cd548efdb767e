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
}

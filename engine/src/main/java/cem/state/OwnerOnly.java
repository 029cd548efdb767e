package cem.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;

/**
 * Files only their owner may read: state, saved plans, the lab's password. POSIX file systems get
 * {@code rw-------}; Windows (NTFS) gets an ACL with one entry, full control for the file's owner, so
 * nothing inherited from the folder lets other users read it.
 */
public final class OwnerOnly {

    private OwnerOnly() {
    }

    /** Restricts {@code file} (which must exist) to its owner; a file system with neither model is left alone. */
    public static void restrict(Path file) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null) {
            posix.setPermissions(PosixFilePermissions.fromString("rw-------"));
            return;
        }
        AclFileAttributeView acl = Files.getFileAttributeView(file, AclFileAttributeView.class);
        if (acl != null) {
            acl.setAcl(List.of(AclEntry.newBuilder()
                    .setType(AclEntryType.ALLOW)
                    .setPrincipal(acl.getOwner())
                    .setPermissions(EnumSet.allOf(AclEntryPermission.class))
                    .build()));
        }
    }

    /** Writes {@code text} to {@code file}, restricting it before the first byte lands (an existing file too). */
    public static void write(Path file, String text) throws IOException {
        if (Files.notExists(file)) {
            Files.createFile(file);
        }
        restrict(file);
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }
}

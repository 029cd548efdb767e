package cem.state;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Files only their owner may read: state, saved plans, the lab's password. POSIX file systems get
 * {@code rw-------} (directories {@code rwx------}); Windows (NTFS) gets an ACL with one entry, full
 * control for the owner, so nothing inherited from the folder lets other users read it. Files and
 * directories are created so from the start (the mode or ACL is an attribute of the create call,
 * not a change made afterwards), and nothing here follows a symbolic link: a link where cem keeps
 * its files was not made by cem, and is refused.
 */
public final class OwnerOnly {

    private OwnerOnly() {
    }

    /** Restricts {@code file} (which must exist) to its owner; a file system with neither model is left alone. */
    public static void restrict(Path file) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (posix != null) {
            posix.setPermissions(PosixFilePermissions.fromString(Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------"));
            return;
        }
        AclFileAttributeView acl = Files.getFileAttributeView(file, AclFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (acl != null) {
            acl.setAcl(List.of(ownerEntry(acl.getOwner())));
        }
    }

    /** Writes {@code text} to {@code file}: a new file is created owner-only, an existing one restricted before it is truncated. */
    public static void write(Path file, String text) throws IOException {
        try (FileChannel ch = open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * Opens {@code file} without following a link: created owner-only when {@code options} create it, restricted
     * when it existed already.
     *
     * @throws FileSystemException saying so when {@code file} is a symbolic link
     */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> all = new java.util.HashSet<>(List.of(options));
        all.add(LinkOption.NOFOLLOW_LINKS);
        boolean existed = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, all, attributes(file, false));
        } catch (IOException e) {
            throw linkOr(file, e);
        }
        if (existed && (all.contains(StandardOpenOption.WRITE) || all.contains(StandardOpenOption.APPEND))) {
            restrict(file);
        }
        return ch;
    }

    /** The text of {@code file}, read without following a link. */
    public static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw linkOr(file, e);
        }
    }

    /**
     * Creates {@code dir} and missing parents owner-only; an existing {@code dir} is restricted where its owner may
     * (a read-only mount is left as it is: the files in it are owner-only anyway), and refused when it is a link.
     */
    public static void createDirectories(Path dir) throws IOException {
        refuseLink(dir);
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                restrict(dir);
            } catch (IOException e) {
                // not ours to change, or read-only: writing in it fails clearly if it must
            }
            return;
        }
        Files.createDirectories(dir, attributes(dir, true));
    }

    /** Fails when {@code path} is a symbolic link. */
    public static void refuseLink(Path path) throws FileSystemException {
        if (Files.isSymbolicLink(path)) {
            throw new FileSystemException(path.toString(), null, "is a symbolic link; cem does not follow links where it keeps its files");
        }
    }

    private static IOException linkOr(Path file, IOException e) {
        return Files.isSymbolicLink(file)
                ? new FileSystemException(file.toString(), null, "is a symbolic link; cem does not follow links where it keeps its files")
                : e;
    }

    /** The attributes that create {@code path} owner-only on its file system: a POSIX mode, else an ACL, else none. */
    static FileAttribute<?>[] attributes(Path path, boolean directory) throws IOException {
        Set<String> views = path.getFileSystem().supportedFileAttributeViews();
        List<FileAttribute<?>> out = new ArrayList<>();
        if (views.contains("posix")) {
            out.add(PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------")));
        } else if (views.contains("acl")) {
            UserPrincipal me = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
            List<AclEntry> acl = List.of(ownerEntry(me));
            out.add(new FileAttribute<List<AclEntry>>() {
                @Override
                public String name() {
                    return "acl:acl";
                }

                @Override
                public List<AclEntry> value() {
                    return acl;
                }
            });
        }
        return out.toArray(FileAttribute<?>[]::new);
    }

    private static AclEntry ownerEntry(UserPrincipal owner) {
        return AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(owner).setPermissions(EnumSet.allOf(AclEntryPermission.class)).build();
    }
}

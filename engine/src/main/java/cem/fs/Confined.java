package cem.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Paths that must stay inside a directory tree (a file cem writes and deletes for a resource). A
 * path is judged where it really leads: its existing part with every symbolic link resolved, the
 * rest (which cannot hold a link yet) normalised, so neither {@code ..} nor a link leads out.
 */
public final class Confined {

    private Confined() {}

    /** {@code path} resolved against {@code root}, when it leads to a place strictly inside {@code root}; else empty. */
    public static Optional<Path> inside(Path root, String path) {
        try {
            Path realRoot = root.toRealPath();
            Path candidate = root.resolve(path);
            Path existing = candidate;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return Optional.empty();
            }
            Path real = existing.toRealPath().resolve(existing.relativize(candidate)).normalize();
            return real.startsWith(realRoot) && !real.equals(realRoot) ? Optional.of(real) : Optional.empty();
        } catch (IOException | InvalidPathException e) {
            return Optional.empty();
        }
    }
}

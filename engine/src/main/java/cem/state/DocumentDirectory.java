package cem.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Documents kept as files {@code <name>.json} in one directory: the local state's {@code .cem/documents},
 * or the directory a configuration names ({@code backend.documents.directory}). The text comes sealed by
 * the caller; the directory and every file are owner-only, a write is a new file moved over the old one
 * atomically, and no link is followed.
 */
public final class DocumentDirectory {

    private final Path dir;

    public DocumentDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * The documents of the state {@code key} in a directory that several states share (the configuration's
     * {@code backend.documents.directory}): {@code <shared>/<key>/}, so that two sites whose certificates
     * share a name keep one document each, as the PostgreSQL backend keys its rows by the state key. A key's
     * {@code /} nests a directory; each part is a document name, so none leads out of {@code shared}.
     */
    public static DocumentDirectory shared(Path shared, String key) throws StateException {
        for (String part : key.split("/", -1)) {
            if (!part.matches(StateStore.DOCUMENT_NAME)) {
                throw new StateException("The state key \"" + key + "\" cannot name a directory for its documents in " + shared,
                        "Set backend.key to letters, digits and .-_, parts separated by /, each starting with a letter or digit.");
            }
        }
        return new DocumentDirectory(shared.resolve(key));
    }

    /** The document {@code name}, or empty when none was written. */
    public Optional<String> read(String name) throws StateException {
        Path file = file(name);
        try {
            OwnerOnly.refuseLink(dir);
            return Optional.of(OwnerOnly.read(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StateException("Cannot read " + file + ": " + e.getMessage(), "Check the permissions of " + dir + ".");
        }
    }

    /** Replaces the document {@code name} atomically. */
    public void write(String name, String text) throws StateException {
        Path file = file(name);
        try {
            OwnerOnly.createDirectories(dir);
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            OwnerOnly.write(temp, text);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StateException("Cannot write " + file + ": " + e.getMessage(), "Check the permissions of " + dir + ".");
        }
    }

    /** The names of the documents written here, sorted (an interrupted write's temporary file is none). */
    public java.util.List<String> names() throws StateException {
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return java.util.List.of();
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).map(n -> n.substring(0, n.length() - 5))
                    .filter(n -> n.matches(StateStore.DOCUMENT_NAME)).sorted().toList();
        } catch (IOException e) {
            throw new StateException("Cannot list " + dir + ": " + e.getMessage(), "Check the permissions of " + dir + ".");
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }

    private Path file(String name) {
        return dir.resolve(StateStore.documentName(name) + ".json");
    }
}

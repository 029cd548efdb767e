package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A lab device's state file, shared by every cem process that runs a lab on the same directory: a
 * second apply waiting for the first one's state lock, {@code cem lab drift} while a lab runs, a
 * fleet's sites applied by two pipelines. Each process's lab answers from the file as it is now,
 * never from the copy it read at start-up (issue 20, item 3: a second apply reported the first
 * apply's change as drift made outside cem, and made it again). Work on the device holds a lock on
 * {@code FILE.lock} (and, within a process, a lock per file, as the JVM grants one file lock per
 * file), so changes of two processes never interleave; writes replace the file atomically.
 */
final class SharedFile {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** One lock per file and process: a JVM may hold only one lock on a file at a time. */
    private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path file;
    private final Path lockFile;
    /** Whether this object read the file yet. */
    private boolean read;
    /** The text this object last read or wrote (null: there was no file). */
    private String seen;

    SharedFile(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
    }

    Path file() {
        return file;
    }

    /** Work on the device, which may fail as the device fails. */
    interface Work<T, E extends Exception> {
        T run() throws E;
    }

    /** Runs {@code work} while no other process, nor thread of this one, works on this file. */
    <T, E extends Exception> T locked(Work<T, E> work) throws E {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile, k -> new ReentrantLock());
        local.lock();
        try {
            if (local.getHoldCount() > 1) {
                return work.run(); // this thread holds the file lock already
            }
            Files.createDirectories(lockFile.getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                return work.run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            local.unlock();
        }
    }

    /**
     * Gives {@code reload} the file's document (null when there is no file) when it differs from
     * what this object last read or wrote: always on the first call.
     */
    void refresh(Consumer<ObjectNode> reload) {
        String text = text(file);
        if (read && Objects.equals(text, seen)) {
            return;
        }
        read = true;
        seen = text;
        reload.accept(text == null ? null : parse(text));
    }

    /** Replaces the file with this document, atomically (call it while {@link #locked}); returns the text written. */
    String write(JsonNode document) {
        String text = document.toPrettyString();
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            seen = text;
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file's text now, or null when there is none (a write replaces it whole, so a read never sees half of one). */
    static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode parse(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

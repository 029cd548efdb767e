package cem.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * State in a local directory (by default {@code <config>/.cem/}): {@code state.json}, the previous
 * version as {@code state.json.backup}, and {@code state.lock} while a command holds the lock.
 * Writes go to a temporary file that is synced and then renamed over the state, so a crash at any
 * point leaves either the old or the new state, never a torn one. During an apply, each finished
 * batch is appended to {@code state.journal} (one synced JSON line: the serial and the resources
 * that changed), and the journal is folded into {@code state.json} every {@value #COMPACT_EVERY}
 * entries and at the end; reading replays it. A torn last line (a crash while appending) is ignored.
 * A sealed state, or one with a MAC, is always written whole: no journal. Kept documents (an ACME
 * CA's certificates, sealed) are in {@code documents/} ({@link DocumentDirectory}). The directory and
 * every file in it are created owner-only, and no link in it is followed.
 */
public final class LocalStateStore implements StateStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path stateFile;
    private final Path backupFile;
    private final Path lockFile;
    private final Path journalFile;
    private final String jobUrl;
    private final DocumentDirectory documents;
    private int journalEntries;

    /** Journal entries after which the journal is folded into the state file. */
    static final int COMPACT_EVERY = 64;

    /**
     * @param dir the state directory
     * @param jobUrl the CI job URL for lock records, or null
     */
    public LocalStateStore(Path dir, String jobUrl) {
        this(dir, jobUrl, null);
    }

    /** @param encryption seals the state file at rest, or null for clear text */
    public LocalStateStore(Path dir, String jobUrl, StateEncryption encryption) {
        this(dir, jobUrl, encryption, Integrity.CHECKSUM);
    }

    /** @param integrity what the state must carry to be read (its checksum; a MAC when a key is set) */
    public LocalStateStore(Path dir, String jobUrl, StateEncryption encryption, Integrity integrity) {
        this.encryption = encryption;
        this.integrity = integrity;
        this.dir = dir;
        this.stateFile = dir.resolve("state.json");
        this.backupFile = dir.resolve("state.json.backup");
        this.lockFile = dir.resolve("state.lock");
        this.journalFile = dir.resolve("state.journal");
        this.jobUrl = jobUrl;
        this.documents = new DocumentDirectory(dir.resolve("documents"));
    }

    private final StateEncryption encryption;
    private final Integrity integrity;

    @Override
    public String describe() {
        return "the local file " + stateFile;
    }

    public Path stateFile() {
        return stateFile;
    }

    @Override
    public Optional<State> read() throws StateException {
        String text;
        try {
            OwnerOnly.refuseLink(dir);
            text = OwnerOnly.read(stateFile);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StateException("Cannot read state file " + stateFile + ": " + describe(e),
                    "Check that the file is readable by you; replace a link with the file itself.");
        }
        if (encryption != null) {
            text = encryption.open(text, StateEncryption.Kind.STATE, "State file " + stateFile);
        } else if (StateEncryption.isSealed(text)) {
            throw new StateException("State file " + stateFile + " is encrypted, and no key is configured.",
                    "Set backend.encryption.key to the secret reference of its key.");
        }
        try {
            State state = StateCodec.read(text, integrity);
            String previous = backupLineage();
            if (previous != null && !previous.equals(state.lineage())) {
                throw new StateException("State file " + stateFile + " belongs to another configuration: its lineage is " + state.lineage()
                        + ", and that of the state before it (" + backupFile.getFileName() + ") is " + previous + ".",
                        "Someone copied another state over it. Restore the right one by copying " + backupFile.getFileName() + " over "
                                + stateFile.getFileName() + "; if this state really is the one to keep, delete " + backupFile.getFileName() + ".");
            }
            if (wholeOnly()) {
                refuseJournal();
                return Optional.of(state);
            }
            return Optional.of(replayJournal(state));
        } catch (StateCodec.CorruptStateException e) {
            throw new StateException("State file " + stateFile + " is corrupt: " + e.getMessage(), e.hint() != null ? e.hint()
                    : "The previous version is in " + backupFile + "; inspect both, and restore the right one by copying it over "
                            + stateFile.getFileName() + ".");
        }
    }

    @Override
    public synchronized void writeChanges(State state, java.util.Set<String> changed) throws StateException {
        if (!Files.exists(stateFile) || journalEntries >= COMPACT_EVERY || wholeOnly()) {
            write(state);
            return;
        }
        ObjectNode entry = JSON.createObjectNode();
        entry.put("serial", state.serial());
        var put = entry.putArray("put");
        var remove = entry.putArray("remove");
        for (String address : changed) {
            Optional<ResourceState> r = state.resource(address);
            if (r.isPresent()) {
                put.add(StateCodec.resourceJson(r.get()));
            } else {
                remove.add(address);
            }
        }
        try (FileChannel ch = OwnerOnly.open(journalFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap((entry.toString() + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
            journalEntries++;
        } catch (IOException e) {
            throw new StateException("Cannot append to the state journal " + journalFile + ": " + describe(e)
                    + ". The state written before is intact.",
                    "Free disk space or make the directory writable, then run the command again: cem re-reads what is live.");
        }
    }

    /**
     * Whether the state is always written whole: a journal entry carries neither seal nor MAC, so replaying
     * one would let anyone who can write the directory add or drop resources past them.
     */
    private boolean wholeOnly() {
        return encryption != null || integrity.keyed();
    }

    /** The lineage of the backup (the state before the current one), or null when there is none or it cannot be read. */
    private String backupLineage() {
        try {
            String text = OwnerOnly.read(backupFile);
            if (StateEncryption.isSealed(text)) {
                return null; // sealed with the state's key: the state itself was opened, which is the check that matters
            }
            JsonNode lineage = JSON.readTree(text).path("lineage");
            return lineage.isTextual() ? lineage.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A sealed state, or one with a MAC, is written whole and never has a journal: a journal beside it
     * was not written by cem, and replaying it would let anyone who can write the directory add or drop
     * resources past the seal or the MAC. It is refused, not read.
     */
    private void refuseJournal() throws StateException {
        try {
            if (Files.exists(journalFile, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.size(journalFile) > 0) {
                throw new StateException("A clear-text journal " + journalFile + " lies beside the " + (encryption != null ? "encrypted" : "MAC-checked")
                        + " state " + stateFile + "; cem never writes one when the state is " + (encryption != null ? "encrypted" : "MAC-checked")
                        + ", so it was not written by cem.",
                        "Nothing was read from it. Find out who wrote it; then delete it, and run cem plan to compare the state with what is live.");
            }
        } catch (IOException e) {
            throw new StateException("Cannot check the state journal " + journalFile + ": " + describe(e), "Check its permissions.");
        }
    }

    /** The state with the journal's complete entries applied; entries at or below its serial are old. */
    private State replayJournal(State base) throws StateException {
        List<String> lines;
        try {
            lines = OwnerOnly.read(journalFile).lines().toList();
        } catch (NoSuchFileException e) {
            return base;
        } catch (IOException e) {
            throw new StateException("Cannot read the state journal " + journalFile + ": " + describe(e), "Check its permissions.");
        }
        State state = base;
        for (String line : lines) {
            JsonNode entry;
            try {
                entry = JSON.readTree(line);
            } catch (IOException e) {
                break; // a line cut short by a crash: nothing after it was written either
            }
            long serial = entry.path("serial").asLong(-1);
            if (serial <= state.serial()) {
                continue;
            }
            try {
                for (JsonNode r : entry.path("put")) {
                    state = state.with(StateCodec.resource(r));
                }
            } catch (StateCodec.CorruptStateException e) {
                break;
            }
            for (JsonNode a : entry.path("remove")) {
                state = state.without(a.asText());
            }
            state = new State(state.formatVersion(), state.lineage(), serial, state.cemVersion(), state.resources());
        }
        return state;
    }

    @Override
    public synchronized void write(State state) throws StateException {
        Path temp = dir.resolve("state.json.tmp-" + ProcessHandle.current().pid());
        Path backupTemp = dir.resolve("state.json.backup.tmp-" + ProcessHandle.current().pid());
        try {
            ensureDirectory();
            String text = StateCodec.write(state, integrity);
            writeSynced(temp, encryption == null ? text : encryption.seal(text, StateEncryption.Kind.STATE, state.lineage(), state.serial()));
            if (Files.exists(stateFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                writeSynced(backupTemp, OwnerOnly.read(stateFile)); // created owner-only, like the state
                Files.move(backupTemp, backupFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(temp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory();
            // The full state now holds everything the journal had (its entries are at or below this serial).
            Files.deleteIfExists(journalFile);
            journalEntries = 0;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp);
                Files.deleteIfExists(backupTemp);
            } catch (IOException ignored) {
                // the write already failed; the old state is untouched
            }
            throw new StateException("Cannot write state file " + stateFile + ": " + describe(e)
                    + ". The previous state is intact.",
                    "Free disk space or make the directory writable, then run the command again: cem re-reads what is live.");
        }
    }

    @Override
    public Lock lock(String operation, Duration timeout) throws StateException {
        LockInfo info = new LockInfo(UUID.randomUUID().toString(), operation, System.getProperty("user.name", "unknown"),
                hostname(), ProcessHandle.current().pid(), Instant.now(), jobUrl);
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try {
                ensureDirectory();
                writeNew(lockFile, lockJson(info));
                return new FileLock(info);
            } catch (FileAlreadyExistsException e) {
                if (Files.isSymbolicLink(lockFile)) {
                    throw new StateException("The state lock " + lockFile + " is a symbolic link; cem never makes one.",
                            "Find out who made it, delete the link, and run the command again.");
                }
                Optional<LockInfo> holder = currentLock();
                if (Instant.now().isAfter(deadline)) {
                    throw held(holder.orElse(null), timeout);
                }
                sleep(Duration.ofMillis(200));
            } catch (IOException e) {
                throw new StateException("Cannot create the state lock " + lockFile + ": " + describe(e),
                        "Make the state directory writable.");
            }
        }
    }

    @Override
    public void forceUnlock(String id) throws StateException {
        Optional<LockInfo> holder = currentLock();
        if (holder.isEmpty()) {
            throw new StateException("The state is not locked", "Nothing to unlock.");
        }
        if (!holder.get().id().equals(id)) {
            throw new StateException("Lock ID " + id + " does not match the lock held: " + holder.get().describe(),
                    "Run `cem force-unlock " + holder.get().id() + "` if that holder is gone.");
        }
        try {
            Files.deleteIfExists(lockFile);
        } catch (IOException e) {
            throw new StateException("Cannot remove " + lockFile + ": " + describe(e), "Remove the file by hand.");
        }
    }

    @Override
    public Optional<LockInfo> currentLock() throws StateException {
        try {
            JsonNode n = JSON.readTree(OwnerOnly.read(lockFile));
            return Optional.of(new LockInfo(n.path("id").asText(), n.path("operation").asText(), n.path("user").asText(),
                    n.path("hostname").asText(), n.path("pid").asLong(), Instant.parse(n.path("created").asText()),
                    n.hasNonNull("job_url") ? n.get("job_url").asText() : null));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // A lock file cut short by a crash: still a lock, whose holder cannot be told.
            return Optional.of(new LockInfo("unreadable", "unknown", "unknown", "unknown", -1, Instant.EPOCH, null));
        }
    }

    private StateException held(LockInfo holder, Duration waited) {
        if (holder == null) {
            return new StateException("The state lock was released while waiting; try again", "Run the command again.");
        }
        boolean dead = holder.deadHere();
        String message = "State is locked: " + holder.describe()
                + (waited.isZero() ? "" : " (waited " + waited.toSeconds() + "s)");
        if (dead || holder.id().equals("unreadable")) {
            return new StateException(message + ". The process that holds it is no longer running.",
                    "Check that no cem is running on this state, then break the lock with `cem force-unlock "
                            + (holder.id().equals("unreadable") ? "unreadable" : holder.id()) + "`.");
        }
        return new StateException(message, "Wait for it to finish, or pass --lock-timeout=5m to wait longer.");
    }

    @Override
    public DocumentDirectory documents() {
        return documents;
    }

    private final class FileLock implements Lock {
        private final LockInfo info;

        FileLock(LockInfo info) {
            this.info = info;
        }

        @Override
        public LockInfo info() {
            return info;
        }

        @Override
        public void close() {
            try {
                Optional<LockInfo> now = currentLock();
                if (now.isPresent() && now.get().id().equals(info.id())) {
                    Files.deleteIfExists(lockFile);
                }
            } catch (IOException | StateException e) {
                // a lock we cannot remove is reported by the next command, with how to break it
            }
        }
    }

    private void ensureDirectory() throws IOException {
        OwnerOnly.createDirectories(dir);
        Path ignore = dir.resolve(".gitignore");
        if (!Files.exists(ignore, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            OwnerOnly.write(ignore, "# cem's state, locks and lab data: never commit them.\n*\n");
        }
    }

    /** Writes a new file (one left by a crash, or a link, is removed first) owner-only from its creation, and syncs it. */
    private static void writeSynced(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        try (FileChannel ch = OwnerOnly.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
    }

    /**
     * Creates {@code file} with {@code text}, failing with FileAlreadyExistsException when it exists. The content is
     * written to a private temp file first and then hard-linked into place (atomic, and refused when the name exists),
     * so a crash never leaves a lock file without its holder. Where hard links fail (FAT, some network shares) the file
     * is created and written in place; a crash there can leave a lock whose holder reads as "unreadable", which
     * {@code cem force-unlock unreadable} removes.
     */
    private static void writeNew(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            writeSynced(temp, text);
            Files.createLink(file, temp);
            return;
        } catch (FileAlreadyExistsException e) {
            throw e; // the lock is held
        } catch (IOException | UnsupportedOperationException e) {
            // no hard links here (FAT, some network shares): create the file and write it in place below
        } finally {
            Files.deleteIfExists(temp);
        }
        try (FileChannel ch = OwnerOnly.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
    }

    private void syncDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a directory; the rename is still atomic
        }
    }

    private String lockJson(LockInfo info) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", info.id());
        n.put("operation", info.operation());
        n.put("user", info.user());
        n.put("hostname", info.hostname());
        n.put("pid", info.pid());
        n.put("created", info.created().toString());
        if (info.jobUrl() != null) {
            n.put("job_url", info.jobUrl());
        }
        return n.toString();
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void sleep(Duration d) throws StateException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateException("Interrupted while waiting for the state lock", "Run the command again.");
        }
    }
}

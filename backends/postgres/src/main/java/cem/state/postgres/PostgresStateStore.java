package cem.state.postgres;

import cem.state.BackendSpec;
import cem.state.LockInfo;
import cem.state.State;
import cem.state.StateCodec;
import cem.state.StateException;
import cem.state.StateStore;
import cem.state.StateVersion;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * State in PostgreSQL, one state per key: every write is a new version row (history, retention),
 * made by compare-and-swap on the serial under a row lock of the key's head, so a writer working
 * from a stale state is refused even when its lock was broken meanwhile. Locks are
 * session-scoped advisory locks keyed per state — never one lock for all — held on a connection
 * of their own, so that PostgreSQL itself releases the lock of a process that died; a locks table
 * tells who holds what (operation, start, CI job, heartbeat). A state read must agree with its
 * row: the head's serial and lineage (or, for an earlier version, its own row's), which the
 * document itself carries under its checksum, MAC or seal; a body copied in from another state or
 * an older version is refused. Kept documents (an ACME CA's certificates, sealed by the caller) are
 * rows of their own, one per state key and name, replaced in one statement.
 */
public final class PostgresStateStore implements StateStore {

    /** The schema version this code reads and writes; {@code cem init} brings a database to it. */
    static final int SCHEMA_VERSION = 2;
    static final int DEFAULT_KEEP = 100;
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private static final java.sql.Driver DRIVER = new org.postgresql.Driver();

    private final BackendSpec spec;
    private final String schema;
    private final String url;
    private final Properties properties;
    private final int keep;

    PostgresStateStore(BackendSpec spec) {
        this.spec = spec;
        this.schema = spec.settings().path("schema").asText("cem");
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("schema " + schema); // the configuration's schema checks this first
        }
        this.url = spec.settings().path("url").asText();
        this.keep = spec.settings().path("keepVersions").asInt(DEFAULT_KEEP);
        properties = new Properties();
        properties.setProperty("user", spec.settings().path("username").asText(System.getProperty("user.name")));
        if (spec.secrets().containsKey("password")) {
            properties.setProperty("password", spec.secrets().get("password"));
        }
        properties.setProperty("sslmode", spec.settings().path("sslmode").asText("verify-full"));
        if (spec.settings().hasNonNull("sslRootCert")) {
            properties.setProperty("sslrootcert", spec.configDirectory().resolve(spec.settings().get("sslRootCert").asText()).toString());
        }
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("socketTimeout", "120");
        properties.setProperty("ApplicationName", "cem");
    }

    private Connection connect() throws StateException {
        try {
            // The driver itself, not DriverManager: its service lookup depends on the class loader (a shaded jar, a test runner).
            Connection c = DRIVER.connect(url, properties);
            if (c == null) {
                throw new SQLException("not a PostgreSQL URL: " + url);
            }
            return c;
        } catch (SQLException e) {
            throw new StateException("Cannot connect to the state database " + where() + ": " + e.getMessage(),
                    "Check backend.url, the user and its password (the value is not shown), and backend.sslmode/sslRootCert.");
        }
    }

    private String where() {
        return url.replaceAll("[?].*", "") + " (schema " + schema + ", key " + spec.key() + ")";
    }

    @Override
    public String describe() {
        return "postgres " + where();
    }

    private String t(String table) {
        return "\"" + schema + "\"." + table;
    }

    /** Versioned, idempotent migrations: each step runs once, in a transaction, and is recorded. */
    @Override
    public String init() throws StateException {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(hashtextextended('cem-init/" + schema + "', 0))");
                s.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
                s.execute("CREATE TABLE IF NOT EXISTS " + t("cem_migrations") + " (version int PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())");
                int current;
                try (ResultSet r = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + t("cem_migrations"))) {
                    r.next();
                    current = r.getInt(1);
                }
                List<String> done = new ArrayList<>();
                if (current < 1) {
                    s.execute("CREATE TABLE " + t("states") + " (key text NOT NULL, version bigint NOT NULL, serial bigint NOT NULL, "
                            + "lineage text NOT NULL, author text NOT NULL, created timestamptz NOT NULL DEFAULT now(), cem_version text NOT NULL, "
                            + "config_digest text, resources int NOT NULL, body text NOT NULL, PRIMARY KEY (key, version))");
                    s.execute("CREATE TABLE " + t("heads") + " (key text PRIMARY KEY, version bigint NOT NULL, serial bigint NOT NULL, "
                            + "lineage text NOT NULL)");
                    s.execute("CREATE TABLE " + t("locks") + " (key text PRIMARY KEY, id text NOT NULL UNIQUE, operation text NOT NULL, "
                            + "holder text NOT NULL, hostname text NOT NULL, pid bigint NOT NULL, backend_pid int NOT NULL, "
                            + "created timestamptz NOT NULL, heartbeat timestamptz NOT NULL, job_url text)");
                    s.execute("INSERT INTO " + t("cem_migrations") + " (version) VALUES (1)");
                    done.add("1 (states, heads, locks)");
                }
                if (current < 2) {
                    s.execute("CREATE TABLE " + t("documents") + " (key text NOT NULL, name text NOT NULL, body text NOT NULL, "
                            + "author text NOT NULL, updated timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (key, name))");
                    s.execute("INSERT INTO " + t("cem_migrations") + " (version) VALUES (2)");
                    done.add("2 (documents)");
                }
                c.commit();
                return done.isEmpty() ? "The state database " + where() + " is up to date (schema version " + Math.max(current, SCHEMA_VERSION) + ")."
                        : "Initialised the state database " + where() + ": applied migration " + String.join(", ", done) + ".";
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StateException("Cannot initialise the state database " + where() + ": " + e.getMessage(),
                    "The user needs CREATE on the database (or an existing schema it owns).");
        }
    }

    @Override
    public Optional<State> read() throws StateException {
        return readWhere("s.version = h.version", null);
    }

    @Override
    public Optional<State> read(long version) throws StateException {
        return readWhere("s.version = ?", version);
    }

    private Optional<State> readWhere(String condition, Long version) throws StateException {
        String sql = "SELECT s.body, s.serial, s.lineage, h.serial, h.lineage FROM " + t("states") + " s JOIN " + t("heads") + " h ON h.key = s.key WHERE s.key = ? AND " + condition;
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, spec.key());
            if (version != null) {
                s.setLong(2, version);
            }
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                String text = r.getString(1);
                if (spec.encryption() != null) {
                    text = spec.encryption().open(text, cem.state.StateEncryption.Kind.STATE, "The state " + where());
                } else if (cem.state.StateEncryption.isSealed(text)) {
                    throw new StateException("The state " + where() + " is encrypted, and no key is configured.",
                            "Set backend.encryption.key to the secret reference of its key.");
                }
                State state = StateCodec.read(text, spec.integrity());
                long serial = r.getLong(version == null ? 4 : 2);
                String lineage = r.getString(version == null ? 5 : 3);
                if (state.serial() != serial || !state.lineage().equals(lineage)) {
                    throw new StateException("The state " + where() + " is not the one its row names: the row says serial " + serial + " of lineage "
                            + lineage + ", the document holds serial " + state.serial() + " of lineage " + state.lineage()
                            + ". It was copied in from another state or an older version.",
                            "Nothing was read from it. Find out who changed the table; restore the right version (`cem state history` lists them).");
                }
                return Optional.of(state);
            }
        } catch (SQLException e) {
            throw readError(e);
        } catch (StateCodec.CorruptStateException e) {
            throw new StateException("The state " + where() + " in the database is not valid: " + e.getMessage(),
                    e.hint() != null ? e.hint() : "Restore an earlier version: `cem state history` lists them.");
        }
    }

    private StateException readError(SQLException e) {
        if (missingTables(e)) {
            return noTables();
        }
        return new StateException("Cannot read the state from " + where() + ": " + e.getMessage(),
                "Check that the database is reachable and run again.");
    }

    /** undefined_table or invalid_schema_name: {@code cem init} has not run. */
    private static boolean missingTables(SQLException e) {
        return "42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState());
    }

    private StateException noTables() {
        return new StateException("The state database " + where() + " has no cem tables.",
                "Run `cem init` once to create them (schema " + schema + "); it is idempotent.");
    }

    /**
     * Writes the next version, only if the database's head is the state this one follows: same
     * lineage, a lower serial. Old versions beyond {@code keepVersions} are dropped in the same transaction.
     */
    @Override
    public void write(State state) throws StateException {
        String body = StateCodec.write(state, spec.integrity());
        if (spec.encryption() != null) {
            body = spec.encryption().seal(body, cem.state.StateEncryption.Kind.STATE, state.lineage(), state.serial());
        }
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try {
                long version = 1;
                try (PreparedStatement s = c.prepareStatement("SELECT version, serial, lineage FROM " + t("heads") + " WHERE key = ? FOR UPDATE")) {
                    s.setString(1, spec.key());
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next()) {
                            long serial = r.getLong(2);
                            String lineage = r.getString(3);
                            if (!lineage.equals(state.lineage()) || serial >= state.serial()) {
                                c.rollback();
                                throw new StateException("Refused to write state serial " + state.serial() + " to " + where()
                                        + ": the database holds serial " + serial + (lineage.equals(state.lineage()) ? "" : " of another lineage ("
                                        + lineage + ")") + ", written since this run read it.",
                                        "Someone else changed this state (was a lock broken?). Run plan again: it starts from the current state.");
                            }
                            version = r.getLong(1) + 1;
                        }
                    }
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO " + t("states")
                        + " (key, version, serial, lineage, author, cem_version, config_digest, resources, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    s.setString(1, spec.key());
                    s.setLong(2, version);
                    s.setLong(3, state.serial());
                    s.setString(4, state.lineage());
                    s.setString(5, author());
                    s.setString(6, spec.cemVersion());
                    s.setString(7, spec.configDigest());
                    s.setInt(8, state.all().size());
                    s.setString(9, body);
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO " + t("heads") + " (key, version, serial, lineage) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (key) DO UPDATE SET version = excluded.version, serial = excluded.serial, lineage = excluded.lineage")) {
                    s.setString(1, spec.key());
                    s.setLong(2, version);
                    s.setLong(3, state.serial());
                    s.setString(4, state.lineage());
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("DELETE FROM " + t("states") + " WHERE key = ? AND version <= ?")) {
                    s.setString(1, spec.key());
                    s.setLong(2, version - keep);
                    s.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            if (missingTables(e)) {
                throw noTables();
            }
            throw new StateException("Cannot write the state to " + where() + ": " + e.getMessage() + ". The previous version is intact.",
                    "Check the database, then run the command again: cem re-reads what is live.");
        }
    }

    @Override
    public Optional<String> readDocument(String name) throws StateException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT body FROM " + t("documents") + " WHERE key = ? AND name = ?")) {
            s.setString(1, spec.key());
            s.setString(2, StateStore.documentName(name));
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw documentError("read the document " + name, e);
        }
    }

    @Override
    public java.util.List<String> documentNames() throws StateException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT name FROM " + t("documents") + " WHERE key = ? ORDER BY name")) {
            s.setString(1, spec.key());
            java.util.List<String> names = new java.util.ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    names.add(r.getString(1));
                }
            }
            return names;
        } catch (SQLException e) {
            throw documentError("list the documents", e);
        }
    }

    @Override
    public void writeDocument(String name, String text) throws StateException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("INSERT INTO " + t("documents") + " (key, name, body, author) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (key, name) DO UPDATE SET body = excluded.body, author = excluded.author, updated = now()")) {
            s.setString(1, spec.key());
            s.setString(2, StateStore.documentName(name));
            s.setString(3, text);
            s.setString(4, author());
            s.executeUpdate();
        } catch (SQLException e) {
            throw documentError("write the document " + name, e);
        }
    }

    private StateException documentError(String what, SQLException e) {
        if (missingTables(e)) {
            return new StateException("The state database " + where() + " has no table for kept documents (it was set up by an older cem).",
                    "Run `cem init` once to upgrade it (schema " + schema + "); it is idempotent.");
        }
        return new StateException("Cannot " + what + " in " + where() + ": " + e.getMessage(),
                "Check that the database is reachable and run again.");
    }

    @Override
    public List<StateVersion> history() throws StateException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT version, serial, lineage, author, created, cem_version, "
                + "config_digest, resources FROM " + t("states") + " WHERE key = ? ORDER BY version DESC")) {
            s.setString(1, spec.key());
            List<StateVersion> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new StateVersion(r.getLong(1), r.getLong(2), r.getString(3), r.getString(4), r.getTimestamp(5).toInstant(),
                            r.getString(6), r.getString(7), r.getInt(8)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw readError(e);
        }
    }

    /** The advisory lock's key: this schema and this state's key, hashed to a bigint by PostgreSQL. */
    private String lockName() {
        return "cem/" + schema + "/" + spec.key();
    }

    @Override
    public Lock lock(String operation, Duration timeout) throws StateException {
        Connection c = connect(); // the lock lives as long as this session: a dead process's session ends, and its lock with it
        Instant deadline = Instant.now().plus(timeout);
        try {
            while (true) {
                try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
                    s.setString(1, lockName());
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        if (r.getBoolean(1)) {
                            break;
                        }
                    }
                }
                if (!Instant.now().isBefore(deadline)) {
                    Optional<LockInfo> holder = currentLock();
                    c.close();
                    throw new StateException("The state " + where() + " is locked"
                            + holder.map(h -> " by " + h.describe()).orElse(" (its holder left no details)")
                            + (timeout.isZero() ? "." : "; waited " + timeout.toSeconds() + " s."),
                            "Wait for it to finish (--lock-timeout waits), or if its process is gone for good: `cem force-unlock "
                                    + holder.map(LockInfo::id).orElse("ID") + "`.");
                }
                Thread.sleep(250);
            }
            String id = UUID.randomUUID().toString();
            Instant now = Instant.now();
            LockInfo info = new LockInfo(id, operation, System.getProperty("user.name", "unknown"), hostname(), ProcessHandle.current().pid(), now,
                    spec.jobUrl(), spec.key(), now);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + t("locks")
                    + " (key, id, operation, holder, hostname, pid, backend_pid, created, heartbeat, job_url) "
                    + "VALUES (?, ?, ?, ?, ?, ?, pg_backend_pid(), ?, ?, ?) ON CONFLICT (key) DO UPDATE SET id = excluded.id, "
                    + "operation = excluded.operation, holder = excluded.holder, hostname = excluded.hostname, pid = excluded.pid, "
                    + "backend_pid = excluded.backend_pid, created = excluded.created, heartbeat = excluded.heartbeat, job_url = excluded.job_url")) {
                s.setString(1, spec.key());
                s.setString(2, id);
                s.setString(3, operation);
                s.setString(4, info.user());
                s.setString(5, info.hostname());
                s.setLong(6, info.pid());
                s.setTimestamp(7, Timestamp.from(now));
                s.setTimestamp(8, Timestamp.from(now));
                s.setString(9, spec.jobUrl());
                s.executeUpdate();
            }
            return new PgLock(c, info);
        } catch (SQLException e) {
            closeQuietly(c);
            if (missingTables(e)) {
                throw noTables();
            }
            throw new StateException("Cannot lock the state " + where() + ": " + e.getMessage(), "Check the database and run again.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(c);
            throw new StateException("Interrupted while waiting for the state lock of " + where() + ".", "Run again.");
        }
    }

    /** A held lock: its session, and a heartbeat that says the holder is alive. */
    private final class PgLock implements Lock {
        private final Connection session;
        private final LockInfo info;
        private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cem-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });

        PgLock(Connection session, LockInfo info) {
            this.session = session;
            this.info = info;
            heartbeat.scheduleAtFixedRate(this::beat, HEARTBEAT.toSeconds(), HEARTBEAT.toSeconds(), TimeUnit.SECONDS);
        }

        private synchronized void beat() {
            try (PreparedStatement s = session.prepareStatement("UPDATE " + t("locks") + " SET heartbeat = now() WHERE id = ?")) {
                s.setString(1, info.id());
                s.executeUpdate();
            } catch (SQLException e) {
                // the session is gone: so is the advisory lock; the write's compare-and-swap guards the state
            }
        }

        @Override
        public LockInfo info() {
            return info;
        }

        @Override
        public synchronized void close() {
            heartbeat.shutdownNow();
            try (PreparedStatement d = session.prepareStatement("DELETE FROM " + t("locks") + " WHERE id = ?");
                    PreparedStatement u = session.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
                d.setString(1, info.id());
                d.executeUpdate();
                u.setString(1, lockName());
                u.executeQuery().close();
            } catch (SQLException e) {
                // closing the session below releases the advisory lock anyway
            } finally {
                closeQuietly(session);
            }
        }
    }

    @Override
    public void forceUnlock(String id) throws StateException {
        try (Connection c = connect()) {
            Integer backend = null;
            try (PreparedStatement s = c.prepareStatement("SELECT backend_pid FROM " + t("locks") + " WHERE id = ?")) {
                s.setString(1, id);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        backend = r.getInt(1);
                    }
                }
            }
            if (backend == null) {
                throw new StateException("No lock with ID " + id + " in " + where() + ".", "`cem lock list` shows the locks and their IDs.");
            }
            try (PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(?) FROM pg_stat_activity WHERE pid = ?")) {
                s.setInt(1, backend);
                s.setInt(2, backend);
                s.executeQuery().close();
            } catch (SQLException e) {
                throw new StateException("Cannot end the session holding lock " + id + ": " + e.getMessage(),
                        "A database administrator can run SELECT pg_terminate_backend(" + backend + ").");
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM " + t("locks") + " WHERE id = ?")) {
                s.setString(1, id);
                s.executeUpdate();
            }
        } catch (SQLException e) {
            throw new StateException("Cannot break lock " + id + " in " + where() + ": " + e.getMessage(), "Check the database and run again.");
        }
    }

    @Override
    public Optional<LockInfo> currentLock() throws StateException {
        return locks(spec.key()).stream().findFirst();
    }

    /** Every lock of this schema whose holding session is alive (a dead one's advisory lock is gone already). */
    @Override
    public List<LockInfo> locks() throws StateException {
        return locks(null);
    }

    private List<LockInfo> locks(String key) throws StateException {
        String sql = "SELECT l.id, l.operation, l.holder, l.hostname, l.pid, l.created, l.job_url, l.key, l.heartbeat FROM " + t("locks") + " l "
                + "WHERE EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.backend_pid)" + (key == null ? "" : " AND l.key = ?")
                + " ORDER BY l.key";
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            if (key != null) {
                s.setString(1, key);
            }
            List<LockInfo> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new LockInfo(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getLong(5),
                            r.getTimestamp(6).toInstant(), r.getString(7), r.getString(8), r.getTimestamp(9).toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw readError(e);
        }
    }

    private static String author() {
        return System.getProperty("user.name", "unknown") + "@" + hostname();
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the connection is gone: nothing was committed
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // nothing to do
        }
    }
}

package cem.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, on 127.0.0.1 and a free port, its data in a directory of
 * its own (fsync off: tests only), stopped and removed on {@link #close()}. As root the server runs
 * as the {@code postgres} user (initdb refuses root). {@link #unavailable()} says why it cannot
 * run here; tests report that as skipped.
 */
public final class Postgres implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean root;

    private Postgres(Path bin, Path dir, int port, boolean root) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.root = root;
    }

    /** Where PostgreSQL's programs are, or null. */
    static Path bin() {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString)).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** Why a server cannot be started here, or null when it can. */
    public static String unavailable() {
        return bin() == null ? "PostgreSQL is not installed (./run-tests installs it: apt-get install postgresql)" : null;
    }

    /** A started server for a test class, or the class reported as skipped with the reason (JUnit's assumption). */
    public static Postgres startOrSkip() {
        String why = unavailable();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        return start();
    }

    /** Initialises and starts a server; about a second. */
    public static Postgres start() {
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "cem-pg-");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Postgres pg = new Postgres(bin(), dir, port, root);
            if (root) {
                Namespaces.run(List.of("chown", "postgres:postgres", dir.toString()));
            }
            pg.must(List.of(pg.bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres", "-A", "trust",
                    "--no-sync", "-E", "UTF8"));
            pg.startServer();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startServer() {
        must(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-l", dir.resolve("log").toString(), "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100", "start"));
    }

    /** Stops the server at once (a crash, as far as clients can tell). */
    public void stop() {
        must(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-m", "immediate", "stop"));
    }

    /** Starts it again after {@link #stop()}. */
    public void restart() {
        startServer();
    }

    /** The JDBC URL of the database {@code postgres}. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public int port() {
        return port;
    }

    private void must(List<String> command) {
        List<String> line = new ArrayList<>();
        if (root) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(command);
        Namespaces.Result r = Namespaces.run(line);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + r.output());
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (IllegalStateException e) {
            // already stopped
        }
        Namespaces.run(List.of("rm", "-rf", dir.toString()));
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.Postgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart with its state in PostgreSQL: init, apply, history, locks, and migration both ways, through the CLI. */
class PostgresBackendTest {

    static Postgres pg;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        pg = Postgres.startOrSkip();
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private void backend(Path site, String key, String extra) throws IOException {
        Files.writeString(site.resolve("backend.yaml"), """
                version: 1
                backend:
                  type: postgres
                  url: %s
                  username: postgres
                  schema: cli_test
                  key: %s
                %s""".formatted(pg.url(), key, extra));
    }

    private CliRun cem(String... args) {
        return CliRun.run(Map.of(), tmp, args);
    }

    @Test
    @Timeout(300)
    void initApplyHistoryLocksAndMigrationBothWays() throws IOException {
        Path site = CliRun.copyExample(tmp, "quickstart");
        backend(site, "site-a", "");
        CliRun strict = cem("plan", "quickstart");
        assertEquals(1, strict.exitCode());
        assertTrue(strict.err().contains("Cannot connect to the state database"), "TLS is verified by default: " + strict.err());

        backend(site, "site-a", "  sslmode: disable\n");
        CliRun before = cem("plan", "quickstart");
        assertEquals(1, before.exitCode());
        assertTrue(before.err().contains("has no cem tables") && before.err().contains("cem init"), before.err());
        CliRun init = cem("init", "-d", "quickstart");
        assertEquals(0, init.exitCode(), init.err());
        assertTrue(init.out().contains("applied migration 1"), init.out());
        assertTrue(cem("init", "-d", "quickstart").out().contains("up to date"));

        CliRun apply = cem("apply", "--auto-approve", "quickstart");
        assertEquals(0, apply.exitCode(), apply.out() + apply.err());
        assertEquals(0, cem("plan", "--detailed-exitcode", "quickstart").exitCode());
        assertTrue(Files.notExists(site.resolve(".cem/state.json")), "the state lives in the database, not beside the configuration");
        CliRun history = cem("state", "history", "-d", "quickstart");
        assertTrue(history.out().lines().count() > 2, history.out());
        assertTrue(cem("state", "show", "--version", "1", "-d", "quickstart").exitCode() == 0);
        assertEquals("No locks held.", cem("lock", "list", "-d", "quickstart").out().strip());
        String inDatabase = cem("state", "show", "-d", "quickstart").out();

        CliRun toLocal = cem("state", "migrate", "--to-local", "-d", "quickstart");
        assertEquals(0, toLocal.exitCode(), toLocal.err());
        Files.delete(site.resolve("backend.yaml"));
        assertEquals(inDatabase, cem("state", "show", "-d", "quickstart").out(), "local holds exactly what the database held");

        backend(site, "site-b", "  sslmode: disable\n");
        CliRun fromLocal = cem("state", "migrate", "--from-local", "-d", "quickstart");
        assertEquals(0, fromLocal.exitCode(), fromLocal.err());
        assertEquals(inDatabase, cem("state", "show", "-d", "quickstart").out(), "and back, under another key, without loss");
        assertEquals(0, cem("plan", "--detailed-exitcode", "quickstart").exitCode(), "the migrated state plans no changes");
        CliRun again = cem("state", "migrate", "--from-local", "-d", "quickstart");
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("The destination already holds a state"), again.err());
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.AcmeCa;
import cem.testkit.Postgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the key and certificate an ACME CA issued are kept (issue 26, item 3): in a PostgreSQL
 * backend's database, or in a directory the configuration names (backend.documents.directory),
 * sealed with the state's key either way; a named directory that is a link or a file is refused.
 */
class AcmeDocumentsTest {

    @TempDir
    Path tmp;

    /** examples/quickstart-acme with its secret files written (a key for each), its backend block replaced by {@code backend}. */
    private Path site(String backend) throws IOException {
        Path site = CliRun.copyExample(tmp, "quickstart-acme");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        for (String file : new String[] {"state.key", "tsig.secret", "acme-account.pem"}) {
            Files.writeString(site.resolve(file), Base64.getEncoder().encodeToString(key));
        }
        return withBackend(site, backend);
    }

    /** examples/quickstart-acme pointed at the running Pebble and BIND (SavedPlanAcmeTest), its backend block replaced by {@code backend}. */
    private Path site(AcmeCa ca, String backend) throws IOException {
        SavedPlanAcmeTest.prepare(tmp, ca);
        return withBackend(tmp.resolve("quickstart-acme"), backend);
    }

    private static Path withBackend(Path site, String backend) throws IOException {
        edit(site.resolve("estate.yaml"), "backend:\n  type: local\n  encryption:\n    key: ${file:state.key}\n", backend);
        return site;
    }

    /** The local backend, encrypted, its documents in {@code directory}. */
    private static String withDocumentsIn(String directory) {
        return """
                backend:
                  type: local
                  encryption:
                    key: ${file:state.key}
                  documents:
                    directory: %s
                """.formatted(directory);
    }

    /** The environment that allows Pebble's root, which lies outside the configuration's tree. */
    private static Map<String, String> allowing(AcmeCa ca) {
        return Map.of("CEM_ALLOW_PATHS", ca.trustedCaFile().getParent().toString());
    }

    @Test
    @Timeout(400)
    void aPostgresBackendKeepsThemInTheDatabase() throws Exception {
        try (Postgres pg = Postgres.startOrSkip(); AcmeCa ca = AcmeCa.startOrSkip()) {
            Path site = site(ca, """
                    backend:
                      type: postgres
                      url: %s
                      username: postgres
                      sslmode: disable
                      key: site-acme
                      encryption:
                        key: ${file:state.key}
                    """.formatted(pg.url()));
            Map<String, String> env = allowing(ca);
            assertEquals(0, CliRun.run(env, tmp, "init", "-d", "quickstart-acme").exitCode());
            CliRun plan = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart-acme");
            assertEquals(2, plan.exitCode(), plan.err() + plan.out());
            assertTrue(plan.out().contains("will be issued"), plan.out());

            CliRun apply = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart-acme");
            assertEquals(0, apply.exitCode(), apply.err() + apply.out() + ca.logs());
            assertTrue(Files.notExists(site.resolve(".cem/documents")) && Files.notExists(site.resolve(".cem/state.json")),
                    "neither state nor documents beside the configuration");
            try (var c = java.sql.DriverManager.getConnection(pg.url() + "?user=postgres&sslmode=disable");
                    var q = c.prepareStatement("SELECT key, name, body FROM cem.documents")) {
                var r = q.executeQuery();
                assertTrue(r.next());
                assertEquals("site-acme", r.getString(1));
                assertEquals("acme-gateway-cert", r.getString(2));
                assertTrue(r.getString(3).contains("\"encrypted\"") && !r.getString(3).contains("PRIVATE KEY"), "kept sealed");
                assertFalse(r.next());
            }
            CliRun again = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart-acme");
            assertEquals(0, again.exitCode(), "no changes, no new issuance: " + again.out() + again.err());

            // Back to the local backend: the kept certificate goes along with the state, so nothing is issued again.
            CliRun migrate = CliRun.run(env, tmp, "state", "migrate", "--to-local", "-d", "quickstart-acme");
            assertEquals(0, migrate.exitCode(), migrate.err() + migrate.out());
            assertTrue(migrate.out().contains("and 1 kept document(s) [acme-gateway-cert]"), migrate.out());
            String yaml = Files.readString(site.resolve("estate.yaml"));
            Files.writeString(site.resolve("estate.yaml"), yaml.replaceAll("(?s)backend:.*?encryption:", "backend:\n  type: local\n  encryption:"));
            CliRun local = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart-acme");
            assertEquals(0, local.exitCode(), "the migrated certificate serves: " + local.out() + local.err());
        }
    }

    @Test
    @Timeout(400)
    void aDirectoryTheConfigurationNamesTakesThem() throws Exception {
        try (AcmeCa ca = AcmeCa.startOrSkip()) {
            Path site = site(ca, withDocumentsIn("../shared/cem-documents"));
            Map<String, String> env = allowing(ca);
            CliRun apply = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart-acme");
            assertEquals(0, apply.exitCode(), apply.err() + apply.out() + ca.logs());
            Path kept = tmp.resolve("shared/cem-documents/quickstart-acme/acme-gateway-cert.json"); // under the state's key
            assertTrue(Files.readString(kept).contains("\"encrypted\"") && !Files.readString(kept).contains("PRIVATE KEY"), "kept sealed");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));
            assertTrue(Files.exists(site.resolve(".cem/state.json")) && Files.notExists(site.resolve(".cem/documents")), "not beside the state");
            CliRun again = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart-acme");
            assertEquals(0, again.exitCode(), "no changes, no new issuance: " + again.out() + again.err());
        }
    }

    @Test
    void aNamedDirectoryThatIsALinkAFileOrOutsideTheRepositoryIsRefusedWhereItIsWritten() throws Exception {
        Path site = site(withDocumentsIn("DOCS"));
        Path yaml = site.resolve("estate.yaml");
        String text = Files.readString(yaml);
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(site.resolve("linked"), elsewhere);
        Files.writeString(site.resolve("a-file"), "");
        int line = (int) text.substring(0, text.indexOf("DOCS")).lines().count();
        String at = "estate.yaml:" + line + ":16";

        Files.writeString(yaml, text.replace("DOCS", "linked"));
        CliRun link = CliRun.run(Map.of(), tmp, "validate", "quickstart-acme");
        assertEquals(1, link.exitCode(), link.out());
        assertTrue(link.err().contains(at) && link.err().contains("[SEC2120]") && link.err().contains("symbolic link"), link.err());

        Files.writeString(yaml, text.replace("DOCS", "a-file"));
        CliRun file = CliRun.run(Map.of(), tmp, "validate", "quickstart-acme");
        assertEquals(1, file.exitCode(), file.out());
        assertTrue(file.err().contains(at) && file.err().contains("[SEC2121]"), file.err());

        Files.writeString(yaml, text.replace("DOCS", "/"));
        CliRun outside = CliRun.run(Map.of(), tmp, "validate", "quickstart-acme");
        assertEquals(1, outside.exitCode(), outside.out());
        assertTrue(outside.err().contains(at) && outside.err().contains("[SEC2105]") && outside.err().contains("--allow-path /"), outside.err());

        Files.writeString(yaml, text.replace("DOCS", elsewhere.toString()));
        assertEquals(0, CliRun.run(Map.of(), tmp, "validate", "quickstart-acme").exitCode(), "a directory of the repository's tree");
    }

    @Test
    void commandsThatDoNotValidateRefuseANamedDirectoryOutsideTheRepository() throws Exception {
        Path outside = Files.createTempDirectory("cem-outside");
        try {
            Path site = site(withDocumentsIn(outside.toString()));
            Path cem = site.resolve(".cem");
            Files.createDirectories(cem.resolve("documents"));
            Files.writeString(cem.resolve("documents/acme-gateway-cert.json"), "sealed");
            for (String[] args : List.of(new String[] {"state", "migrate", "--from-local", "-d", "quickstart-acme"},
                    new String[] {"init", "-d", "quickstart-acme"})) {
                CliRun run = CliRun.run(Map.of(), tmp, args);
                assertEquals(1, run.exitCode(), String.join(" ", args) + ": " + run.out());
                assertTrue(run.err().contains("estate.yaml:") && run.err().contains("[SEC2105]") && run.err().contains("--allow-path " + outside),
                        run.err());
            }
            try (var files = Files.list(outside)) {
                assertEquals(List.of(), files.toList(), "nothing written outside");
            }
            try (var files = Files.list(cem)) {
                assertEquals(List.of(cem.resolve("documents")), files.toList(), "no state written either");
            }
        } finally {
            try (var files = Files.walk(outside)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertTrue(text.contains(from), from);
        Files.writeString(file, text.replace(from, to));
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import cem.testkit.PowerShellSyntax;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a user gets it: unpacked into a directory whose path has a space, its launcher is run
 * from another directory, and its completion script is sourced by bash.
 */
class ReleaseArchiveIT {

    private static final String VERSION = VersionCommand.version();

    @TempDir
    Path temp;

    @Test
    @Timeout(120)
    void theUnpackedTarballRunsFromAnyDirectory() throws Exception {
        Path install = Files.createDirectories(temp.resolve("Program Files"));
        Path elsewhere = Files.createDirectories(temp.resolve("work"));
        assertEquals(0, run(elsewhere, "tar", "xzf", Path.of("target/cem-" + VERSION + ".tar.gz").toAbsolutePath().toString(),
                "-C", install.toString()).exit);
        Path home = install.resolve("cem-" + VERSION);
        String launcher = home.resolve("bin/cem").toString();
        assertTrue(Files.isExecutable(home.resolve("bin/cem")), "bin/cem keeps its execute bit");

        Result version = run(elsewhere, launcher, "--version");
        assertEquals(0, version.exit, version.out);
        assertTrue(version.out.contains("cem " + VERSION), version.out);

        Result valid = run(elsewhere, launcher, "validate", home.resolve("examples/single-site").toString());
        assertEquals(0, valid.exit, valid.out);
        assertTrue(valid.out.contains("The configuration is valid"), valid.out);
        Result invalid = run(elsewhere, launcher, "validate", home.resolve("examples/invalid/CFG1002-duplicate-key").toString());
        assertEquals(1, invalid.exit, "the launcher passes the exit code through: " + invalid.out);
        assertTrue(invalid.out.contains("CFG1002"), invalid.out);

        Result completion = run(elsewhere, "bash", "-c", "source \"$1\" && complete -p cem", "bash",
                home.resolve("share/completion/cem.bash").toString());
        assertEquals(0, completion.exit, completion.out);
        assertTrue(completion.out.contains("_complete_cem"), completion.out);
        assertTrue(Files.readString(home.resolve("share/completion/cem.bash")).contains("plan"), "the completion lists the commands");
        assertTrue(Files.exists(home.resolve("share/man/cem-plan.1")), "man pages are in share/man");
        assertEquals(Files.readString(Path.of("../docs/resources/internet_gateway.md")),
                Files.readString(home.resolve("docs/resources/internet_gateway.md")), "the reference is in docs/, as the repository has it");
        assertTrue(Files.exists(home.resolve("docs/commands/cem-plan.md")), "with the command pages");
        Result doc = run(elsewhere, launcher, "doc", "internet_gateway");
        assertEquals(0, doc.exit, doc.out);
        assertTrue(doc.out.contains("- type: internet_gateway"), "the jar carries the examples the pages quote: " + doc.out);
        assertTrue(Files.exists(home.resolve("LICENSE")) && Files.exists(home.resolve("CHANGELOG.md")));
        assertTrue(Files.notExists(home.resolve("examples/quickstart/.cem")), "no lab state is shipped");
    }

    @Test
    void theZipCarriesTheWindowsLaunchersWithCrlf() throws IOException {
        try (ZipFile zip = new ZipFile(Path.of("target/cem-" + VERSION + ".zip").toFile())) {
            String prefix = "cem-" + VERSION + "/";
            for (String name : List.of("bin/cem.cmd", "bin/cem.ps1")) {
                ZipEntry entry = zip.getEntry(prefix + name);
                assertTrue(entry != null, name + " is in the zip");
                String text = new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(text.contains("\r\n") && !text.replace("\r\n", "").contains("\n"), name + " has CRLF line endings");
                assertTrue(text.contains("lib\\cem.jar") || text.contains("cem.jar"), name);
            }
            assertTrue(zip.getEntry(prefix + "lib/cem.jar") != null);
        }
    }

    @Test
    void thePowerShellLauncherParses() throws Exception {
        assertEquals(List.of(), PowerShellSyntax.problems(Path.of("src/dist/bin/cem.ps1")));
    }

    private record Result(int exit, String out) {
    }

    private static Result run(Path dir, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(100, TimeUnit.SECONDS), "finished: " + String.join(" ", command));
        return new Result(p.exitValue(), out);
    }
}

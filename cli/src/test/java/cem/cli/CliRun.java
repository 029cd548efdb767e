package cem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** Runs the real command line in-process and keeps what it printed. */
record CliRun(int exitCode, String out, String err) {

    /** The repository root (tests run in the module directory). */
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    static CliRun run(Map<String, String> env, Path cwd, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        SecretScan.secrets(env);
        java.nio.file.attribute.FileTime start = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 2000);
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), env, cwd, args);
        // Everything cem printed and wrote is searched for the test's secrets (issue 12).
        String command = String.join(" ", args);
        SecretScan.text(out.toString(), "the stdout of cem " + command);
        SecretScan.text(err.toString(), "the stderr of cem " + command);
        SecretScan.files(cwd, start, command);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** A copy of examples/NAME and examples/certs in {@code tmp} (so the example's relative paths hold); returns the copy. */
    static Path copyExample(Path tmp, String name) {
        try {
            Path site = java.nio.file.Files.createDirectories(tmp.resolve(name));
            java.nio.file.Files.copy(REPO.resolve("examples").resolve(name).resolve("estate.yaml"), site.resolve("estate.yaml"));
            Path certs = java.nio.file.Files.createDirectories(tmp.resolve("certs"));
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(REPO.resolve("examples/certs"))) {
                for (Path f : files.toList()) {
                    java.nio.file.Files.copy(f, certs.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return site;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CliRun inRepo(String... args) {
        return run(Map.of(), REPO, args);
    }

    JsonNode json() {
        try {
            return new ObjectMapper().readTree(out);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + out + "\nstderr: " + err, e);
        }
    }
}

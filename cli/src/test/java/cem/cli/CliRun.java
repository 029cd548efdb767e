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
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), env, cwd, args);
        return new CliRun(code, out.toString(), err.toString());
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

package cem.cli;

import cem.config.SecretResolver;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What one run of the command sees of the world: its streams, environment and working directory.
 *
 * @param out results (plans, JSON)
 * @param err diagnostics and progress
 * @param env the environment variables
 * @param cwd the working directory; relative paths start here
 * @param terminal whether a person is at a terminal (colour, prompts)
 * @param in standard input, for confirmations
 * @param withoutCredentials whether this run resolves no secret ({@code cem plan --no-credentials})
 */
public record Session(PrintWriter out, PrintWriter err, Map<String, String> env, Path cwd, boolean terminal, InputStream in,
        boolean withoutCredentials) {

    public Session {
        env = Map.copyOf(env);
    }

    public Session(PrintWriter out, PrintWriter err, Map<String, String> env, Path cwd, boolean terminal, InputStream in) {
        this(out, err, env, cwd, terminal, in, false);
    }

    /** This session, resolving no secret. */
    Session withoutCredentials(boolean without) {
        return new Session(out, err, env, cwd, terminal, in, without);
    }

    /** This session with other streams (a site's lines prefixed with its name). */
    Session withStreams(PrintWriter out, PrintWriter err, boolean terminal) {
        return new Session(out, err, env, cwd, terminal, in, withoutCredentials);
    }

    /** Reads the configuration's secret references, within what the user allows; none at all without credentials. */
    SecretResolver secrets() {
        SecretResolver secrets = new SecretResolver(env);
        return withoutCredentials ? secrets.withheld() : secrets;
    }

    public Path resolve(String path) {
        return cwd.resolve(path.replace('\\', '/')).normalize();
    }

    /** A path as users read it: relative to the working directory when it lies below it. */
    public Path shown(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        if (abs.equals(cwd.toAbsolutePath().normalize())) {
            return Path.of("."); // the working directory itself, never an empty name
        }
        return abs.startsWith(cwd) ? cwd.relativize(abs) : abs;
    }
}

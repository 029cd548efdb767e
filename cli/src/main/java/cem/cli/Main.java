package cem.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Entry point. {@link #run} is what tests call in-process; {@code main} only exits with its code. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        quietLibraries(java.util.Arrays.asList(args).contains("--debug"));
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        Session session = new Session(out, err, System.getenv(), Path.of("").toAbsolutePath(),
                System.console() != null, System.in);
        // On Ctrl-C or SIGTERM the JVM runs its shutdown hooks and then exits (130 / 143). This one
        // holds the exit until the command has finished its in-flight work, saved the state and
        // released the lock (apply cancels itself through its own hook).
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long started = System.nanoTime();
            try {
                // At a prompt nothing is in flight: the prompt's own hook releases the locks, and the exit need not wait.
                while (!Confirm.waiting() && !finished.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (System.nanoTime() - started > java.util.concurrent.TimeUnit.MINUTES.toNanos(5)) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cem-exit"));
        int code;
        try {
            code = run(session, args);
        } finally {
            out.flush();
            err.flush();
            finished.countDown();
        }
        System.exit(code);
    }

    /**
     * Libraries (CXF, SAAJ, MINA) log through java.util.logging; users see cem's diagnostics only,
     * and the libraries' warnings with --debug.
     */
    static void quietLibraries(boolean debug) {
        java.util.logging.LogManager.getLogManager().reset();
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(debug ? java.util.logging.Level.WARNING : java.util.logging.Level.OFF);
        if (debug) {
            root.addHandler(new java.util.logging.ConsoleHandler());
        }
    }

    /** Runs one command line against a session (streams, environment, working directory) and returns the exit code. */
    public static int run(Session session, String... args) {
        return new Cli(session).execute(args);
    }

    /** Convenience for tests: no terminal, the given environment and working directory. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, Path cwd, String... args) {
        return run(new Session(out, err, env, cwd, false, java.io.InputStream.nullInputStream()), args);
    }
}

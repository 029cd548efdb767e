package cem.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.spi.CommandResult;
import cem.spi.HostAnswerException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * The hostile-answer harness (issue 24, item 13): valid answers of the lab's hosts, changed by
 * {@link Mutation}s, fed to the parsers of what hosts return. Every try must end in a result or in
 * diagnostics that name the host (or the resource), or in a {@link HostAnswerException} (which the
 * engine turns into such a diagnostic) — never in another exception or error, and within
 * {@link #LIMIT}. Property classes in each module that reads host answers use it.
 */
public final class HostileAnswers {

    /** The time one try may take (a parser that hangs or goes quadratic fails the try). */
    public static final Duration LIMIT = Duration.ofSeconds(10);

    /** Tries run and how they ended, for the report each property class prints. */
    public static final AtomicLong TRIES = new AtomicLong();
    public static final AtomicLong REFUSED = new AtomicLong();

    private HostileAnswers() {}

    /** One to three mutations; large fragments come up less often than small ones. */
    public static Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.of(Mutation.Kind.class), Arbitraries.integers().between(0, 10_000),
                Arbitraries.integers().between(0, 5_000), Arbitraries.integers().between(0, Mutation.FRAGMENTS.size() - 1))
                .as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    /** A command's answer with the mutations applied to its standard output (and, for one kind in six, its exit code). */
    public static CommandResult mutate(CommandResult valid, List<Mutation> mutations) {
        String out = valid.stdout();
        for (Mutation m : mutations) {
            out = m.apply(out);
        }
        int exit = mutations.get(0).pick() % 6 == 5 ? List.of(0, 1, 3, 4, 5, -1, 255).get(mutations.get(0).at() % 7) : valid.exitCode();
        return new CommandResult(exit, out, valid.stderr(), valid.duration());
    }

    /**
     * Runs one try: {@code read} must return diagnostics that name the host or a resource, or throw
     * {@link HostAnswerException}; anything else fails the try, and so do taking longer than {@link #LIMIT}
     * and printing on stderr.
     */
    public static void check(String host, Supplier<Diagnostics> read) {
        TRIES.incrementAndGet();
        String printed = stderrOf(() -> tryOnce(host, read));
        // What a library prints of a host's answer bypasses cem's diagnostics and TerminalText: the host's bytes, raw, on the terminal.
        assertTrue(printed.isEmpty(), "a hostile answer printed on stderr: " + HostAnswerException.excerpt(printed));
    }

    /** What {@code run} printed on stderr (tries run one at a time, so the process's stderr is theirs meanwhile). */
    public static String stderrOf(Runnable run) {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        System.setErr(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setErr(stderr);
        }
        return printed.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void tryOnce(String host, Supplier<Diagnostics> read) {
        assertTimeoutPreemptively(LIMIT, () -> {
            Diagnostics diagnostics;
            try {
                diagnostics = read.get();
            } catch (HostAnswerException e) {
                REFUSED.incrementAndGet();
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a HostAnswerException says what was wrong");
                return;
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                throw new AssertionError("a hostile answer ended in " + e.getClass().getName() + " at " + cemFrames(e), e);
            }
            if (diagnostics.hasErrors()) {
                REFUSED.incrementAndGet();
            }
            for (Diagnostic d : diagnostics) {
                if (d.isError()) {
                    String text = d.summary() + " " + d.detail() + " " + d.hint();
                    assertTrue(d.address() != null || text.contains(host), "a diagnostic without the host's name: " + d);
                }
            }
        });
    }

    /** Where in cem's code an exception was thrown (a StackOverflowError's trace is thousands of frames of one loop). */
    private static String cemFrames(Throwable e) {
        return java.util.Arrays.stream(e.getStackTrace()).filter(f -> f.getClassName().startsWith("cem.") || e instanceof StackOverflowError).limit(8)
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName() + ":" + f.getLineNumber())
                .distinct().toList().toString();
    }

    /** A lab host answering as the transport would hand its answers on (as {@code user}). */
    public static java.util.function.Function<cem.spi.RemoteCommand, CommandResult> lab(cem.lab.HostExecutor host, String user) {
        return c -> {
            cem.lab.Execution e = host.run(user, c.commandLine(), c.stdin());
            return new CommandResult(e.exitCode(), e.stdout(), e.stderr(), Duration.ZERO);
        };
    }

    /** One try: the lab's answers through {@code mutations} for every command, then {@link #check}. */
    public static void tryWith(java.util.function.Function<cem.spi.RemoteCommand, CommandResult> lab, List<Mutation> mutations, String host,
            Supplier<Diagnostics> call) {
        HostileTransportFactory.answerWith(c -> mutate(lab.apply(c), mutations));
        check(host, call);
    }

    /** The line a property class prints after its tries. */
    public static String report(String what) {
        return "hostile answers (" + what + "): " + TRIES.get() + " tries, " + REFUSED.get()
                + " ended in a diagnostic or HostAnswerException, none in another exception";
    }
}

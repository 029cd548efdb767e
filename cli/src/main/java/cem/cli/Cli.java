package cem.cli;

import cem.diag.DiagnosticsException;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** Builds the picocli command tree for a session, with cem's handling of bad input and failures. */
final class Cli {

    private final Session session;

    Cli(Session session) {
        this.session = session;
    }

    int execute(String... args) {
        CommandLine cl = tree(withAllowances(session, args));
        cl.setOut(session.out());
        cl.setErr(session.err());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(this::badUsage);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> failure(e, commandLine));
        return cl.execute(args);
    }

    /** The command tree of a session, its descriptions joined into whole sentences. */
    static CommandLine tree(Session session) {
        CommandLine cl = new CommandLine(new CemCommand(), new CommandFactory(session));
        wholeSentences(cl);
        return cl;
    }

    /** A command and all its subcommands, depth first, without picocli's {@code help}. */
    static java.util.List<CommandLine> commands(CommandLine cmd) {
        java.util.List<CommandLine> out = new java.util.ArrayList<>(java.util.List.of(cmd));
        for (CommandLine sub : cmd.getSubcommands().values()) {
            if (!sub.getCommandName().equals("help")) {
                out.addAll(commands(sub));
            }
        }
        return out;
    }

    /**
     * The session with what {@code --allow-path} and {@code --allow-env} allow added to
     * {@value cem.config.ReadScope#PATHS_VARIABLE} and {@value cem.config.ReadScope#ENV_VARIABLE}, through which every
     * secret resolver of the run reads them (commands hold the session from the start, so the options are read first).
     */
    static Session withAllowances(Session session, String... args) {
        if (java.util.Arrays.stream(args).noneMatch(a -> a.startsWith("--allow-"))) {
            return session;
        }
        CommandLine.ParseResult parsed;
        try {
            parsed = new CommandLine(new CemCommand(), new CommandFactory(session)).parseArgs(args);
        } catch (ParameterException e) {
            return session; // the real parse reports it
        }
        java.util.Map<String, String> env = new java.util.HashMap<>(session.env());
        for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) {
            for (String dir : r.matchedOptionValue("--allow-path", java.util.List.<String>of())) {
                env.merge(cem.config.ReadScope.PATHS_VARIABLE, session.resolve(dir).toString(), (a, b) -> a + java.io.File.pathSeparator + b);
            }
            for (String name : r.matchedOptionValue("--allow-env", java.util.List.<String>of())) {
                env.merge(cem.config.ReadScope.ENV_VARIABLE, name, (a, b) -> a + "," + b);
            }
        }
        return new Session(session.out(), session.err(), env, session.cwd(), session.terminal(), session.in(), session.withoutCredentials());
    }

    /**
     * Joins description lines written as pieces of one sentence, so that picocli wraps whole
     * sentences at the terminal's width instead of breaking a line where the source did ("prints the"
     * / "changes."). A line that ends a sentence (. : ! ? or a closing parenthesis) or is blank ends
     * a paragraph.
     */
    static void wholeSentences(CommandLine cl) {
        var usage = cl.getCommandSpec().usageMessage();
        java.util.List<String> joined = new java.util.ArrayList<>();
        for (String line : usage.description()) {
            int last = joined.size() - 1;
            if (last >= 0 && !joined.get(last).isBlank() && !line.isBlank() && !joined.get(last).strip().matches(".*[.:!?)](%n)?$")) {
                joined.set(last, joined.get(last).stripTrailing() + " " + line.strip());
            } else {
                joined.add(line);
            }
        }
        usage.description(joined.toArray(String[]::new));
        cl.getSubcommands().values().forEach(Cli::wholeSentences);
    }

    private int badUsage(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        var err = session.err();
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String word = unmatched.getUnmatched().get(0);
            boolean option = word.startsWith("-");
            boolean command = !option && !cmd.getSubcommands().isEmpty();
            err.println("Error: " + (option ? "Unknown option " : command ? "Unknown command " : "Unexpected argument ")
                    + "\"" + word + "\"" + (cmd.getParent() == null ? "" : " for `" + cmd.getCommandSpec().qualifiedName() + "`"));
        } else {
            err.println("Error: " + e.getMessage());
        }
        if (e instanceof UnmatchedArgumentException unmatched) {
            var suggestions = unmatched.getSuggestions();
            String word = unmatched.getUnmatched().isEmpty() ? "" : unmatched.getUnmatched().get(0);
            if (!suggestions.isEmpty()) {
                String best = cem.diag.Suggestions.closest(word, suggestions).orElse(suggestions.get(0));
                err.println("  Did you mean \"" + best + "\"?");
            }
        }
        err.println("  Hint: run `" + cmd.getCommandSpec().qualifiedName() + " --help` for usage.");
        return ExitCodes.ERROR;
    }

    private int failure(Exception e, CommandLine commandLine) {
        if (e instanceof DiagnosticsException d) {
            new DiagnosticPrinter(session, false, null).print(d.diagnostics());
            return ExitCodes.ERROR;
        }
        boolean debug = Optional.ofNullable(commandLine.getParseResult())
                .map(p -> hasDebug(p))
                .orElse(false);
        session.err().println("Error: internal error in cem: " + cem.diag.TerminalText.safe(String.valueOf(e))); // its message may quote a host
        session.err().println("  This is a bug in cem, not in your configuration. Please report it with the command you ran.");
        if (debug) {
            e.printStackTrace(session.err());
        } else {
            session.err().println("  Hint: run again with --debug to see the stack trace.");
        }
        return ExitCodes.ERROR;
    }

    private static boolean hasDebug(CommandLine.ParseResult p) {
        for (CommandLine.ParseResult r = p; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** Gives every command the session (picocli instantiates commands). */
    record CommandFactory(Session session) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                var constructor = cls.getDeclaredConstructor(Session.class);
                return constructor.newInstance(session);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}

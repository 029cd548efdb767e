package cem.cli;

import picocli.CommandLine.Option;

/** Options every command takes. */
final class CommonOptions {

    @Option(names = "--no-color", description = "Print without colour (also when NO_COLOR is set or output is not a terminal).")
    boolean noColor;

    @Option(names = "--debug", description = "Show stack traces of internal errors.")
    boolean debug;

    boolean color(Session session) {
        return session.terminal() && !noColor && !session.env().containsKey("NO_COLOR");
    }
}

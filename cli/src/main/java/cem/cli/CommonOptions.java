package cem.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command takes. */
final class CommonOptions {

    @Option(names = "--no-color", description = {"Print without colour (also when NO_COLOR is set, output is not a terminal,",
        "or on a Windows console that is not known to show ANSI colour)."})
    boolean noColor;

    @Option(names = "--debug", description = "Show stack traces of internal errors.")
    boolean debug;

    @Option(names = "--allow-path", paramLabel = "DIR", description = {"Let the configuration read files in DIR besides its own repository",
        "(repeatable; also " + cem.config.ReadScope.PATHS_VARIABLE + ")."})
    java.util.List<String> allowPaths = new java.util.ArrayList<>();

    @Option(names = "--allow-env", paramLabel = "NAME", description = {"Let the configuration read the environment variable NAME (NAME* for a",
        "prefix) besides CEM_* (repeatable; also " + cem.config.ReadScope.ENV_VARIABLE + ")."})
    java.util.List<String> allowEnv = new java.util.ArrayList<>();

    boolean color(Session session) {
        return session.terminal() && !noColor && !session.env().containsKey("NO_COLOR")
                && showsAnsi(System.getProperty("os.name", ""), session.env());
    }

    /**
     * Whether the terminal shows ANSI escapes. On Windows the classic console prints them as garbage unless
     * virtual-terminal mode is on, which a Java program cannot switch on; Windows Terminal, ConEmu/Cmder,
     * VS Code and mintty/MSYS terminals show them, and say so in their environment.
     */
    static boolean showsAnsi(String osName, Map<String, String> env) {
        if (!osName.toLowerCase(Locale.ROOT).startsWith("windows")) {
            return true;
        }
        return env.containsKey("WT_SESSION") || "ON".equalsIgnoreCase(env.get("ConEmuANSI"))
                || env.containsKey("TERM_PROGRAM") || env.containsKey("TERM");
    }
}

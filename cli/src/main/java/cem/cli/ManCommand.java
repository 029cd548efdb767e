package cem.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cem man DIR}: man pages (section 1, troff) for cem and each command, from the command definitions. */
@Command(name = "man", description = "Write man pages for cem and each of its commands into DIR (read one with `man -l DIR/cem-plan.1`).")
final class ManCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "Where to write the pages.")
    String directory;

    ManCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        Path dir = session.resolve(directory);
        Files.createDirectories(dir);
        var commands = Cli.commands(spec.root().commandLine());
        for (CommandLine cmd : commands) {
            write(cmd, dir);
        }
        int pages = commands.size();
        session.out().println("Wrote " + pages + " man pages to " + dir);
        session.out().flush();
        return 0;
    }

    private void write(CommandLine cmd, Path dir) throws IOException {
        String name = cmd.getCommandSpec().qualifiedName("-");
        String first = summary(cmd);
        StringBuilder page = new StringBuilder();
        page.append(".TH ").append(name.toUpperCase(java.util.Locale.ROOT).replace("-", "\\-")).append(" 1 \"")
                .append(LocalDate.now()).append("\" \"cem ").append(VersionCommand.version()).append("\" \"cem manual\"\n");
        page.append(".SH NAME\n").append(name.replace("-", "\\-")).append(" \\- ").append(escape(first)).append('\n');
        page.append(".SH SYNOPSIS AND OPTIONS\n.nf\n").append(escape(cmd.getUsageMessage(CommandLine.Help.Ansi.OFF))).append(".fi\n");
        page.append(".SH SEE ALSO\ncem(1), README.md\n");
        Files.writeString(dir.resolve(name + ".1"), page.toString(), StandardCharsets.UTF_8);
    }

    /** The first line of a command's description: what the command does. */
    static String summary(CommandLine cmd) {
        String[] description = cmd.getCommandSpec().usageMessage().description();
        return description.length > 0 ? description[0].replace("%%", "%").replace("%n", "") : "";
    }

    private static String escape(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String l = line.replace("\\", "\\\\").replace("-", "\\-");
            if (l.startsWith(".") || l.startsWith("'")) {
                l = "\\&" + l;
            }
            b.append(l).append('\n');
        }
        return b.toString();
    }
}

package cem.cli;

import cem.cli.DocPage.Item;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code docs/commands/}: a page per command from picocli's command definitions — the usage that
 * {@code --help} prints and the man pages hold — at a fixed width of 80 columns, so that the pages
 * do not depend on the terminal that generated them.
 */
final class CommandDocs {

    static final int WIDTH = 80;

    private CommandDocs() {}

    /** File name → page, for every command and an index ({@code README.md}). */
    static Map<String, String> pages(CommandLine root) {
        Map<String, String> out = new LinkedHashMap<>();
        var index = new java.util.ArrayList<Item>();
        for (CommandLine cmd : Cli.commands(root)) {
            cmd.getCommandSpec().usageMessage().width(WIDTH);
            String file = cmd.getCommandSpec().qualifiedName("-") + ".md";
            DocPage.Builder page = new DocPage.Builder().heading(1, "`" + cmd.getCommandSpec().qualifiedName() + "`")
                    .para(ManCommand.summary(cmd))
                    .code("text", cmd.getUsageMessage(CommandLine.Help.Ansi.OFF));
            var subcommands = Cli.commands(cmd).stream().filter(c -> c.getParent() == cmd)
                    .map(c -> new Item("[`" + c.getCommandSpec().qualifiedName() + "`](" + c.getCommandSpec().qualifiedName("-") + ".md)",
                            ManCommand.summary(c)))
                    .toList();
            if (!subcommands.isEmpty()) {
                page.heading(2, "Commands").items(false, subcommands);
            }
            out.put(file, page.build().markdown());
            index.add(new Item("[`" + cmd.getCommandSpec().qualifiedName() + "`](" + file + ")", ManCommand.summary(cmd)));
        }
        out.put("README.md", new DocPage.Builder().heading(1, "Commands")
                .para("One page per command, generated from the definitions that `cem COMMAND --help` and the man pages (`cem man DIR`) print.")
                .items(false, index).build().markdown());
        return out;
    }
}

package cem.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Parses PowerShell with tree-sitter's PowerShell grammar ({@code tools/ps-parse}, run by node):
 * every script cem ships or generates must parse without an error. Our scripts target Windows
 * PowerShell 5.1, which has none of the PowerShell 7 syntax the grammar trips on.
 */
public final class PowerShellSyntax {

    private PowerShellSyntax() {}

    /** The problems found (file:line:column: …), empty when every script parses. */
    public static List<String> problems(Path... scripts) throws IOException, InterruptedException {
        Path tool = tool();
        List<String> command = new ArrayList<>(List.of("node", "--liftoff-only", tool.resolve("parse.mjs").toString()));
        for (Path s : scripts) {
            command.add(s.toAbsolutePath().toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("the PowerShell parser did not finish");
        }
        List<String> problems = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank() && !line.endsWith(": ok")) {
                problems.add(line);
            }
        }
        if (p.exitValue() != 0 && problems.isEmpty()) {
            problems.add("parser failed: " + out);
        }
        return problems;
    }

    /** Parses a script held in memory (a generated one). */
    public static List<String> problems(String script) throws IOException, InterruptedException {
        Path file = Files.createTempFile("cem-generated", ".ps1");
        try {
            Files.writeString(file, script, StandardCharsets.UTF_8);
            return problems(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Path tool() throws IOException {
        return tool("parse.mjs");
    }

    /** tools/ps-parse above the working directory, with tree-sitter installed, holding this script. */
    static Path tool(String script) throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path tool = dir.resolve("tools/ps-parse");
            if (Files.exists(tool.resolve(script))) {
                if (!Files.isDirectory(tool.resolve("node_modules/web-tree-sitter"))) {
                    throw new IOException("tree-sitter is not installed in " + tool + ": ./run-tests installs it (npm ci)");
                }
                return tool;
            }
        }
        throw new IOException("tools/ps-parse not found above " + Path.of("").toAbsolutePath());
    }
}

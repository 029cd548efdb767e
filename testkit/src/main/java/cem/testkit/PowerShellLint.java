package cem.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lints PowerShell for Windows PowerShell 5.1 under strict mode with {@code tools/ps-parse/lint.mjs}
 * (tree-sitter's grammar, run by node): unknown commands and parameters, parameter sets, op
 * arguments outside their contract, strict-mode traps, PowerShell 7 syntax, non-ASCII bytes. The
 * rules are listed at the top of lint.mjs.
 */
public final class PowerShellLint {

    private PowerShellLint() {}

    /**
     * The findings ({@code FILE:LINE:COL: RULE-ID: message}, files as absolute paths), empty when none.
     *
     * @param cmdlets the cmdlet metadata (the format of {@code tools/ps-parse/cmdlets.json})
     * @param opsDir the directory of {@code <op>.schema.json} op contracts; null skips the op checks
     * @param scripts the scripts to lint; functions of one count as known commands in the others
     */
    public static List<String> problems(Path cmdlets, Path opsDir, Path... scripts) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", "--liftoff-only", tool().resolve("lint.mjs").toString(),
                "--cmdlets", cmdlets.toAbsolutePath().toString()));
        if (opsDir != null) {
            command.add("--ops");
            command.add(opsDir.toAbsolutePath().toString());
        }
        for (Path s : scripts) {
            command.add(s.toAbsolutePath().toString());
        }
        Path errors = Files.createTempFile("cem-lint", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("the PowerShell linter did not finish");
            }
            if (p.exitValue() > 1) {
                throw new IOException("the PowerShell linter failed (exit " + p.exitValue() + "): " + Files.readString(errors));
            }
            List<String> problems = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    problems.add(line);
                }
            }
            if (p.exitValue() == 1 && problems.isEmpty()) {
                problems.add("linter failed: " + Files.readString(errors));
            }
            return problems;
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static Path tool() throws IOException {
        return PowerShellSyntax.tool("lint.mjs");
    }
}

package cem.lab;

/**
 * What a simulated host answers to one command.
 *
 * @param exitCode the exit code
 * @param stdout standard output
 * @param stderr standard error
 */
public record Execution(int exitCode, String stdout, String stderr) {

    public static Execution ok(String stdout) {
        return new Execution(0, stdout, "");
    }

    public static Execution error(int code, String stderr) {
        return new Execution(code, "", stderr);
    }
}

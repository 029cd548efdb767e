package cem.lab;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A simulated Windows host, as far as the transports need one: {@code hostname}, {@code whoami},
 * {@code echo}, and PowerShell scripts read from standard input. The lab never interprets
 * arbitrary PowerShell: it recognises cem's own scripts and answers anything else with
 * PowerShell's "is not recognized" error. Until the providers' agent lands, the one script it
 * knows is the transport self-test, whose first line is {@value #SELF_TEST}: it answers with the
 * SHA-256 of the script it received, so a round trip of any size can be checked end to end.
 */
public class WindowsHost implements HostExecutor {

    public static final String SELF_TEST = "# cem-lab: sha256";
    static final String POWERSHELL_STDIN = "powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command -";

    private final String name;

    public WindowsHost(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    @Override
    public Execution run(String user, String commandLine, byte[] stdin) {
        String line = commandLine.trim();
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.equals("hostname")) {
            return Execution.ok(name.toUpperCase(Locale.ROOT) + "\r\n");
        }
        if (lower.equals("whoami")) {
            return Execution.ok(name.toLowerCase(Locale.ROOT) + "\\" + user + "\r\n");
        }
        if (lower.startsWith("echo ")) {
            return Execution.ok(line.substring(5) + "\r\n");
        }
        if (line.equals(POWERSHELL_STDIN)) {
            return powershell(new String(stdin, StandardCharsets.UTF_8));
        }
        String program = line.split("\\s+", 2)[0];
        return Execution.error(1, "'" + program + "' is not recognized as an internal or external command,\r\n"
                + "operable program or batch file.\r\n");
    }

    /** Runs one of cem's scripts. */
    public Execution powershell(String script) {
        if (script.startsWith(SELF_TEST)) {
            return Execution.ok(sha256(script.getBytes(StandardCharsets.UTF_8)) + "\r\n");
        }
        String first = script.strip().split("\\s+", 2)[0];
        return Execution.error(1, first + " : The term '" + first + "' is not recognized as the name of a cmdlet, function, "
                + "script file, or operable program. Check the spelling of the name, or if a path was included, verify that "
                + "the path is correct and try again.\r\n");
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

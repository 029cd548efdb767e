package cem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.CommandShell;
import cem.lab.Execution;
import cem.lab.WindowsHost;
import cem.testkit.PowerShellSyntax;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The bootstrap removes, besides its own upload, the cem-ID.b64 files an interrupted run left in
 * %TEMP% more than an hour ago, and never a link, a younger upload (another run's, in progress) or
 * another program's file. The lab's %TEMP% (CommandShell) does so only when the bootstrap it receives
 * carries that clean-up, so this checks the script cem sends, as sent.
 */
class BootstrapCleanupTest {

    private static final String OWN = "0123456789abcdef0123456789abcdef";
    private static final String STALE = "cem-" + "a".repeat(32) + ".b64";
    private static final String STALE_LINK = "cem-" + "b".repeat(32) + ".b64";
    private static final String RUNNING = "cem-" + "c".repeat(32) + ".b64";
    private static final String OTHERS = "cem-notes.b64";

    @Test
    void staleUploadsGoLinksYoungUploadsAndOtherFilesStay() throws Exception {
        CommandShell shell = CommandShell.on(new WindowsHost("ig1")).open();
        Instant now = Instant.now();
        shell.plant(STALE, now.minus(Duration.ofHours(3)), false);
        shell.plant(STALE_LINK, now.minus(Duration.ofHours(3)), true);
        shell.plant(RUNNING, now.minus(Duration.ofMinutes(5)), false);
        shell.plant(OTHERS, now.minus(Duration.ofDays(2)), false);
        String script = WindowsHost.SELF_TEST + "\nexit 0\n";
        byte[] bytes = script.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(bytes);
        }
        assertEquals(0, shell.run("cem", ">>%TEMP%\\cem-" + OWN + ".b64 echo " + Base64.getEncoder().encodeToString(gz.toByteArray())).exitCode());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        String bootstrap = Bootstrap.script(OWN, sha);
        Execution ran = shell.run("cem", "powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
                + Base64.getEncoder().encodeToString(bootstrap.getBytes(StandardCharsets.UTF_16LE)));
        assertEquals(0, ran.exitCode(), ran.stderr());
        assertEquals(sha, ran.stdout().trim(), "the upload itself ran");
        assertEquals(Set.of(STALE_LINK, RUNNING, OTHERS), shell.tempNames());
    }

    @Test
    void theSentBootstrapParsesFitsTheCommandLineAndKeepsTheCleanUp() throws Exception {
        String sent = Bootstrap.script(OWN, "ab".repeat(32));
        assertEquals(List.of(), PowerShellSyntax.problems(sent));
        assertTrue(sent.lines().noneMatch(l -> l.strip().startsWith("#")), "comment lines are not sent");
        assertTrue(sent.contains("Remove-Item -LiteralPath $stale") && sent.contains("ReparsePoint") && sent.contains("AddHours(-1)"), sent);
        String commandLine = "powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
                + Base64.getEncoder().encodeToString(sent.getBytes(StandardCharsets.UTF_16LE));
        assertTrue(commandLine.length() <= WinRmTransport.MAX_COMMAND_LINE, "one command line: " + commandLine.length());
        assertTrue(Bootstrap.template().chars().allMatch(c -> c < 128), "ASCII only");
    }
}

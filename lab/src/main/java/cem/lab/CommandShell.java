package cem.lab;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A WinRM shell on a simulated host, doing what cmd.exe does with the command lines cem sends:
 * appending an upload chunk to a file in %TEMP% ({@code >>%TEMP%\cem-ID.b64 echo CHUNK}), and
 * running the PowerShell bootstrap ({@code powershell … -EncodedCommand …}) that decodes the
 * uploaded script, checks its SHA-256 and runs it, removing the file whatever happens. Any other
 * command line goes to the host as it is.
 */
public final class CommandShell {

    private static final Pattern CHUNK = Pattern.compile("^>>%TEMP%\\\\cem-([0-9a-f]{32})\\.b64 echo ([A-Za-z0-9+/=]+)$");
    private static final Pattern ENCODED = Pattern.compile(
            "^powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ([A-Za-z0-9+/=]+)$");
    /** What the lab reads from cem's bootstrap: the upload's id and the script's expected SHA-256. */
    private static final Pattern BOOTSTRAP = Pattern.compile(
            "\\$id = '([0-9a-f]{32})'; \\$expected = '([0-9a-f]{64})';");
    /** The bootstrap's clean-up of stale uploads, as the lab recognises it (its three deciding lines). */
    private static final Pattern CLEANUP = Pattern.compile("\\$cutoff = \\[DateTime\\]::UtcNow\\.AddHours\\(-1\\)\\s+"
            + "foreach \\(\\$stale in \\[IO\\.Directory\\]::GetFiles\\(\\$env:TEMP, 'cem-\\*\\.b64'\\)\\) \\{[\\s\\S]*?"
            + "if \\(\\$info\\.Name -match '\\^cem-\\[0-9a-f\\]\\{32\\}\\\\\\.b64\\$' -and \\(\\$info\\.Attributes -band "
            + "\\[IO\\.FileAttributes\\]::ReparsePoint\\) -eq 0 -and \\$info\\.LastWriteTimeUtc -lt \\$cutoff\\) \\{\\s+"
            + "Remove-Item -LiteralPath \\$stale");
    private static final Pattern UPLOAD_NAME = Pattern.compile("cem-[0-9a-f]{32}\\.b64");

    /** Opens a shell on a host (the host's %TEMP% is shared by its shells). */
    public interface Factory {
        CommandShell open();
    }

    private final WindowsHost host;
    private final Map<String, TempFile> temp;

    /** A file in %TEMP%, by name: its content, when it was last written, and whether it is a link (a reparse point). */
    private record TempFile(StringBuilder content, java.time.Instant written, boolean link) {}

    private CommandShell(WindowsHost host, Map<String, TempFile> temp) {
        this.host = host;
        this.temp = temp;
    }

    /** A factory whose shells share one %TEMP% for the host. */
    public static Factory on(WindowsHost host) {
        Map<String, TempFile> temp = new ConcurrentHashMap<>();
        return () -> new CommandShell(host, temp);
    }

    /** Puts a file into this host's %TEMP% as an earlier run could have left it: last written at {@code written}, a link or not. */
    public void plant(String name, java.time.Instant written, boolean link) {
        temp.put(name, new TempFile(new StringBuilder(), written, link));
    }

    /** The names of the files in this host's %TEMP% now. */
    public java.util.Set<String> tempNames() {
        return new java.util.TreeSet<>(temp.keySet());
    }

    /** Whether a WinRM command line has one of the two forms cem's transport sends: a chunk of an upload, or the encoded bootstrap. */
    public static boolean transportForm(String commandLine) {
        return CHUNK.matcher(commandLine).matches() || ENCODED.matcher(commandLine).matches();
    }

    public int tempFiles() {
        return temp.size();
    }

    public Execution run(String user, String commandLine) {
        host.record("command", commandLine);
        Matcher chunk = CHUNK.matcher(commandLine);
        if (chunk.matches()) {
            String name = "cem-" + chunk.group(1) + ".b64";
            TempFile before = temp.get(name);
            StringBuilder content = before == null ? new StringBuilder() : before.content();
            temp.put(name, new TempFile(content.append(chunk.group(2)).append("\r\n"), java.time.Instant.now(), false));
            return Execution.ok("");
        }
        Matcher encoded = ENCODED.matcher(commandLine);
        if (encoded.matches()) {
            String bootstrap = new String(Base64.getDecoder().decode(encoded.group(1)), StandardCharsets.UTF_16LE);
            Matcher b = BOOTSTRAP.matcher(bootstrap);
            if (!b.find()) {
                return host.powershell(bootstrap);
            }
            TempFile uploaded = temp.remove("cem-" + b.group(1) + ".b64");
            if (CLEANUP.matcher(bootstrap).find()) {
                removeStale();
            }
            StringBuilder file = uploaded == null ? null : uploaded.content();
            if (file == null) {
                return Execution.error(1, "cem: the uploaded script is missing from %TEMP%\r\n");
            }
            String script;
            try {
                byte[] gz = Base64.getDecoder().decode(file.toString().replace("\r\n", ""));
                script = new String(gunzip(gz), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException | IOException e) {
                return Execution.error(1, "cem: the uploaded script cannot be decoded\r\n");
            }
            if (!WindowsHost.sha256(script.getBytes(StandardCharsets.UTF_8)).equals(b.group(2))) {
                return Execution.error(1, "cem: the uploaded script's SHA-256 does not match; it was not run\r\n");
            }
            return host.powershell(script);
        }
        return host.run(user, commandLine, new byte[0]);
    }

    /** What the bootstrap's clean-up does: removes cem-ID.b64 files last written over an hour ago, skipping links. */
    private void removeStale() {
        java.time.Instant cutoff = java.time.Instant.now().minus(java.time.Duration.ofHours(1));
        temp.entrySet().removeIf(e -> UPLOAD_NAME.matcher(e.getKey()).matches() && !e.getValue().link()
                && e.getValue().written().isBefore(cutoff));
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

}

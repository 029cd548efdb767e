package cem.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The small PowerShell script (resource {@code bootstrap.ps1}) that runs an uploaded script: it
 * reads %TEMP%\cem-ID.b64, decodes and gunzips it, refuses it unless its SHA-256 is the expected
 * one, runs it, and removes the file in {@code finally}. Only the upload id (32 hex digits) and the
 * hash (64 hex digits) are filled in, both made by cem and checked here: no user value. It also
 * removes the {@code cem-*.b64} files an interrupted upload left in %TEMP% more than an hour ago
 * (never following a link). Its comment lines, which name the documentation of each call, are left
 * out of the command line: they would only take room under cmd.exe's 8,191 characters.
 */
final class Bootstrap {

    private static final String TEMPLATE = load();
    private static final String SENT = withoutCommentLines(TEMPLATE);

    private Bootstrap() {}

    static String script(String id, String sha256) {
        if (!id.matches("[0-9a-f]{32}") || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("bad upload id or hash");
        }
        return SENT.replace("__ID__", id).replace("__SHA256__", sha256);
    }

    /** The script without its whole-line comments (the bootstrap has no here-strings, where '#' could start a line). */
    static String withoutCommentLines(String script) {
        StringBuilder out = new StringBuilder(script.length());
        for (String line : script.split("\n", -1)) {
            if (!line.strip().startsWith("#")) {
                out.append(line).append('\n');
            }
        }
        return out.substring(0, out.length() - 1);
    }

    static String template() {
        return TEMPLATE;
    }

    private static String load() {
        try (InputStream in = Bootstrap.class.getResourceAsStream("bootstrap.ps1")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package cem.windows;

import cem.spi.CommandResult;
import cem.spi.Transport;
import cem.spi.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** What cem leaves on a Windows host (its agent under %ProgramData%\cem), and removing it. */
public final class AgentFiles {

    private static final String REMOVE = load();

    private AgentFiles() {}

    /** Deletes %ProgramData%\cem on the host; true when there was something to delete. */
    public static boolean remove(Transport transport) throws TransportException {
        CommandResult r = transport.powershell(REMOVE, Duration.ofMinutes(2));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("removing %ProgramData%\\cem failed: " + r.stderr().trim());
        }
        return r.stdout().trim().equals("removed");
    }

    static String script() {
        return REMOVE;
    }

    private static String load() {
        try (InputStream in = AgentFiles.class.getResourceAsStream("remove.ps1")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package cem.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code cem version}: the version and the Java it runs on. */
@Command(name = "version", description = "Show cem's version.")
final class VersionCommand implements Runnable {

    private final Session session;

    VersionCommand(Session session) {
        this.session = session;
    }

    @Override
    public void run() {
        for (String line : new Provider().getVersion()) {
            session.out().println(line);
        }
    }

    static String version() {
        Properties p = new Properties();
        try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    /** Feeds {@code cem --version}. */
    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "cem " + version(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
            };
        }
    }
}

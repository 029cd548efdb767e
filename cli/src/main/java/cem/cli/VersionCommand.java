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
        return build().getProperty("version", "unknown");
    }

    /** Where this build came from: "commit 1e49bf7 of 2026-11-27T06:40:17Z", "modified" when built from uncommitted changes. */
    static String source() {
        Properties p = build();
        String commit = p.getProperty("commit", "");
        if (commit.isEmpty() || commit.startsWith("${")) {
            return "built outside git";
        }
        return "commit " + commit + " of " + p.getProperty("commit.time", "?")
                + ("true".equals(p.getProperty("dirty")) ? ", with uncommitted changes" : "");
    }

    private static Properties build() {
        Properties p = new Properties();
        try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // an unreadable jar: every field reads as unknown
        }
        return p;
    }

    /** Feeds {@code cem --version}. */
    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "cem " + version(),
                "Build: " + source(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
            };
        }
    }
}

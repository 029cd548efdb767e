package cem.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The secret scanner of the test suite (issue 12): every command a test runs through
 * {@link CliRun} has its stdout and stderr, and every file it wrote or changed (state, saved
 * plans, JSON, Markdown, rendered sites, lab host state, logs), searched for the secrets the test
 * gave it — environment values of secret-like names, the example certificates' password, the
 * lab's generated password. A hit fails the test at once. Totals are kept in
 * {@code target/secret-scan.txt}.
 */
final class SecretScan {

    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static final AtomicLong FILES = new AtomicLong();
    private static final AtomicLong BYTES = new AtomicLong();
    private static final AtomicLong COMMANDS = new AtomicLong();
    private static final long MAX_FILE = 8L * 1024 * 1024;

    static {
        for (String f : new String[] {"example.pass", "wrong.pass"}) {
            try {
                secret(Files.readString(CliRun.REPO.resolve("examples/certs").resolve(f)).trim());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private SecretScan() {}

    /** A value that must never be printed or written; too short a value would match by chance and is ignored. */
    static void secret(String value) {
        if (value != null && value.length() >= 6) {
            SECRETS.add(value);
        }
    }

    /** Environment values whose names say they are secrets. */
    static void secrets(Map<String, String> env) {
        env.forEach((k, v) -> {
            String key = k.toUpperCase(java.util.Locale.ROOT);
            if (key.contains("PASSWORD") || key.contains("KEY") || key.contains("SECRET") || key.contains("TOKEN")) {
                secret(v);
            }
        });
    }

    static void text(String text, String where) {
        BYTES.addAndGet(text.length());
        for (String s : SECRETS) {
            if (text.contains(s)) {
                throw new AssertionError("secret scan: a test secret (" + s.substring(0, 2) + "…, " + s.length() + " characters) appears in "
                        + where);
            }
        }
    }

    /** Every file under {@code dir} changed since {@code since} (build output and version control aside). */
    static void files(Path dir, FileTime since, String command) {
        COMMANDS.incrementAndGet();
        cem.lab.Lab.passwords().forEach(SecretScan::secret);
        try {
            // Build output, version control and node_modules are never entered: cem writes none of them.
            Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) {
                    String name = d.getFileName() == null ? "" : d.getFileName().toString();
                    return name.equals("target") || name.equals(".git") || name.equals("node_modules")
                            ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes a) throws IOException {
                    if (scanned(p) && a.lastModifiedTime().compareTo(since) >= 0 && a.size() <= MAX_FILE) {
                        FILES.incrementAndGet();
                        text(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1), p + " (written by cem " + command + ")");
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path p, IOException e) {
                    return java.nio.file.FileVisitResult.CONTINUE; // removed while walking (a lab shutting down): nothing to scan
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // the directory went away while walking: nothing to scan there
        }
        report();
    }

    private static boolean scanned(Path p) {
        String name = p.getFileName().toString();
        return !name.endsWith(".pfx") && !name.endsWith(".pass") && !name.endsWith(".p12") && !name.endsWith(".jar") && !name.equals(".password");
    }

    private static synchronized void report() {
        try {
            Path target = CliRun.REPO.resolve("cli/target");
            if (Files.isDirectory(target)) {
                Files.writeString(target.resolve("secret-scan.txt"), "commands " + COMMANDS.get() + "\nfiles " + FILES.get() + "\nbytes "
                        + BYTES.get() + "\nsecrets " + SECRETS.size() + "\noccurrences 0\n");
            }
        } catch (IOException e) {
            // the report is a convenience; the scan itself has run
        }
    }
}

package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Result;
import cem.diag.Severity;
import cem.diag.SourceRange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the value behind a {@link SecretRef}. A missing variable or file is a diagnostic at the
 * place that names it; the value itself never enters a diagnostic.
 */
public final class SecretResolver {

    private static final long MAX_SECRET_FILE = 64 * 1024;

    private final Map<String, String> environment;

    /** @param environment the process environment (tests pass their own) */
    public SecretResolver(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** This resolver with more variables, held in memory only (what cem itself produced, such as an issued key). */
    public SecretResolver with(Map<String, String> variables) {
        Map<String, String> all = new java.util.HashMap<>(environment);
        all.putAll(variables);
        return new SecretResolver(all);
    }

    private static String notNeededYet(Severity severity) {
        return severity == Severity.WARNING
                ? " Validation does not connect to hosts, so this is a warning here; plan and apply need the value."
                : "";
    }

    /**
     * @param ref the reference as written
     * @param baseDirectory where {@code ${file:…}} paths are resolved from
     * @param at where the reference is written
     * @param severity how bad a missing secret is where it is needed
     */
    public Result<String> resolve(String ref, Path baseDirectory, SourceRange at, Severity severity) {
        SecretRef parsed = SecretRef.parse(ref).orElse(null);
        if (parsed == null) {
            return Result.failed(Diagnostic.error(ConfigCodes.LITERAL_SECRET, "Secret written as a literal",
                    "This field is sensitive: its value must be a reference.",
                    "Write ${env:NAME} or ${file:path}.", at));
        }
        if (parsed.kind() == SecretRef.Kind.ENV) {
            String value = environment.get(parsed.target());
            if (value == null) {
                return Result.failed(new Diagnostic(severity, ConfigCodes.MISSING_ENV,
                        "Environment variable " + parsed.target() + " is not set",
                        "The secret " + parsed + " is read from this variable." + notNeededYet(severity),
                        "Set it before running cem, e.g. `export " + parsed.target() + "=…` (read it from your vault; never commit it).",
                        at, null));
            }
            return Result.of(value);
        }
        Path file = baseDirectory.resolve(parsed.target()).normalize();
        try {
            if (!Files.isRegularFile(file)) {
                return Result.failed(new Diagnostic(severity, ConfigCodes.MISSING_SECRET_FILE,
                        "Secret file " + parsed.target() + " does not exist",
                        "The secret " + parsed + " is read from " + file + "." + notNeededYet(severity),
                        "Create the file (readable only by you), or fix the path; it is relative to the YAML file.",
                        at, null));
            }
            if (Files.size(file) > MAX_SECRET_FILE) {
                return Result.failed(new Diagnostic(severity, ConfigCodes.MISSING_SECRET_FILE,
                        "Secret file " + parsed.target() + " is too large",
                        "A secret file holds one value; this one has more than " + MAX_SECRET_FILE / 1024 + " KiB.",
                        "Point the reference at a file that holds only the secret.", at, null));
            }
            String value = Files.readString(file, StandardCharsets.UTF_8);
            return Result.of(value.endsWith("\r\n") ? value.substring(0, value.length() - 2)
                    : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value);
        } catch (IOException e) {
            return Result.failed(new Diagnostic(severity, ConfigCodes.MISSING_SECRET_FILE,
                    "Secret file " + parsed.target() + " cannot be read", e.getClass().getSimpleName(),
                    "Check the file's permissions.", at, null));
        }
    }
}

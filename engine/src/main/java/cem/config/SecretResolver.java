package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Result;
import cem.diag.Severity;
import cem.diag.SourceRange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the value behind a {@link SecretRef}, within what the user allows ({@link ReadScope}). A
 * missing or refused variable or file is a diagnostic at the place that names it; the value itself
 * never enters a diagnostic. A resolver that {@linkplain #withheld() withholds} reads no secret at all.
 */
public final class SecretResolver {

    private static final int MAX_SECRET_FILE = 64 * 1024;

    private final Map<String, String> environment;
    private final ReadScope scope;
    private final boolean withheld;

    /** @param environment the process environment (tests pass their own); it also says the {@link ReadScope} */
    public SecretResolver(Map<String, String> environment) {
        this(Map.copyOf(environment), ReadScope.of(environment), false);
    }

    private SecretResolver(Map<String, String> environment, ReadScope scope, boolean withheld) {
        this.environment = environment;
        this.scope = scope;
        this.withheld = withheld;
    }

    /** A resolver that reads no secret ({@code cem plan --no-credentials}): every reference is a diagnostic. */
    public SecretResolver withheld() {
        return new SecretResolver(environment, scope, true);
    }

    /** Whether this resolver reads no secret. */
    public boolean withholds() {
        return withheld;
    }

    /** What configurations may read where this resolver runs. */
    public ReadScope scope() {
        return scope;
    }

    /** This resolver with more variables, held in memory only (what cem itself produced, such as an issued key). */
    public SecretResolver with(Map<String, String> variables) {
        Map<String, String> all = new java.util.HashMap<>(environment);
        all.putAll(variables);
        return new SecretResolver(Map.copyOf(all), scope, withheld); // the scope and --no-credentials hold for them too
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
        if (withheld) {
            return Result.failed(Diagnostic.error(ConfigCodes.SECRET_WITHHELD, "Secret " + parsed + " not read: running without credentials",
                    "With --no-credentials cem resolves no secret reference, so a change to the configuration cannot send one anywhere.",
                    "Run this in a job that holds the configuration's credentials, without --no-credentials.", at));
        }
        if (parsed.kind() == SecretRef.Kind.ENV) {
            if (!scope.envAllowed(parsed.target())) {
                return Result.failed(ReadScope.envRefused(parsed.target(), at));
            }
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
        Result<Path> confined = scope.file(parsed.target(), baseDirectory, at);
        if (confined.value() == null) {
            return new Result<>(null, confined.diagnostics());
        }
        Path file = confined.value();
        if (!Files.isRegularFile(file)) {
            return Result.failed(new Diagnostic(severity, ConfigCodes.MISSING_SECRET_FILE,
                    "Secret file " + parsed.target() + " does not exist",
                    "The secret " + parsed + " is read from " + file + "." + notNeededYet(severity),
                    "Create the file (readable only by you), or fix the path; it is relative to the YAML file.",
                    at, null));
        }
        try (InputStream in = Files.newInputStream(file)) {
            // Read up to the limit whatever size the file reports (a kernel file reports 0).
            byte[] bytes = in.readNBytes(MAX_SECRET_FILE + 1);
            if (bytes.length > MAX_SECRET_FILE) {
                return Result.failed(new Diagnostic(severity, ConfigCodes.MISSING_SECRET_FILE,
                        "Secret file " + parsed.target() + " is too large",
                        "A secret file holds one value; this one has more than " + MAX_SECRET_FILE / 1024 + " KiB.",
                        "Point the reference at a file that holds only the secret.", at, null));
            }
            String value = new String(bytes, StandardCharsets.UTF_8);
            return Result.of(value.endsWith("\r\n") ? value.substring(0, value.length() - 2)
                    : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value);
        } catch (IOException e) {
            return Result.failed(new Diagnostic(severity, ConfigCodes.MISSING_SECRET_FILE,
                    "Secret file " + parsed.target() + " cannot be read", e.getClass().getSimpleName(),
                    "Check the file's permissions.", at, null));
        }
    }
}

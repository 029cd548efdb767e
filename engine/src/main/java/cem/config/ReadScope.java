package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Result;
import cem.diag.Severity;
import cem.diag.SourceRange;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a configuration may read on the machine that runs cem, as its user (never its YAML) allows:
 * files below the configuration's root or a directory named in {@value #PATHS_VARIABLE}
 * ({@code --allow-path}), and environment variables named {@code CEM_*} or in
 * {@value #ENV_VARIABLE} ({@code --allow-env}). A pull request can change the YAML, not these.
 *
 * <p>The root is the repository that holds the configuration (the nearest enclosing directory
 * with {@code .git}); without one, a fleet's root for its sites (the directory of
 * {@code sites.yaml}), else the configuration directory's parent, so that {@code ../certs} of a
 * configuration and {@code ../../certs} of a fleet's site still work. Links are resolved first.
 *
 * @param allowedRoots directories the user allows besides the configuration's root
 * @param allowedEnv variable names the user allows besides {@code CEM_*}; {@code NAME*} allows a prefix
 */
public record ReadScope(List<Path> allowedRoots, Set<String> allowedEnv) {

    /** Directories (separated by the platform's path separator) a configuration may read besides its own root. */
    public static final String PATHS_VARIABLE = "CEM_ALLOW_PATHS";
    /** Variable names (comma-separated; NAME* for a prefix) a configuration may read besides CEM_*. */
    public static final String ENV_VARIABLE = "CEM_ALLOW_ENV";
    /** Always readable: cem's own variables, as Terraform reads only TF_VAR_* into a configuration. */
    public static final String DEFAULT_ENV_PREFIX = "CEM_";
    /** Where kept documents go instead of the state backend: a directory cem writes in, confined as the files it reads. */
    public static final String DOCUMENTS_DIRECTORY = "/backend/documents/directory";
    /** The fleet inventory ({@code cem.sites.Inventory.FILE}): its directory is the root of the fleet's sites. */
    private static final String FLEET_FILE = "sites.yaml";
    /** Kernel file systems whose "regular" files are views of processes and devices ({@code /proc/self/environ}). */
    private static final Set<String> PSEUDO_FILE_SYSTEMS = Set.of("proc", "sysfs", "devtmpfs", "debugfs", "securityfs", "efivarfs");

    public ReadScope {
        allowedRoots = List.copyOf(allowedRoots);
        allowedEnv = Set.copyOf(allowedEnv);
    }

    /** The scope the user set in the environment ({@value #PATHS_VARIABLE}, {@value #ENV_VARIABLE}). */
    public static ReadScope of(Map<String, String> environment) {
        List<Path> roots = new ArrayList<>();
        for (String dir : environment.getOrDefault(PATHS_VARIABLE, "").split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                roots.add(Path.of(dir.strip()).toAbsolutePath().normalize());
            }
        }
        Set<String> names = new java.util.TreeSet<>();
        Arrays.stream(environment.getOrDefault(ENV_VARIABLE, "").split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(names::add);
        return new ReadScope(roots, names);
    }

    /** Whether a configuration may read this environment variable. */
    public boolean envAllowed(String name) {
        if (name.startsWith(DEFAULT_ENV_PREFIX) || allowedEnv.contains(name)) {
            return true;
        }
        return allowedEnv.stream().anyMatch(rule -> rule.endsWith("*") && rule.length() > 1 && name.startsWith(rule.substring(0, rule.length() - 1)));
    }

    /** The diagnostic for a variable outside the scope. */
    public static Diagnostic envRefused(String name, SourceRange at) {
        return Diagnostic.error(ConfigCodes.ENV_NOT_ALLOWED, "Environment variable " + name + " may not be read by a configuration",
                "A configuration reads variables named " + DEFAULT_ENV_PREFIX + "* and those the user allows, so that a change to the YAML "
                        + "cannot send another of this machine's secrets to a host.",
                "Name the secret's variable " + DEFAULT_ENV_PREFIX + "…, or allow it where cem runs: --allow-env " + name + " or "
                        + ENV_VARIABLE + "=" + name + ".", at);
    }

    /**
     * The file a configuration names, confined: its real path when it lies below the root of
     * {@code base}'s configuration or an allowed directory and is a regular file (or does not
     * exist yet: the caller says that), else a diagnostic at {@code at}.
     *
     * @param written the path as written (relative to {@code base})
     * @param base the directory of the file that names it
     */
    public Result<Path> file(String written, Path base, SourceRange at) {
        Path file = base.resolve(written).toAbsolutePath().normalize();
        Path real;
        try {
            real = realPath(file);
        } catch (IOException e) {
            return Result.of(file); // unreadable on the way: reading it fails with the caller's diagnostic
        }
        Diagnostic outside = outside("File " + written, file, real, base, real.getParent(), at);
        if (outside != null) {
            return Result.failed(outside);
        }
        if (Files.exists(real) && (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) || pseudo(real))) {
            return Result.failed(Diagnostic.error(ConfigCodes.NOT_REGULAR_FILE, "File " + written + " is not a regular file",
                    real + " is a directory, a device, a pipe or a kernel file; cem reads secrets and certificates from ordinary files only.",
                    "Point the reference at an ordinary file.", at));
        }
        return Result.of(real);
    }

    /**
     * The directory a configuration names for cem to keep files in ({@code backend.documents.directory}),
     * confined as {@link #file} confines a file read: below the root or an allowed directory; when it
     * exists, neither a symbolic link (cem does not follow links where it keeps its files) nor anything
     * but a directory. It is returned as written (made absolute), for a missing one is created there.
     */
    public Result<Path> directory(String written, Path base, SourceRange at) {
        Path dir = base.resolve(written).toAbsolutePath().normalize();
        if (Files.isSymbolicLink(dir)) {
            return Result.failed(Diagnostic.error(ConfigCodes.DOCUMENTS_LINK, "Documents directory " + written + " is a symbolic link",
                    dir + " is a link; cem does not follow links where it keeps its files, so that nobody who can replace it redirects them.",
                    "Name the directory the link points to.", at));
        }
        if (Files.exists(dir) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Result.failed(Diagnostic.error(ConfigCodes.DOCUMENTS_NOT_DIRECTORY, "Documents directory " + written + " is not a directory",
                    dir + " is a file, a device or a pipe.", "Name a directory, or a path where cem may create one.", at));
        }
        try {
            Diagnostic outside = outside("Documents directory " + written, dir, realPath(dir), base, dir, at);
            return outside == null ? Result.of(dir) : Result.failed(outside);
        } catch (IOException e) {
            return Result.of(dir); // unreadable on the way: writing in it fails with the store's message
        }
    }

    /**
     * The directory the backend block names for kept documents ({@value #DOCUMENTS_DIRECTORY}), confined by
     * {@link #directory}; empty when it names none. Validation and the store that writes there both ask this.
     */
    public java.util.Optional<Result<Path>> documentsDirectory(YamlDocument backend) {
        if (backend == null || !backend.root().at(DOCUMENTS_DIRECTORY).isTextual()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(directory(backend.root().at(DOCUMENTS_DIRECTORY).asText(), backend.directory(),
                backend.valueRange(DOCUMENTS_DIRECTORY)));
    }

    /** The diagnostic for {@code real} (the real path of {@code path}) outside the root of {@code base} and the allowed directories, or null. */
    private Diagnostic outside(String what, Path path, Path real, Path base, Path toAllow, SourceRange at) {
        Path root = rootOf(base);
        List<Path> roots = new ArrayList<>();
        roots.add(root);
        roots.addAll(allowedRoots);
        if (roots.stream().anyMatch(r -> real.startsWith(realOrSelf(r)))) {
            return null;
        }
        return Diagnostic.error(ConfigCodes.PATH_OUTSIDE_ROOT, what + " is outside what the configuration may read",
                "It is " + real + (real.equals(path) ? "" : " (links resolved)") + "; a configuration reads files below " + root
                        + (allowedRoots.isEmpty() ? "" : " or " + allowedRoots) + ", so that a change to the YAML cannot read this machine's "
                        + "other files.",
                "Move it into the repository, or allow its directory where cem runs: --allow-path " + toAllow + " or "
                        + PATHS_VARIABLE + "=" + toAllow + ".", at);
    }

    /**
     * The root of the configuration whose files are in {@code base}: the nearest enclosing
     * directory with {@code .git}, else the nearest with a fleet's {@code sites.yaml}, else the parent.
     */
    public static Path rootOf(Path base) {
        Path dir = base.toAbsolutePath().normalize();
        for (String marker : new String[] {".git", FLEET_FILE}) {
            for (Path d = dir; d != null; d = d.getParent()) {
                if (Files.exists(d.resolve(marker), LinkOption.NOFOLLOW_LINKS)) {
                    return d;
                }
            }
        }
        return dir.getParent() == null ? dir : dir.getParent();
    }

    /** {@code ~} and {@code ~/…} as the user's home, as SSH tools write key and known_hosts paths. */
    public static String expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/") || path.startsWith("~\\")) {
            return System.getProperty("user.home") + path.substring(1);
        }
        return path;
    }

    /** The real path of {@code file}, or of its nearest existing ancestor with the rest appended (a file cem would create). */
    private static Path realPath(Path file) throws IOException {
        Path existing = file;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? file : existing.toRealPath().resolve(existing.relativize(file)).normalize();
    }

    private static Path realOrSelf(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir;
        }
    }

    private static boolean pseudo(Path file) {
        try {
            return PSEUDO_FILE_SYSTEMS.contains(Files.getFileStore(file).type().toLowerCase(Locale.ROOT));
        } catch (IOException e) {
            return false;
        }
    }
}

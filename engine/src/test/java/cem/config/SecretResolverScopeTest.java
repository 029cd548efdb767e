package cem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.diag.Diagnostic;
import cem.diag.Result;
import cem.diag.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration reads only what its user allows (issue 24): files below its repository (or,
 * without one, its directory's parent, or its fleet's root) or a directory the user names, links
 * resolved, regular files only; environment variables named CEM_* or allowed by the user.
 */
class SecretResolverScopeTest {

    private static final String SECRET = "s3cret-value-17";

    @TempDir
    Path tmp;

    private static Result<String> read(Map<String, String> env, String ref, Path base) {
        return new SecretResolver(env).resolve(ref, base, null, Severity.ERROR);
    }

    private static String code(Result<String> r) {
        assertNull(r.value(), "refused");
        Diagnostic d = r.diagnostics().list().get(0);
        assertFalse(d.summary().contains(SECRET) || d.detail().contains(SECRET) || d.hint().contains(SECRET), d.toString());
        return d.code();
    }

    private Path repo() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.createDirectories(repo.resolve(".git"));
        Files.writeString(Files.createDirectories(repo.resolve("certs")).resolve("example.pass"), SECRET + "\n");
        Files.writeString(Files.createDirectories(tmp.resolve("outside")).resolve("secret.txt"), SECRET + "\n");
        return Files.createDirectories(repo.resolve("estates/prod"));
    }

    @Test
    void aFileOfTheRepositoryIsReadAndOneOutsideItIsRefusedAbsoluteRelativeOrThroughALink() throws Exception {
        Path config = repo();
        assertEquals(SECRET, read(Map.of(), "${file:../../certs/example.pass}", config).value());
        assertEquals(ConfigCodes.PATH_OUTSIDE_ROOT, code(read(Map.of(), "${file:../../../outside/secret.txt}", config)));
        assertEquals(ConfigCodes.PATH_OUTSIDE_ROOT, code(read(Map.of(), "${file:" + tmp.resolve("outside/secret.txt") + "}", config)));
        Files.createSymbolicLink(config.resolve("innocent.pass"), tmp.resolve("outside/secret.txt"));
        Result<String> linked = read(Map.of(), "${file:innocent.pass}", config);
        assertEquals(ConfigCodes.PATH_OUTSIDE_ROOT, code(linked));
        assertTrue(linked.diagnostics().list().get(0).hint().contains("--allow-path"), linked.diagnostics().toString());
        // The user (not the YAML) may allow a directory.
        assertEquals(SECRET, read(Map.of(ReadScope.PATHS_VARIABLE, tmp.resolve("outside").toString()), "${file:innocent.pass}", config).value());
    }

    @Test
    void withoutARepositoryTheRootIsTheConfigurationsParentOrItsFleet() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("fleet/sites/ams"));
        Files.writeString(tmp.resolve("fleet/sites.yaml"), "version: 1\n");
        Files.writeString(Files.createDirectories(tmp.resolve("fleet/certs")).resolve("p.pass"), SECRET);
        assertEquals(SECRET, read(Map.of(), "${file:../../certs/p.pass}", site).value());
        Path single = Files.createDirectories(tmp.resolve("plain/estate"));
        Files.writeString(Files.createDirectories(tmp.resolve("plain/certs")).resolve("p.pass"), SECRET);
        assertEquals(SECRET, read(Map.of(), "${file:../certs/p.pass}", single).value());
        assertEquals(ConfigCodes.PATH_OUTSIDE_ROOT, code(read(Map.of(), "${file:../../fleet/certs/p.pass}", single)));
    }

    @Test
    void aKernelFileOrADirectoryIsNotASecretFileEvenWhereAllowed() throws Exception {
        Path config = repo();
        // /proc/self/environ reports size 0 and holds every variable of this process.
        Result<String> environ = read(Map.of(ReadScope.PATHS_VARIABLE, "/proc"), "${file:/proc/self/environ}", config);
        assertEquals(ConfigCodes.NOT_REGULAR_FILE, code(environ));
        assertEquals(ConfigCodes.PATH_OUTSIDE_ROOT, code(read(Map.of(), "${file:/proc/self/environ}", config)));
        assertEquals(ConfigCodes.NOT_REGULAR_FILE, code(read(Map.of(), "${file:../../certs}", config)));
    }

    @Test
    void onlyVariablesTheUserAllowsAreRead() throws Exception {
        Map<String, String> env = Map.of("CEM_NS_PASSWORD", SECRET, "AWS_SECRET_ACCESS_KEY", SECRET, "MYCO_DB", SECRET);
        Path config = repo();
        assertEquals(SECRET, read(env, "${env:CEM_NS_PASSWORD}", config).value());
        Result<String> refused = read(env, "${env:AWS_SECRET_ACCESS_KEY}", config);
        assertEquals(ConfigCodes.ENV_NOT_ALLOWED, code(refused));
        assertTrue(refused.diagnostics().list().get(0).hint().contains("--allow-env AWS_SECRET_ACCESS_KEY"), refused.diagnostics().toString());
        assertEquals(ConfigCodes.ENV_NOT_ALLOWED, code(read(env, "${env:MYCO_DB}", config)));
        Map<String, String> allowed = new java.util.HashMap<>(env);
        allowed.put(ReadScope.ENV_VARIABLE, "AWS_SECRET_ACCESS_KEY, MYCO_*");
        assertEquals(SECRET, read(allowed, "${env:AWS_SECRET_ACCESS_KEY}", config).value());
        assertEquals(SECRET, read(allowed, "${env:MYCO_DB}", config).value());
    }

    @Test
    void aResolverWithoutCredentialsReadsNothing() throws Exception {
        Path config = repo();
        SecretResolver none = new SecretResolver(Map.of("CEM_NS_PASSWORD", SECRET)).withheld();
        assertEquals(ConfigCodes.SECRET_WITHHELD, code(none.resolve("${env:CEM_NS_PASSWORD}", config, null, Severity.ERROR)));
        assertEquals(ConfigCodes.SECRET_WITHHELD, code(none.resolve("${file:../../certs/example.pass}", config, null, Severity.ERROR)));
    }
}

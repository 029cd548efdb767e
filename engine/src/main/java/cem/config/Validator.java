package cem.config;

import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.diag.Severity;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Loads a configuration directory and runs every check on it: YAML, schema, references, secrets,
 * certificates and the cross-resource rules. All problems are reported, ordered by file and line.
 */
public final class Validator {

    private final ConfigLoader loader;
    private final SecretResolver secrets;
    private final Clock clock;
    private final Severity missingCredential;

    /**
     * @param workingDirectory paths in diagnostics are shown relative to it
     * @param secrets reads secret references
     * @param clock "now", for certificate validity
     * @param missingCredential how bad a host credential is that cannot be read (a warning for
     *     validate, which does not connect; an error for plan and apply)
     */
    public Validator(Path workingDirectory, SecretResolver secrets, Clock clock, Severity missingCredential) {
        this.loader = new ConfigLoader(new SchemaCheck(), workingDirectory);
        this.secrets = secrets;
        this.clock = clock;
        this.missingCredential = missingCredential;
    }

    public Result<Configuration> validate(Path directory) {
        return check(loader.load(directory));
    }

    /** Validates a configuration made of these sources (e.g. a site rendered in memory), as if they were files of {@code directory}. */
    public Result<Configuration> validate(Path directory, java.util.List<ConfigLoader.Source> sources) {
        return check(loader.load(directory, sources));
    }

    private Result<Configuration> check(Result<Configuration> loaded) {
        Configuration config = loaded.value();
        if (config == null) {
            return loaded;
        }
        Diagnostics all = loaded.diagnostics()
                .plus(new ReferenceCheck().check(config))
                .plus(new HostRules(secrets, missingCredential).check(config))
                .plus(new CertificateRule(secrets, clock).check(config))
                .plus(new AcmeRule().check(config))
                .plus(new PortRule().check(config))
                .plus(new HostPortRule().check(config))
                .plus(new ResourceRules().check(config))
                .plus(new DeprecatedAttributes().check(config));
        return new Result<>(config, all.sorted());
    }
}

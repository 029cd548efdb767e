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
    private final java.util.List<java.util.function.Function<Configuration, Diagnostics>> rules;

    /**
     * @param workingDirectory paths in diagnostics are shown relative to it
     * @param secrets reads secret references
     * @param clock "now", for certificate validity
     * @param missingCredential how bad a host credential is that cannot be read (a warning for
     *     validate, which does not connect; an error for plan and apply)
     */
    public Validator(Path workingDirectory, SecretResolver secrets, Clock clock, Severity missingCredential) {
        this(new ConfigLoader(new SchemaCheck(), workingDirectory), secrets, clock, missingCredential, java.util.List.of());
    }

    private Validator(ConfigLoader loader, SecretResolver secrets, Clock clock, Severity missingCredential,
            java.util.List<java.util.function.Function<Configuration, Diagnostics>> rules) {
        this.loader = loader;
        this.secrets = secrets;
        this.clock = clock;
        this.missingCredential = missingCredential;
        this.rules = java.util.List.copyOf(rules);
    }

    /**
     * This validator with one more rule, run after the others: one that needs what this package does
     * not know (the providers' schemas, for the identity of resources).
     */
    public Validator with(java.util.function.Function<Configuration, Diagnostics> rule) {
        java.util.List<java.util.function.Function<Configuration, Diagnostics>> all = new java.util.ArrayList<>(rules);
        all.add(rule);
        return new Validator(loader, secrets, clock, missingCredential, all);
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
                .plus(new ScopeRule(secrets.scope()).check(config))
                .plus(new ReferenceCheck().check(config))
                .plus(new HostRules(secrets, missingCredential).check(config))
                .plus(new CertificateRule(secrets, clock).check(config))
                .plus(new AcmeRule().check(config))
                .plus(new PortRule().check(config))
                .plus(new HostPortRule().check(config))
                .plus(new ResourceRules().check(config))
                .plus(new DeprecatedAttributes().check(config));
        for (java.util.function.Function<Configuration, Diagnostics> rule : rules) {
            all = all.plus(rule.apply(config));
        }
        return new Result<>(config, distinct(all).sorted());
    }

    /** One diagnostic per problem: a secret outside the scope is found by the scope rule and again by the rule that reads it. */
    private static Diagnostics distinct(Diagnostics all) {
        java.util.Set<java.util.List<Object>> seen = new java.util.HashSet<>();
        Diagnostics.Builder out = Diagnostics.builder();
        for (cem.diag.Diagnostic d : all) {
            if (seen.add(java.util.Arrays.asList(d.code(), d.subject(), d.summary()))) {
                out.add(d);
            }
        }
        return out.build();
    }
}

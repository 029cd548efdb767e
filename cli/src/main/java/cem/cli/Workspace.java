package cem.cli;

import cem.config.Configuration;
import cem.config.ResourceConfig;
import cem.config.SecretResolver;
import cem.config.Validator;
import cem.config.YamlDocument;
import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.DiagnosticsException;
import cem.diag.Result;
import cem.diag.Severity;
import cem.engine.ProviderRegistry;
import cem.spi.ProviderContext;
import cem.state.State;
import cem.state.StateException;
import cem.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.TreeSet;

/**
 * The composition root of the commands that touch state and hosts: a validated configuration,
 * its state store, the providers, and the digest a saved plan is bound to.
 */
final class Workspace implements AutoCloseable {

    final Session session;
    final Configuration config;
    final Diagnostics warnings;
    final StateStore store;
    final ProviderRegistry registry;
    final SecretResolver secrets;
    final String digest;
    /** Seals saved plans (and state) at rest when the configuration asks for it; else null. */
    final cem.state.StateEncryption encryption;
    /** What states and saved plans must carry: the checksum, and a MAC when CEM_MAC_KEY is set. */
    final cem.state.Integrity integrity;
    private final cem.lab.Lab lab;
    private final java.util.function.UnaryOperator<Diagnostics> remap;
    /** The lab this workspace's lab hosts are routed to (its own or a fleet's), or null. */
    private cem.lab.Lab labInUse;
    private cem.acme.AcmeCertificates acme;

    private Workspace(Session session, Configuration config, Diagnostics warnings, StateStore store, ProviderRegistry registry,
            SecretResolver secrets, String digest, cem.lab.Lab lab, cem.state.StateEncryption encryption, cem.state.Integrity integrity,
            java.util.function.UnaryOperator<Diagnostics> remap) {
        this.integrity = integrity;
        this.lab = lab;
        this.remap = remap;
        this.session = session;
        this.config = config;
        this.warnings = warnings;
        this.store = store;
        this.registry = registry;
        this.secrets = secrets;
        this.digest = digest;
        this.encryption = encryption;
    }

    /** The certificates an ACME CA issues for this configuration, with what is kept of them read once. */
    synchronized cem.acme.AcmeCertificates acme() {
        if (acme == null) {
            acme = new cem.acme.AcmeCertificates(config, secrets, store, encryption, Clock.systemUTC());
        }
        return acme;
    }

    /** Loads and validates a configuration directory; any error stops the command with its diagnostics. */
    static Workspace open(Session session, String directory, boolean debug) {
        return open(session, directory, debug, false);
    }

    static Workspace open(Session session, String directory, boolean debug, boolean acceptNewHostKeys) {
        SecretResolver secrets = session.secrets();
        Validator validator = validator(session, secrets, Severity.ERROR);
        Result<Configuration> result = validator.validate(session.resolve(directory));
        if (result.value() == null || result.hasErrors()) {
            throw new DiagnosticsException(result.diagnostics());
        }
        Configuration config = result.value();
        cem.lab.Lab lab = LabRouting.start(config);
        return open(session, config, result.diagnostics(), lab, true, debug, acceptNewHostKeys, d -> d);
    }

    /**
     * The validator of every command: the configuration's own rules, and the identity of resources
     * (two resources managing one object), which needs the providers' schemas.
     */
    static Validator validator(Session session, SecretResolver secrets, Severity missingCredential) {
        return validator(session, secrets, missingCredential, schemas(session));
    }

    /** @param schemas the resource types' schemas ({@link #schemas}), or null */
    static Validator validator(Session session, SecretResolver secrets, Severity missingCredential,
            java.util.function.Function<String, java.util.Optional<cem.spi.ResourceSchema>> schemas) {
        Validator validator = new Validator(session.cwd(), secrets, Clock.systemUTC(), missingCredential);
        return schemas == null ? validator : validator.with(config -> cem.engine.Identities.check(config, schemas));
    }

    /** The resource types' schemas, or null when the providers conflict (opening the workspace says so). */
    static java.util.function.Function<String, java.util.Optional<cem.spi.ResourceSchema>> schemas(Session session) {
        try (ProviderRegistry registry = ProviderRegistry.load(new ProviderContext(session.env(), session.cwd(), false))) {
            return registry::schema;
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /**
     * A workspace for a validated configuration.
     *
     * @param lab the running lab its lab hosts are routed to, or null
     * @param ownsLab whether closing this workspace stops the lab (a fleet's sites share one)
     * @param remap moves diagnostics of rendered files to their template lines (identity for a plain directory)
     */
    static Workspace open(Session session, Configuration validated, Diagnostics warnings, cem.lab.Lab lab, boolean ownsLab, boolean debug,
            boolean acceptNewHostKeys, java.util.function.UnaryOperator<Diagnostics> remap) {
        SecretResolver all = new SecretResolver(session.env());
        Configuration config = validated;
        String digest = digest(config);
        if (lab != null) {
            config = LabRouting.route(config, lab);
            java.util.Map<String, String> env = new java.util.HashMap<>(session.env());
            env.put(LabRouting.PASSWORD_VARIABLE, lab.password());
            all = new SecretResolver(env);
        }
        // The state's key only opens the state on this machine; without credentials every other secret is withheld.
        SecretResolver secrets = session.withoutCredentials() ? all.withheld() : all;
        ProviderRegistry registry;
        try {
            registry = ProviderRegistry.load(new ProviderContext(session.env(), config.directory(), debug, acceptNewHostKeys));
        } catch (IllegalStateException e) {
            if (lab != null && ownsLab) {
                lab.close();
            }
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9010", "Providers conflict", e.getMessage(),
                    "Install only one provider module for each resource type.", null, null));
        }
        try {
            cem.state.StateEncryption encryption = StateBackends.encryption(config, all); // its keys are read once
            cem.state.Integrity integrity = StateBackends.integrity(session);
            StateStore store = StateBackends.open(session, config, secrets, digest, encryption, integrity);
            Workspace ws = new Workspace(session, config, warnings, store, registry, secrets, digest, ownsLab ? lab : null, encryption,
                    integrity, remap);
            ws.labInUse = lab;
            return ws;
        } catch (RuntimeException e) {
            registry.close();
            if (lab != null && ownsLab) {
                lab.close(); // a backend that cannot be opened must not leave the lab's servers running
            }
            throw e;
        }
    }

    /** How the state keeps secrets' digests: keyed with the encryption key's derivative when the state is encrypted. */
    cem.state.SecretDigest secretDigest() {
        return encryption == null ? cem.state.SecretDigest.UNKEYED : encryption.secretDigest();
    }

    /** The running lab of the lab hosts, or null when no host is in the lab. */
    cem.lab.Lab lab() {
        return labInUse;
    }

    /** Diagnostics as the user should see them: those of rendered files moved to their template lines. */
    Diagnostics shown(Diagnostics diagnostics) {
        return remap.apply(diagnostics);
    }

    State readState() {
        try {
            return store.read().orElseGet(() -> State.empty(VersionCommand.version()));
        } catch (StateException e) {
            throw stateError(e);
        }
    }

    StateStore.Lock lock(String operation, Duration timeout) {
        try {
            return HeldLocks.track(take(operation, timeout));
        } catch (StateException e) {
            throw stateError(e);
        }
    }

    /**
     * Takes the lock. When another cem holds it and there is time to wait, says who holds it and
     * how long cem waits, rather than waiting silently; a holder whose process is gone is reported
     * at once (waiting cannot help).
     */
    private StateStore.Lock take(String operation, Duration timeout) throws StateException {
        if (timeout.isZero() || timeout.isNegative()) {
            return store.lock(operation, timeout);
        }
        try {
            return store.lock(operation, Duration.ZERO);
        } catch (StateException busy) {
            cem.state.LockInfo holder = store.currentLock().orElse(null);
            if (holder != null && holder.deadHere()) {
                throw busy;
            }
            if (holder != null) {
                session.err().println("Waiting for the state lock: it is held by " + holder.describe() + ". cem waits up to "
                        + shown(timeout) + " (--lock-timeout).");
                session.err().flush();
            }
            try (Interruption interruption = Interruption.watch(session, "waiting for the state lock")) {
                try {
                    return store.lock(operation, timeout);
                } catch (StateException e) {
                    if (interruption.received()) {
                        throw Interruption.interrupted("Interrupted while waiting for the state lock");
                    }
                    throw e;
                }
            }
        }
    }

    /** A duration as --lock-timeout takes it: 500ms, 60s, 5m, 2h. */
    static String shown(Duration d) {
        long s = d.toSeconds();
        if (s == 0 || d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        return s >= 7200 && s % 3600 == 0 ? s / 3600 + "h" : s >= 120 && s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    static DiagnosticsException stateError(StateException e) {
        return new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9020", e.getMessage(), "", e.hint(), null, null));
    }

    /** The CI job URL when the environment names one (GitHub Actions, GitLab CI). */
    static String jobUrl(Session session) {
        var env = session.env();
        if (env.containsKey("GITHUB_RUN_ID") && env.containsKey("GITHUB_SERVER_URL") && env.containsKey("GITHUB_REPOSITORY")) {
            return env.get("GITHUB_SERVER_URL") + "/" + env.get("GITHUB_REPOSITORY") + "/actions/runs/" + env.get("GITHUB_RUN_ID");
        }
        return env.get("CI_JOB_URL");
    }

    /**
     * A digest of everything a plan was made from: the YAML files and the certificate files they
     * name. A saved plan applies only while it is unchanged.
     */
    static String digest(Configuration config) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (YamlDocument doc : config.documents()) {
                md.update(doc.file().getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(String.join("\n", doc.lines()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            TreeSet<Path> files = new TreeSet<>();
            for (ResourceConfig r : config.resources()) {
                for (String field : new String[] {"pfx", "pem", "trustedCaFile"}) {
                    r.string(field).ifPresent(f -> files.add(r.doc().directory().resolve(f).normalize()));
                }
            }
            for (Path f : files) {
                if (Files.isRegularFile(f)) {
                    md.update(Files.readAllBytes(f));
                }
            }
            return "sha256:" + HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        registry.close();
        if (lab != null) {
            writeLabStats(session, lab);
            lab.close();
        }
    }

    /** For bench/: the lab counts the round trips each host answered, and the CPU its own handlers used. */
    static void writeLabStats(Session session, cem.lab.Lab lab) {
        String stats = session.env().get("CEM_LAB_STATS");
        if (stats == null) {
            return;
        }
        var node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        node.put("pid", ProcessHandle.current().pid());
        node.put("labCpuMillis", cem.lab.Lab.cpuMillis());
        var hosts = node.putObject("commandsByHost");
        lab.commandsByHost().forEach(hosts::put);
        var faults = node.putObject("faultsInjected");
        lab.faultsInjected().forEach(faults::put);
        try {
            // A rollout starts a lab per wave: the counts of this process's earlier labs are added in.
            Path file = session.resolve(stats);
            if (Files.isRegularFile(file)) {
                var before = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(file));
                if (before.path("pid").asLong() == ProcessHandle.current().pid()) {
                    before.path("commandsByHost").fields().forEachRemaining(e -> hosts.put(e.getKey(), hosts.path(e.getKey()).asInt() + e.getValue().asInt()));
                    before.path("faultsInjected").fields().forEachRemaining(e -> faults.put(e.getKey(), faults.path(e.getKey()).asInt() + e.getValue().asInt()));
                }
            }
            Files.writeString(session.resolve(stats), node.toPrettyString() + "\n");
        } catch (IOException e) {
            session.err().println("cem: cannot write lab statistics to " + stats + ": " + e.getMessage());
        }
    }
}

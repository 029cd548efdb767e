package cem.cli;

import cem.config.Configuration;
import cem.config.SecretResolver;
import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Result;
import cem.diag.Severity;
import cem.state.BackendSpec;
import cem.state.DocumentDirectory;
import cem.state.Integrity;
import cem.state.LocalStateStore;
import cem.state.SeparateDocuments;
import cem.state.StateBackendFactory;
import cem.state.StateEncryption;
import cem.state.StateException;
import cem.state.StateStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Opens the state store a configuration names: the local file {@code .cem/state.json} by default,
 * or a backend module found with {@link ServiceLoader} ({@code backend: {type: postgres, …}}),
 * its secret references resolved here; its documents in {@code backend.documents.directory} when
 * the configuration names one.
 */
final class StateBackends {

    private StateBackends() {}

    /**
     * @param encryption the configuration's encryption at rest, already read (or null)
     * @param integrity what the state must carry to be read
     */
    static StateStore open(Session session, Configuration config, SecretResolver secrets, String digest, StateEncryption encryption,
            Integrity integrity) {
        String key = key(config);
        StateStore store = backend(session, config, secrets, key, digest, encryption, integrity);
        // Confined here too, not only at validation: `cem init` and `cem state migrate` open the store unvalidated.
        java.util.Optional<Result<Path>> documents = secrets.scope().documentsDirectory(config.backendDocument());
        if (documents.isEmpty()) {
            return store;
        }
        if (documents.get().value() == null) {
            throw new DiagnosticsException(documents.get().diagnostics());
        }
        try {
            return new SeparateDocuments(store, DocumentDirectory.shared(documents.get().value(), key));
        } catch (StateException e) {
            throw Workspace.stateError(e);
        }
    }

    /** The state's key, which a backend keys its state by and a shared documents directory its documents: backend.key, else the configuration directory's name. */
    private static String key(Configuration config) {
        String name = config.directory().toAbsolutePath().normalize().getFileName().toString();
        return config.backend() == null ? name : config.backend().path("key").asText(name);
    }

    private static StateStore backend(Session session, Configuration config, SecretResolver secrets, String key, String digest,
            StateEncryption encryption, Integrity integrity) {
        JsonNode backend = config.backend();
        if (backend == null || backend.path("type").asText("local").equals("local")) {
            return new LocalStateStore(config.directory().resolve(".cem"), Workspace.jobUrl(session), encryption, integrity);
        }
        String type = backend.path("type").asText();
        Map<String, String> resolved = new HashMap<>();
        Path base = config.backendDocument().directory();
        if (backend.hasNonNull("password")) {
            resolved.put("password", secret(secrets, config, "/backend/password"));
        }
        BackendSpec spec = new BackendSpec(backend, resolved, key, base, Workspace.jobUrl(session), digest, VersionCommand.version(), encryption,
                integrity);
        for (StateBackendFactory f : ServiceLoader.load(StateBackendFactory.class)) {
            if (f.type().equals(type)) {
                try {
                    return f.open(spec);
                } catch (StateException e) {
                    throw Workspace.stateError(e);
                }
            }
        }
        throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9031", "No state backend \"" + type + "\" in this cem",
                "The configuration's backend block names a type no installed module serves.", "Use type: local or postgres.", null, null));
    }

    /**
     * The store of a configuration directory for commands that touch no host (state, force-unlock,
     * lock list, init): the files are parsed and schema-checked only, so a certificate or a host
     * credential that cannot be read does not stand between an administrator and the state.
     */
    static StateStore forDirectory(Session session, String directory) {
        return forDirectory(session, directory, integrity(session));
    }

    /** @param integrity what the state must carry to be read ({@code cem state sign} adopts one without) */
    static StateStore forDirectory(Session session, String directory, Integrity integrity) {
        Path dir = session.resolve(directory);
        Result<Configuration> loaded = new cem.config.ConfigLoader(new cem.config.SchemaCheck(), session.cwd()).load(dir);
        if (loaded.value() == null || loaded.hasErrors()) {
            boolean noConfig = loaded.diagnostics().list().stream().anyMatch(d -> d.code().equals("ENV9002"));
            if (noConfig && java.nio.file.Files.isDirectory(dir.resolve(".cem"))) {
                return new LocalStateStore(dir.resolve(".cem"), Workspace.jobUrl(session), null, integrity); // a state without its configuration
            }
            throw new DiagnosticsException(loaded.diagnostics());
        }
        return open(session, loaded.value(), session.secrets(), null, encryption(loaded.value(), session.secrets()), integrity);
    }

    /** The MAC key the environment gives (CEM_MAC_KEY, CEM_MAC_KEY_FILE) as the checks states and saved plans must pass. */
    static Integrity integrity(Session session) {
        try {
            return Integrity.of(session.env());
        } catch (StateException e) {
            throw Workspace.stateError(e);
        }
    }

    /** The configured encryption at rest (backend.encryption), its keys read through their secret references; null when none. */
    static StateEncryption encryption(Configuration config, SecretResolver secrets) {
        JsonNode backend = config.backend();
        JsonNode e = backend == null ? null : backend.get("encryption");
        if (e == null || !e.isObject()) {
            return null;
        }
        try {
            byte[] key = StateEncryption.parseKey(secret(secrets, config, "/backend/encryption/key"), "encryption.key");
            java.util.List<byte[]> fallbacks = new java.util.ArrayList<>();
            for (int i = 0; i < e.path("fallbackKeys").size(); i++) {
                String ref = e.path("fallbackKeys").get(i).asText();
                fallbacks.add(StateEncryption.parseKey(secret(secrets, config, "/backend/encryption/fallbackKeys/" + i), "fallback key " + ref));
            }
            return new StateEncryption(key, fallbacks, e.path("required").asBoolean(true));
        } catch (StateException x) {
            throw Workspace.stateError(x);
        }
    }

    /** The secret a backend attribute refers to; what is wrong with it points at the attribute. */
    private static String secret(SecretResolver secrets, Configuration config, String pointer) {
        cem.config.YamlDocument doc = config.backendDocument();
        Result<String> value = secrets.resolve(doc.root().at(pointer).asText(), doc.directory(), doc.valueRange(pointer), Severity.ERROR);
        if (value.value() == null) {
            throw new DiagnosticsException(value.diagnostics());
        }
        return value.value();
    }

    /**
     * The local file of the configuration in {@code directory}, sealed as its backend.encryption says (for
     * `cem state migrate`: a state the configuration requires encrypted is never written in clear).
     */
    static StateStore local(Session session, String directory) {
        Path dir = session.resolve(directory);
        Result<Configuration> loaded = new cem.config.ConfigLoader(new cem.config.SchemaCheck(), session.cwd()).load(dir);
        if (loaded.value() == null || loaded.hasErrors()) {
            throw new DiagnosticsException(loaded.diagnostics());
        }
        return new LocalStateStore(dir.resolve(".cem"), Workspace.jobUrl(session), encryption(loaded.value(), session.secrets()), integrity(session));
    }
}

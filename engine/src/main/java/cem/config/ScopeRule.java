package cem.config;

import cem.diag.Diagnostics;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;

/**
 * Every file a configuration names and every secret reference it makes stays within what the
 * user allows ({@link ReadScope}): paths below the configuration's root or an allowed directory,
 * links resolved, regular files only; environment variables the user allows. Checked on every
 * file of the configuration, whichever rule reads the value later.
 */
final class ScopeRule {

    /** Keys whose value is a file cem reads (schema {@code $defs/path}); an agent socket is not a file, a package output is written. */
    static final Set<String> PATH_KEYS = Set.of("pfx", "pem", "trustedCaFile", "caFile", "keyFile", "knownHosts", "sslRootCert");
    /** Of those, the SSH files, where {@code ~/} is the user's home (as the SSH transport reads them). */
    static final Set<String> HOME_KEYS = Set.of("keyFile", "knownHosts");
    /** Keys whose value is a secret reference cem resolves (schema {@code $defs/secretRef}); elsewhere "${env:X}" is plain text. */
    static final Set<String> SECRET_KEYS = Set.of("password", "passphrase", "key", "fallbackKeys", "accountKey", "tsigSecret", "hmacKey");

    private final ReadScope scope;

    ScopeRule(ReadScope scope) {
        this.scope = scope;
    }

    Diagnostics check(Configuration config) {
        Diagnostics.Builder out = Diagnostics.builder();
        for (YamlDocument doc : config.documents()) {
            if (doc.root() != null) {
                walk(doc, doc.root(), "", null, out);
            }
        }
        scope.documentsDirectory(config.backendDocument()).ifPresent(d -> out.addAll(d.diagnostics()));
        return out.build();
    }

    private void walk(YamlDocument doc, JsonNode node, String pointer, String key, Diagnostics.Builder out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                walk(doc, e.getValue(), YamlDocument.pointer(pointer, e.getKey()), e.getKey(), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(doc, node.get(i), YamlDocument.pointer(pointer, i), key, out);
            }
        } else if (node.isTextual() && key != null) {
            var at = doc.valueRange(pointer);
            var ref = SecretRef.parse(node.asText()).filter(r -> SECRET_KEYS.contains(key));
            if (ref.isPresent() && ref.get().kind() == SecretRef.Kind.ENV && !scope.envAllowed(ref.get().target())) {
                out.add(ReadScope.envRefused(ref.get().target(), at));
            } else if (ref.isPresent() && ref.get().kind() == SecretRef.Kind.FILE) {
                out.addAll(scope.file(ref.get().target(), doc.directory(), at).diagnostics());
            } else if (PATH_KEYS.contains(key)) {
                String path = HOME_KEYS.contains(key) ? ReadScope.expandHome(node.asText()) : node.asText();
                out.addAll(scope.file(path, doc.directory(), at).diagnostics());
            }
        }
    }
}

package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import java.util.List;

/**
 * Checks certificates issued by an ACME CA ({@code acme:}): they name no file, they have names to
 * request (given, or required by the model), and the state is encrypted at rest — the issued
 * private key is kept sealed in the state backend (or the directory named for documents), never in clear.
 */
final class AcmeRule {

    Diagnostics check(Configuration config) {
        Diagnostics.Builder out = Diagnostics.builder();
        for (ResourceConfig cert : config.ofType("certificate")) {
            if (!cert.body().has("acme")) {
                continue;
            }
            for (String field : List.of("pfx", "pem", "password")) {
                if (cert.body().has(field)) {
                    out.add(Diagnostic.error(ConfigCodes.ACME_CONFLICT, "Both \"acme\" and \"" + field + "\" in certificate \"" + cert.name() + "\"",
                            "A certificate issued by an ACME CA is not read from a file.",
                            "Remove \"" + field + ":\", or remove \"acme:\" to import the file.", cert.range(field)).withAddress(cert.address()));
                }
            }
            List<String> names = RequiredNames.requested(config, cert);
            if (names.isEmpty()) {
                out.add(Diagnostic.error(ConfigCodes.ACME_NO_NAMES, "No names to request for certificate \"" + cert.name() + "\"",
                        "No gateway, binding or site server names this certificate, so the model requires no name of it.",
                        "List the names under \"acme: names:\", or name the certificate from the resources that use it.",
                        cert.doc().keyRange(cert.pointer() + "/acme")).withAddress(cert.address()));
            }
            for (RequiredNames.Requirement r : RequiredNames.of(config).getOrDefault(cert.name(), List.of())) {
                if (!cem.cert.HostnameMatch.covers(names, r.name())) {
                    out.add(Diagnostic.error(ConfigCodes.CERT_NAME_MISMATCH, "Certificate \"" + cert.name() + "\" does not request " + r.name(),
                            "It must cover " + r.what() + " (" + r.name() + "), but acme.names are " + names + ".",
                            "Add " + r.name() + " to acme.names, or leave acme.names out to request what the model requires.",
                            r.user().range("certificate")).withAddress(r.user().address()));
                }
            }
            if (config.backend() == null || !config.backend().path("encryption").isObject()) {
                out.add(Diagnostic.error(ConfigCodes.ACME_NEEDS_ENCRYPTION, "Certificate \"" + cert.name() + "\" needs encryption at rest",
                        "cem keeps the key and certificate an ACME CA issued in the state backend (or backend.documents.directory),"
                                + " sealed with the state's encryption key,"
                                + " so that a re-apply or another host does not issue again; this configuration encrypts nothing.",
                        "Configure backend.encryption.key (`head -c 32 /dev/urandom | base64` into a file, then"
                                + " `backend: {type: local, encryption: {key: ${file:state.key}}}`).",
                        cert.doc().keyRange(cert.pointer() + "/acme")).withAddress(cert.address()));
            }
        }
        return out.build();
    }
}

package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Severity;

/**
 * Host credentials: secret references resolve, and the scheme fits the transport. Validation
 * does not connect, so a credential that is missing here is a warning; plan and apply, which
 * need it, make it an error.
 */
final class HostRules {

    private final SecretResolver secrets;
    private final Severity missingCredential;

    HostRules(SecretResolver secrets, Severity missingCredential) {
        this.secrets = secrets;
        this.missingCredential = missingCredential;
    }

    Diagnostics check(Configuration config) {
        Diagnostics.Builder out = Diagnostics.builder();
        for (HostConfig host : config.hosts().values()) {
            for (String field : new String[] {"password", "passphrase"}) {
                var ref = host.body().path("auth").path(field);
                if (ref.isTextual() && SecretRef.parse(ref.asText()).isPresent() && !secrets.withholds()) {
                    secrets.resolve(ref.asText(), host.doc().directory(), host.range("auth/" + field), missingCredential)
                            .diagnostics()
                            .forEach(out::add);
                }
            }
            if (!host.knownOs()) {
                continue;
            }
            String scheme = host.body().path("auth").path("scheme").asText("");
            String transport = host.body().path("transport").asText(host.os().equals("windows") ? "winrm" : "ssh");
            boolean sshScheme = scheme.equals("publickey") || scheme.equals("agent") || scheme.equals("password");
            boolean winrmScheme = scheme.equals("ntlm") || scheme.equals("kerberos") || scheme.equals("basic");
            if ((transport.equals("ssh") && winrmScheme) || (transport.equals("winrm") && sshScheme)) {
                out.add(Diagnostic.error(ConfigCodes.CONFLICTING_KEYS, "Auth scheme \"" + scheme + "\" does not work over " + transport,
                        "WinRM authenticates with ntlm, kerberos or basic; SSH with publickey, agent or password.",
                        "Choose a scheme of the host's transport.", host.range("auth/scheme")));
            }
            String address = host.address();
            boolean loopback = cem.net.Loopback.literal(address) || host.lab();
            if (scheme.equals("basic") && host.body().path("insecureHttp").asBoolean(false) && !loopback) {
                out.add(Diagnostic.error(ConfigCodes.CONFLICTING_KEYS, "Basic authentication over plain HTTP",
                        "Basic sends the password in clear text; over insecureHttp anyone on the network can read it.",
                        "Use HTTPS (remove insecureHttp), or NTLM/Kerberos.", host.range("insecureHttp")));
            } else if (scheme.equals("kerberos") && host.body().path("insecureHttp").asBoolean(false)) {
                boolean ticket = host.body().path("auth").path("password").isMissingNode();
                out.add(Diagnostic.error(ConfigCodes.CONFLICTING_KEYS, ticket ? "Kerberos with the logged-on user's ticket over plain HTTP"
                        : "Kerberos over plain HTTP",
                        "cem's WinRM client (winrm4j) sends Kerberos-authenticated messages without WS-Management message encryption: over "
                                + "plain HTTP anyone on the path reads them, and Windows refuses them (AllowUnencrypted is false by default).",
                        "Use HTTPS (remove insecureHttp).", host.range("insecureHttp")));
            } else if (host.body().path("insecureHttp").asBoolean(false) && !loopback) {
                out.add(Diagnostic.warning(ConfigCodes.PLAIN_HTTP, "WinRM to " + host.name() + " over plain HTTP: its identity is not verified",
                        "With insecureHttp: true no TLS certificate proves that " + host.address() + " is the host; anyone on the path can "
                                + "answer in its place and see what cem sends (NTLM protects the password, not the commands). Every plan says so.",
                        "Use HTTPS with the host's certificate (tls.caFile or tls.pinnedSha256) and remove insecureHttp.", host.range("insecureHttp")));
            }
        }
        return out.build();
    }
}

package cem.cli;

import cem.config.Configuration;
import cem.config.HostConfig;
import cem.config.SecretResolver;
import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Severity;
import cem.diag.TerminalText;
import cem.spi.ConnectionSpec;
import cem.spi.TransportException;
import cem.transport.HostIdentity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem trust HOST}: show a host's SSH key or TLS certificate, and record the SSH key. */
@Command(name = "trust", description = {
    "Show the identity a host presents, to check it before trusting it.",
    "SSH: the host key's SHA256 fingerprint, recorded in known_hosts once you confirm (or with --yes).",
    "WinRM: the TLS certificate's SHA-256 fingerprint, to pin with tls.pinnedSha256 (or name its CA with tls.caFile).",
    "Sends no credential."})
final class TrustCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(paramLabel = "HOST", description = "The host's name in the configuration.")
    String host;

    @Option(names = {"-d", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "Configuration directory (default: the current one).")
    String dir;

    @Option(names = "--yes", description = "Record the SSH host key without asking.")
    boolean yes;

    @Mixin
    CommonOptions common;

    TrustCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        var result = Workspace.validator(session, session.secrets(), Severity.WARNING)
                .validate(session.resolve(dir));
        Configuration config = result.value();
        if (config == null || result.hasErrors()) {
            throw new DiagnosticsException(result.diagnostics());
        }
        HostConfig h = config.hosts().get(host);
        if (h == null) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9030", "No host \"" + host + "\" in " + dir, "",
                    cem.diag.Suggestions.closest(host, config.hosts().keySet()).map(s -> "Did you mean \"" + s + "\"?")
                            .orElse("Hosts: " + String.join(", ", config.hosts().keySet()) + "."), null, null));
        }
        ConnectionSpec spec = new ConnectionSpec(host, h.address(), h.body().path("port").asInt(0), h.body(), Map.of(),
                h.doc().directory(), false, Duration.ofSeconds(15));
        String transport = h.body().path("transport").asText(h.os().equals("windows") ? "winrm" : "ssh");
        try {
            if (transport.equals("ssh")) {
                HostIdentity.SshKey key = HostIdentity.sshKey(spec);
                session.out().println("Host " + host + " (" + key.knownHostsName() + ") presents this SSH host key:");
                session.out().println("  " + TerminalText.safe(key.type()) + " " + key.fingerprint());
                session.out().println("Compare it with the key on the host (`ssh-keygen -lf /etc/ssh/ssh_host_" + shortType(key.type())
                        + "_key.pub`) before trusting it.");
                if (yes || confirm()) {
                    Path file = HostIdentity.record(spec, key);
                    session.out().println("Recorded in " + file + ".");
                } else {
                    session.out().println("Not recorded.");
                }
            } else {
                session.out().print(describe(host, HostIdentity.tlsCertificate(spec)));
            }
        } catch (TransportException e) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "PRV4010", e.getMessage(), "", e.hint(), null, null));
        }
        session.out().flush();
        return 0;
    }

    /** What a WinRM listener's certificate says; its names are the host's words, shown with their control characters escaped. */
    static String describe(String host, X509Certificate cert) {
        String sha256 = HostIdentity.sha256(cert);
        return "Host " + host + " presents this TLS certificate on its WinRM listener:\n"
                + "  subject  " + TerminalText.safe(cert.getSubjectX500Principal().getName()) + "\n"
                + "  issuer   " + TerminalText.safe(cert.getIssuerX500Principal().getName()) + "\n"
                + "  valid    " + cert.getNotBefore().toInstant() + " to " + cert.getNotAfter().toInstant() + "\n"
                + "  SHA-256  " + sha256 + "\n"
                + "If it is the right one, pin it in the host's settings:\n"
                + "    tls: {pinnedSha256: " + sha256 + "}\n"
                + "or name the CA that issued it with tls: {caFile: path/to/ca.pem}.\n";
    }

    private boolean confirm() throws IOException {
        if (!session.terminal()) {
            session.out().println("(Run again with --yes to record it: there is no terminal to ask on.)");
            return false;
        }
        session.out().print("Record it in known_hosts? Only 'yes' will be accepted: ");
        session.out().flush();
        String line = new BufferedReader(new InputStreamReader(session.in(), StandardCharsets.UTF_8)).readLine();
        return line != null && line.trim().equals("yes");
    }

    private static String shortType(String type) {
        return type.startsWith("ssh-ed25519") ? "ed25519" : type.startsWith("ecdsa") ? "ecdsa" : "rsa";
    }
}

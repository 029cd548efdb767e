package cem.config;

import cem.cert.CertificateFacts;
import cem.cert.CertificateFile;
import cem.cert.ChainCheck;
import cem.cert.HostnameMatch;
import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.diag.Severity;
import cem.diag.SourceRange;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads every certificate the configuration names and checks what ITMS needs of it (KB 440283):
 * Server Authentication EKU, RSA of 2048 bits or more (ECDSA only when allowed), a SHA-256 or
 * stronger signature, a private key, a complete chain and enough days of validity; then that each
 * certificate covers the names it serves: a gateway's external FQDN, a binding's host name, a site
 * server's internal and published names.
 */
public final class CertificateRule {

    static final int DEFAULT_MIN_DAYS_VALID = cem.cert.CertificateFacts.DEFAULT_MIN_DAYS_VALID;

    private final SecretResolver secrets;
    private final Clock clock;

    CertificateRule(SecretResolver secrets, Clock clock) {
        this.secrets = secrets;
        this.clock = clock;
    }

    Diagnostics check(Configuration config) {
        Diagnostics.Builder out = Diagnostics.builder();
        Map<String, CertificateFacts> loaded = new HashMap<>();
        for (ResourceConfig cert : config.ofType("certificate")) {
            load(cert, out).ifPresent(facts -> {
                loaded.put(cert.name(), facts);
                quality(cert, facts, cert.range(cert.body().has("pfx") ? "pfx" : "pem"), out);
            });
        }
        RequiredNames.of(config).forEach((certName, required) -> required.forEach(
                r -> coverage(r, certName, loaded.get(certName), r.user().range("certificate"), out)));
        return out.build();
    }

    /**
     * The same checks on a certificate cem holds in memory rather than reads from a file (one an
     * ACME CA issued, before it is imported): its quality, and that it covers the names requested.
     * The findings point at the certificate's {@code acme} block.
     */
    public static Diagnostics checkIssued(ResourceConfig cert, CertificateFacts facts, java.util.List<String> names, SecretResolver secrets,
            Clock clock) {
        Diagnostics.Builder out = Diagnostics.builder();
        SourceRange at = cert.doc().keyRange(cert.pointer() + "/acme");
        new CertificateRule(secrets, clock).quality(cert, facts, at, out);
        names.forEach(n -> coverage(new RequiredNames.Requirement(cert, n, "a name requested of the CA"), cert.name(), facts, at, out));
        return out.build();
    }

    private Optional<CertificateFacts> load(ResourceConfig cert, Diagnostics.Builder out) {
        Optional<String> pfx = cert.string("pfx");
        Optional<String> pem = cert.string("pem");
        if (cert.body().has("acme")) {
            return Optional.empty(); // issued by cem: AcmeRule checks it
        }
        if (pfx.isPresent() == pem.isPresent()) {
            out.add(Diagnostic.error(pfx.isPresent() ? ConfigCodes.CONFLICTING_KEYS : ConfigCodes.MISSING_KEY,
                    pfx.isPresent() ? "Both \"pfx\" and \"pem\" in certificate \"" + cert.name() + "\""
                            : "Missing \"pfx\" or \"pem\" in certificate \"" + cert.name() + "\"",
                    "A certificate comes from exactly one file, or from an ACME CA.",
                    "Keep one of \"pfx:\" (with \"password:\"), \"pem:\" or \"acme:\" (issued by an ACME CA).", cert.declRange()).withAddress(cert.address()));
            return Optional.empty();
        }
        Path base = baseDirectory(cert);
        String field = pfx.isPresent() ? "pfx" : "pem";
        SourceRange at = cert.range(field);
        Path file = secrets.scope().file(pfx.orElseGet(pem::get), base, at).value();
        if (file == null) {
            return Optional.empty(); // outside what the configuration may read: ScopeRule says so
        }
        try {
            if (pem.isPresent()) {
                return Optional.of(CertificateFile.readPem(file));
            }
            char[] password = new char[0];
            Optional<String> ref = cert.string("password");
            if (ref.isPresent()) {
                if (cem.config.SecretRef.parse(ref.get()).isEmpty() || secrets.withholds()) {
                    return Optional.empty(); // a literal (the schema check reported it), or no secret is read (--no-credentials)
                }
                Result<String> value = secrets.resolve(ref.get(), base, cert.range("password"), Severity.ERROR);
                if (value.value() == null) {
                    value.diagnostics().forEach(d -> out.add(d.withAddress(cert.address())));
                    return Optional.empty();
                }
                password = value.value().toCharArray();
            }
            return Optional.of(CertificateFile.readPfx(file, password));
        } catch (CertificateFile.ReadException e) {
            if (e.wrongPassword()) {
                out.add(Diagnostic.error(ConfigCodes.CERT_WRONG_PASSWORD, "Wrong password for " + field + " file",
                        "The password from " + cert.string("password").orElse("(none)") + " does not open " + pfx.get() + ".",
                        "Check that the secret holds this PFX file's password.",
                        cert.body().has("password") ? cert.range("password") : at).withAddress(cert.address()));
            } else {
                out.add(Diagnostic.error(ConfigCodes.CERT_UNREADABLE, "Cannot read certificate file " + file.getFileName(),
                        "cem could not read it: " + e.getMessage() + ".",
                        "Point \"" + field + ":\" at a valid " + (field.equals("pfx") ? "PKCS#12 (.pfx/.p12)" : "PEM") + " file; the path is relative to the YAML file.",
                        at).withAddress(cert.address()));
            }
            return Optional.empty();
        }
    }

    private void quality(ResourceConfig cert, CertificateFacts facts, SourceRange at, Diagnostics.Builder out) {
        String field = cert.body().has("pfx") ? "pfx" : cert.body().has("pem") ? "pem" : "acme";
        String who = "\"" + facts.subject() + "\"";
        Instant now = clock.instant();
        int minDays = cert.integer("minDaysValid").orElse(DEFAULT_MIN_DAYS_VALID);
        if (facts.notAfter().isBefore(now)) {
            add(out, cert, ConfigCodes.CERT_EXPIRED, "Certificate has expired",
                    "The certificate " + who + " expired on " + facts.notAfter() + ".",
                    "Renew it and point \"" + field + ":\" at the new file.", at);
        } else if (facts.notAfter().isBefore(now.plus(Duration.ofDays(minDays)))) {
            long days = Duration.between(now, facts.notAfter()).toDays();
            add(out, cert, ConfigCodes.CERT_EXPIRES_SOON, "Certificate expires in " + days + " days",
                    "The certificate " + who + " is valid until " + facts.notAfter() + "; minDaysValid asks for at least " + minDays + " days.",
                    "Renew it now, or lower minDaysValid if you accept the risk.",
                    cert.body().has("minDaysValid") ? cert.range("minDaysValid") : at);
        }
        if (facts.notBefore().isAfter(now)) {
            add(out, cert, ConfigCodes.CERT_NOT_YET_VALID, "Certificate is not valid yet",
                    "The certificate " + who + " becomes valid on " + facts.notBefore() + ".",
                    "Check the issuing CA's clock, or wait until the certificate is valid.", at);
        }
        if (!facts.hasServerAuth()) {
            add(out, cert, ConfigCodes.CERT_NO_SERVER_AUTH, "Certificate lacks the Server Authentication usage",
                    facts.extendedKeyUsages() == null
                            ? "The certificate " + who + " has no Extended Key Usage extension."
                            : "Its Extended Key Usages are " + facts.extendedKeyUsages() + "; IIS refuses to bind it without " + CertificateFacts.SERVER_AUTH + ".",
                    "Issue the certificate from a template with Server Authentication (" + CertificateFacts.SERVER_AUTH + ").", at);
        }
        if (facts.keyAlgorithm().equals("EC")) {
            if (!cert.flag("allowEcdsa", false)) {
                add(out, cert, ConfigCodes.CERT_ECDSA, "Certificate has an ECDSA key",
                        "ITMS documents RSA keys only for CEM; an ECDSA certificate may not work with every agent.",
                        "Issue an RSA certificate (2048 bits or more), or set \"allowEcdsa: true\" if you tested ECDSA with your ITMS version.", at);
            }
        } else if (!facts.keyAlgorithm().equals("RSA") || facts.keyBits() < 2048) {
            add(out, cert, ConfigCodes.CERT_WEAK_KEY, "Certificate key is too weak",
                    "The key is " + facts.keyAlgorithm() + " " + facts.keyBits() + " bits; CEM needs RSA of 2048 bits or more.",
                    "Issue a new certificate with an RSA key of 2048 bits or more.", at);
        }
        if (weakSignature(facts.signatureAlgorithm())) {
            add(out, cert, ConfigCodes.CERT_WEAK_SIGNATURE, "Certificate is signed with " + facts.signatureAlgorithm(),
                    "SHA-1 and MD5 signatures are refused by current agents and browsers.",
                    "Reissue the certificate with a SHA-256 (or stronger) signature.", at);
        }
        if (!facts.hasPrivateKey()) {
            add(out, cert, ConfigCodes.CERT_NO_PRIVATE_KEY, "Certificate file has no private key",
                    "A server certificate for IIS or the gateway needs its private key; the file holds only the certificate.",
                    "Export the certificate with its private key (a PFX), or add the key to the PEM file.", at);
        }
        chainProblem(cert, facts).ifPresent(problem -> add(out, cert, ConfigCodes.CERT_INCOMPLETE_CHAIN,
                "Certificate chain is incomplete", "The chain cannot be built: " + problem + ".",
                "Include the intermediate CA certificates in the file, or name the CA with \"trustedCaFile:\".", at));
    }

    private Optional<String> chainProblem(ResourceConfig cert, CertificateFacts facts) {
        List<X509Certificate> extra = new ArrayList<>();
        Optional<String> caFile = cert.string("trustedCaFile");
        if (caFile.isPresent()) {
            Path file = secrets.scope().file(caFile.get(), baseDirectory(cert), cert.range("trustedCaFile")).value();
            if (file == null) {
                return Optional.empty(); // outside what the configuration may read: ScopeRule says so
            }
            try {
                extra.addAll(CertificateFile.readCertificates(file));
            } catch (CertificateFile.ReadException e) {
                return Optional.of("the trustedCaFile cannot be read (" + e.getMessage() + ")");
            }
        }
        return ChainCheck.problem(facts.leaf(), facts.chain(), extra);
    }

    private static boolean weakSignature(String algorithm) {
        String a = algorithm.toUpperCase(Locale.ROOT);
        return a.startsWith("SHA1") || a.startsWith("MD5") || a.startsWith("MD2") || a.contains("SHA1WITH");
    }

    private static void coverage(RequiredNames.Requirement required, String certName, CertificateFacts facts, SourceRange at,
            Diagnostics.Builder out) {
        String name = required.name();
        if (facts != null && !HostnameMatch.covers(facts.dnsNames(), name)) {
            add(out, required.user(), ConfigCodes.CERT_NAME_MISMATCH, "Certificate \"" + certName + "\" does not cover " + name,
                    "It must cover " + required.what() + " (" + name + "), but its names are " + facts.dnsNames() + "."
                            + (facts.dnsNames().stream().anyMatch(n -> n.startsWith("*")) ? " A wildcard stands for exactly one label." : ""),
                    "Use a certificate whose Subject Alternative Names include " + name + ".", at);
        }
    }

    private static void add(Diagnostics.Builder out, ResourceConfig r, String code, String summary, String detail,
            String hint, SourceRange at) {
        out.add(Diagnostic.error(code, summary, detail, hint, at).withAddress(r.address()));
    }

    static Path baseDirectory(ResourceConfig r) {
        return r.doc().directory();
    }
}

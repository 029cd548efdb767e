package cem.acme;

import cem.cert.CertificateFile;
import cem.config.CertificateRule;
import cem.config.Configuration;
import cem.config.RequiredNames;
import cem.config.ResourceConfig;
import cem.config.SecretResolver;
import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.DiagnosticsException;
import cem.diag.Result;
import cem.diag.Severity;
import cem.engine.DesiredResource;
import cem.plan.Plan;
import cem.plan.ResourceChange;
import cem.state.StateEncryption;
import cem.state.StateException;
import cem.state.StateStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The certificates of a configuration that an ACME CA issues: what each needs (nothing, an
 * issuance, a renewal), the desired attributes the planner sees — the kept PEM in memory
 * ({@code pemData}), or the pending step in {@code pem} so that the plan shows it — and the
 * issuance itself, once per set of names per apply. The issued key and certificate are kept in
 * the state backend sealed with the state's encryption key, never in clear.
 */
public final class AcmeCertificates {

    /** The problem codes of this module. */
    public static final String ISSUE_FAILED = "ACM5101";
    public static final String UNREADABLE = "ACM5102";
    public static final String FAILS_CHECKS = "ACM5120";
    public static final String RENEWS_ALWAYS = "ACM5103";
    public static final String NOT_PROPAGATED = "ACM5140";

    private static final int DEFAULT_RENEW_BEFORE = 30;

    /**
     * One ACME certificate's situation.
     *
     * @param cert the certificate resource
     * @param names the names it must cover
     * @param renewBefore days before expiry to renew
     * @param kept what was issued before, or null
     * @param pending "will be issued", "will be renewed (…)", or null when the kept one serves
     */
    public record Status(ResourceConfig cert, List<String> names, int renewBefore, Issued kept, String pending) {

        public Status {
            names = List.copyOf(names);
        }
    }

    private final Configuration config;
    private final SecretResolver secrets;
    private final StateStore store;
    private final StateEncryption encryption;
    private final Clock clock;
    private final Map<String, Status> statuses = new LinkedHashMap<>();
    /**
     * Certificates the CA was asked for in this run: what is kept of them serves until the next
     * run, whatever happened (a fresh certificate is not renewed again because renewBefore is
     * longer than its validity; after a refusal the certificate bound before stays bound).
     */
    private final java.util.Set<String> asked = new java.util.HashSet<>();

    public AcmeCertificates(Configuration config, SecretResolver secrets, StateStore store, StateEncryption encryption, Clock clock) {
        this.config = config;
        this.secrets = secrets;
        this.store = store;
        this.encryption = encryption;
        this.clock = clock;
        refresh();
    }

    /** Every ACME certificate's status, by address. */
    public Map<String, Status> statuses() {
        return Map.copyOf(statuses);
    }

    /** Reads what is kept again (after an issuance). */
    private void refresh() {
        statuses.clear();
        for (ResourceConfig cert : config.ofType("certificate")) {
            if (cert.body().has("acme")) {
                statuses.put(cert.address(), status(cert));
            }
        }
    }

    private Status status(ResourceConfig cert) {
        List<String> names = RequiredNames.requested(config, cert);
        int renewBefore = cert.attr("acme/renewBefore").isIntegralNumber() ? cert.attr("acme/renewBefore").asInt()
                : cert.integer("minDaysValid").orElse(DEFAULT_RENEW_BEFORE);
        Issued kept = kept(cert).orElse(null);
        String pending = null;
        if (kept != null && asked.contains(cert.address())) {
            pending = null;
        } else if (kept == null) {
            pending = "will be issued";
        } else if (kept.daysLeft(clock) < renewBefore) {
            pending = "will be renewed (expires in " + kept.daysLeft(clock) + " days)";
        } else if (!new TreeSet<>(kept.names()).equals(new TreeSet<>(names))) {
            pending = "will be renewed (names changed)";
        }
        return new Status(cert, names, renewBefore, kept, pending);
    }

    /**
     * The desired certificate as the planner should see it: the names to cover, and either the
     * kept PEM (the provider imports and finds it by its thumbprint) or the pending step.
     */
    public DesiredResource overlay(DesiredResource d) {
        Status s = statuses.get(d.address());
        if (s == null) {
            return d;
        }
        ObjectNode attributes = d.attributes().deepCopy();
        s.names().forEach(attributes.putArray("names")::add);
        if (s.pending() == null) {
            attributes.put("pem", "issued by " + URI.create(s.kept().directory()).getHost() + ", valid until " + s.kept().notAfter());
            attributes.put("pemData", "${env:" + variable(s.cert()) + "}"); // a reference: plans and state never hold the key
        } else {
            attributes.put("pem", s.pending());
        }
        return new DesiredResource(d.address(), d.type(), d.host(), attributes, d.dependencies(), d.preventDestroy(), d.ignoreChanges(),
                d.baseDirectory());
    }

    /** The kept PEM of each current certificate, by the variable its {@code pemData} reference names (for the secret resolver). */
    public Map<String, String> variables() {
        Map<String, String> out = new HashMap<>();
        statuses.values().stream().filter(s -> s.pending() == null).forEach(s -> out.put(variable(s.cert()), s.kept().pem()));
        return out;
    }

    private static String variable(ResourceConfig cert) {
        return "CEM_ACME_PEM_" + java.util.HexFormat.of().formatHex(cert.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * The plan with what apply will ask for each certificate it issues or renews, as side effects:
     * the CA, the account, the key and the names, and the TXT records of the DNS-01 challenges
     * through RFC 2136. Read from the configuration alone: neither the CA nor the DNS server is contacted.
     */
    public Plan withRequests(Plan plan) {
        List<ResourceChange> changes = plan.changes().stream()
                .map(c -> c.after() != null && c.action().changesHost() ? c.refined(Map.of(), requests(c.address())) : c).toList();
        return new Plan(plan.mode(), changes, plan.drift(), plan.lineage(), plan.serial(), plan.configDigest(), plan.configDirectory(),
                plan.unknownHosts(), plan.diagnostics().plus(renewingAlways()));
    }

    /**
     * A renewBefore no shorter than what the CA issues renews the certificate at every apply: each
     * run orders a new one, which counts against the CA's limits. Said from the kept certificate's
     * own validity (notBefore to notAfter), so without asking the CA.
     */
    Diagnostics renewingAlways() {
        Diagnostics.Builder out = Diagnostics.builder();
        for (Status s : statuses.values()) {
            if (s.kept() == null) {
                continue;
            }
            // rounded: a CA's "90 days" may end short of 90 whole days (observed with Pebble 2.4.0 in QuickstartAcmeTest)
            long validity = Math.round(java.time.Duration.between(s.kept().leaf().getNotBefore().toInstant(), s.kept().notAfter()).toSeconds() / 86400.0);
            if (s.renewBefore() >= validity) {
                String where = s.cert().attr("acme/renewBefore").isIntegralNumber() ? "/acme/renewBefore" : "/acme";
                out.add(Diagnostic.warning(RENEWS_ALWAYS, "Certificate \"" + s.cert().name() + "\" is renewed at every apply",
                        "It is renewed when fewer than " + s.renewBefore() + " days are left, and " + URI.create(s.kept().directory()).getHost()
                                + " issues it for " + validity + " days: every apply orders a new one, and each order counts against the CA's limits.",
                        "Set acme.renewBefore below " + validity + ".",
                        s.cert().doc().keyRange(s.cert().pointer() + where)).withAddress(s.cert().address()));
            }
        }
        return out.build();
    }

    List<String> requests(String address) {
        Status s = statuses.get(address);
        if (s == null || s.pending() == null) {
            return List.of();
        }
        Status first = statuses.values().stream().filter(o -> o.pending() != null && order(o).equals(order(s))).findFirst().orElseThrow();
        if (!first.cert().address().equals(address)) {
            return List.of("uses the certificate ordered for " + first.cert().address() + " (one order: the same CA, account, key size and names)");
        }
        JsonNode acme = s.cert().body().get("acme");
        JsonNode dns01 = acme.path("dns01");
        JsonNode dns = dns01.path("rfc2136");
        List<String> contact = new ArrayList<>();
        acme.path("contact").forEach(c -> contact.add(c.asText()));
        String binding = acme.has("externalAccountBinding") ? ", bound to the CA's external account " + acme.at("/externalAccountBinding/keyId").asText() : "";
        List<String> out = new ArrayList<>();
        out.add("asks the ACME CA " + acme.path("directory").asText() + " (account " + (contact.isEmpty() ? "without contact" : String.join(", ", contact))
                + binding + ") for a certificate with a new RSA " + keySize(acme) + "-bit key, covering " + String.join(", ", s.names()));
        // RFC 8555 §8.4: the record is _acme-challenge. before the name; a wildcard's is its base name's. Where a CNAME there
        // points is found at apply: a plan contacts nothing.
        String cname = " — or where a CNAME at that name points (asked of " + dns01.path("resolver").asText("this system's resolver") + " at apply) —";
        new java.util.LinkedHashSet<>(s.names().stream().map(n -> "_acme-challenge." + n.replaceFirst("^\\*\\.", "")).toList())
                .forEach(record -> out.add("writes the TXT record " + record + " through RFC 2136 at " + dns.path("server").asText() + " ("
                        + (dns.hasNonNull("zone") ? "zone " + dns.get("zone").asText() : "the zone its SOA answer names") + ", TSIG key "
                        + dns.path("tsigKeyName").asText() + ")" + cname + " for the CA's DNS-01 check, and removes it afterwards"));
        Dns01 wait = dns01(dns01, dns, "");
        out.add("asks the CA to check the records once " + (wait.nameservers().isEmpty() ? dns.path("server").asText() : String.join(", ", wait.nameservers()))
                + " answer" + (wait.nameservers().size() > 1 ? "" : "s") + " them (waiting up to " + wait.timeout().toSeconds() + " s)");
        return out;
    }

    /** Whether any certificate waits for the CA. */
    public boolean anyPending() {
        return statuses.values().stream().anyMatch(s -> s.pending() != null);
    }

    /**
     * Issues every pending certificate (one order per CA, account, key size and set of names,
     * however many hosts carry it), checks each as cem checks a certificate file, and keeps those
     * that pass, sealed. A refusal or a failed check is a diagnostic naming the certificate; nothing
     * is kept for it, so the certificate bound today stays as it is.
     */
    public Diagnostics issuePending() {
        Diagnostics.Builder out = Diagnostics.builder();
        Map<String, Issued> thisApply = new HashMap<>();
        Map<String, AcmeFailure> refusals = new HashMap<>(); // a refused order is not asked again for the next host
        for (Status s : new ArrayList<>(statuses.values())) {
            if (s.pending() == null) {
                continue;
            }
            asked.add(s.cert().address());
            try {
                if (refusals.containsKey(order(s))) {
                    throw refusals.get(order(s));
                }
                Issued issued = thisApply.get(order(s));
                if (issued == null) {
                    try {
                        issued = new AcmeIssuer(clock).issue(request(s));
                    } catch (AcmeFailure e) {
                        refusals.put(order(s), e);
                        throw e;
                    }
                    thisApply.put(order(s), issued);
                }
                Diagnostic failed = failedChecks(s, issued);
                if (failed != null) {
                    out.add(failed);
                } else {
                    keep(s.cert(), issued);
                }
            } catch (AcmeFailure e) {
                out.add(refused(s, e));
            } catch (StateException e) {
                out.add(Diagnostic.error(UNREADABLE, "Cannot keep the certificate \"" + s.cert().name() + "\"", e.getMessage(), e.hint(),
                        null).withAddress(s.cert().address()));
            } catch (DiagnosticsException e) {
                out.addAll(e.diagnostics()); // a secret of this certificate cannot be read: the others are still asked for
            }
        }
        refresh();
        return out.build();
    }

    /**
     * What makes two certificates one order: the CA, the account, the key size and the set of
     * names. Certificates alike in these are interchangeable, so one issuance serves them all;
     * a different key size (or account) is another certificate.
     */
    static String order(Status s) {
        JsonNode acme = s.cert().body().path("acme");
        return String.join("|", acme.path("directory").asText(), acme.path("accountKey").asText(), s.cert().doc().directory().toString(),
                String.valueOf(keySize(acme)), new TreeSet<>(s.names()).toString());
    }

    private static int keySize(JsonNode acme) {
        return acme.path("keySize").asInt(2048);
    }

    /** The CA's refusal, naming the certificate and the CA's problem document. */
    static Diagnostic refused(Status s, AcmeFailure e) {
        JsonNode acme = s.cert().body().get("acme");
        if (e.notPropagated()) {
            return Diagnostic.error(NOT_PROPAGATED, "The DNS-01 records for certificate \"" + s.cert().name() + "\" did not reach every nameserver",
                    "Put the records for " + s.names() + " through RFC 2136, but " + e.getMessage() + ". The CA was not asked to check them.",
                    "Check that the primary notifies its secondaries (BIND 9 reference manual: notify, also-notify) and that they transfer the zone; name"
                            + " under dns01.propagation.nameservers only servers that cem can reach, or allow a longer timeout.",
                    s.cert().doc().keyRange(s.cert().pointer() + "/acme")).withAddress(s.cert().address());
        }
        return Diagnostic.error(ISSUE_FAILED, "ACME CA did not issue certificate \"" + s.cert().name() + "\"",
                "Asked " + acme.path("directory").asText() + " for " + s.names() + ": " + e.getMessage() + ".",
                hint(e.problemType()), s.cert().doc().keyRange(s.cert().pointer() + "/acme")).withAddress(s.cert().address());
    }

    /** What cem's certificate checks find wrong with an issued certificate (as with a PFX or PEM file), or null when it passes. */
    private Diagnostic failedChecks(Status s, Issued issued) {
        List<String> findings = new ArrayList<>();
        try {
            CertificateRule.checkIssued(s.cert(), CertificateFile.readPem(issued.pem()), s.names(), secrets, clock)
                    .forEach(d -> findings.add(d.summary() + ": " + d.detail()));
        } catch (CertificateFile.ReadException e) {
            findings.add("it cannot be read: " + e.getMessage());
        }
        if (findings.isEmpty()) {
            return null;
        }
        return Diagnostic.error(FAILS_CHECKS, "The certificate issued for \"" + s.cert().name() + "\" fails cem's checks and is not imported",
                URI.create(issued.directory()).getHost() + " issued it for " + s.names() + " (valid until " + issued.notAfter() + "), but: "
                        + String.join(" ", findings),
                "The certificate bound now stays bound. Make the certificate's settings match what the CA issues (for example a"
                        + " minDaysValid below the CA's validity), then apply again: cem asks the CA anew.",
                s.cert().doc().keyRange(s.cert().pointer() + "/acme")).withAddress(s.cert().address());
    }

    private static String hint(String problemType) {
        if (problemType == null) {
            return "Check that the DNS server takes the TSIG-signed update for the zone, and that the directory URL is reachable.";
        }
        if (problemType.endsWith(":rateLimited")) {
            return "The CA limits how often it issues: wait for the time it names, and try changes against its staging directory first.";
        }
        if (problemType.endsWith(":externalAccountRequired")) {
            return "This CA binds ACME accounts to an account with it: add acme.externalAccountBinding with the key identifier and"
                    + " the HMAC key (a secret reference) that the CA hands out.";
        }
        if (problemType.endsWith(":caa")) {
            return "A CAA record of the domain forbids this CA: add one that names it (RFC 8659).";
        }
        if (problemType.endsWith(":dns") || problemType.endsWith(":unauthorized") || problemType.endsWith(":incorrectResponse")) {
            return "The CA did not see the TXT record: check that the RFC 2136 server is the zone's primary, and name its secondaries under"
                    + " dns01.propagation.nameservers so that cem waits until they answer.";
        }
        return "See the CA's problem document above; nothing was changed on the hosts, the bound certificate stays.";
    }

    private AcmeIssuer.Request request(Status s) throws AcmeFailure {
        ResourceConfig cert = s.cert();
        JsonNode acme = cert.body().get("acme");
        JsonNode dns = acme.path("dns01").path("rfc2136");
        Path base = cert.doc().directory();
        List<String> contact = new ArrayList<>();
        acme.path("contact").forEach(c -> contact.add(c.asText()));
        JsonNode binding = acme.path("externalAccountBinding");
        return new AcmeIssuer.Request(URI.create(acme.path("directory").asText()), secret(cert, "/acme/accountKey"), contact,
                acme.hasNonNull("trustedCaFile") ? Trust.of(base.resolve(acme.get("trustedCaFile").asText()).normalize()) : null,
                keySize(acme), s.names(), dns01(acme.path("dns01"), dns, secret(cert, "/acme/dns01/rfc2136/tsigSecret")),
                binding.isObject() ? new AcmeIssuer.ExternalAccount(binding.path("keyId").asText(), secret(cert, "/acme/externalAccountBinding/hmacKey")) : null);
    }

    /** The DNS-01 settings: the RFC 2136 server, the resolver asked for CNAMEs, the nameservers that must answer before the CA checks. */
    private static Dns01 dns01(JsonNode dns01, JsonNode rfc2136, String tsigSecret) {
        JsonNode propagation = dns01.path("propagation");
        List<String> nameservers = new ArrayList<>();
        propagation.path("nameservers").forEach(n -> nameservers.add(n.asText()));
        return new Dns01(Rfc2136.of(rfc2136.path("server").asText(), rfc2136.path("zone").asText(null), rfc2136.path("tsigKeyName").asText(),
                rfc2136.path("tsigAlgorithm").asText(null), tsigSecret), dns01.path("resolver").asText(null), nameservers,
                java.time.Duration.ofSeconds(propagation.path("timeout").asLong(Dns01.DEFAULT_TIMEOUT.toSeconds())),
                java.time.Duration.ofSeconds(propagation.path("interval").asLong(Dns01.DEFAULT_INTERVAL.toSeconds())));
    }

    /** The secret an attribute of the certificate refers to; what is wrong with it points at the attribute. */
    private String secret(ResourceConfig cert, String attribute) {
        String pointer = cert.pointer() + attribute;
        Result<String> value = secrets.resolve(cert.body().at(attribute).asText(), cert.doc().directory(), cert.doc().valueRange(pointer), Severity.ERROR);
        if (value.value() == null) {
            throw new DiagnosticsException(value.diagnostics());
        }
        return value.value();
    }

    private Optional<Issued> kept(ResourceConfig cert) {
        if (encryption == null) {
            return Optional.empty(); // validation refused it already
        }
        try {
            Optional<String> text = store.readDocument(document(cert));
            if (text.isEmpty()) {
                return Optional.empty();
            }
            if (!new com.fasterxml.jackson.databind.ObjectMapper().readTree(text.get()).path("lineage").asText().equals(document(cert))) {
                throw new IOException("it was written for another certificate");
            }
            return Optional.of(Issued.fromJson(encryption.open(text.get(), cem.state.StateEncryption.Kind.DOCUMENT, "The kept ACME certificate " + cert.name())));
        } catch (StateException e) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, UNREADABLE, "Cannot read the kept certificate \"" + cert.name() + "\"",
                    e.getMessage(), e.hint(), null, null));
        } catch (IOException e) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, UNREADABLE, "Cannot read the kept certificate \"" + cert.name() + "\"",
                    e.getMessage(), "Remove it from the state backend to issue a new one.", null, null));
        }
    }

    private void keep(ResourceConfig cert, Issued issued) throws StateException {
        // The document's name is bound into the sealed envelope: one certificate's record cannot stand in for another's.
        store.writeDocument(document(cert), encryption.seal(issued.toJson(), cem.state.StateEncryption.Kind.DOCUMENT, document(cert), 0));
    }

    private static String document(ResourceConfig cert) {
        return "acme-" + cert.name();
    }
}

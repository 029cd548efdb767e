package cem.cli;

import cem.cert.CertificateFacts;
import cem.cert.CertificateFile;
import cem.cli.Finding.Status;
import cem.cli.Finding.Symptom;
import cem.config.HostConfig;
import cem.config.ResourceConfig;
import cem.diag.TerminalText;
import cem.engine.PlanOptions;
import cem.engine.Planner;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cem doctor [DIR]}: KB 216202's troubleshooting table and the article's validation list as
 * live checks — what the hosts hold (one read per host, in parallel) and what an agent on the
 * Internet would meet (DNS, TCP, TLS), grouped by symptom. It only reads: nothing is changed, no
 * lock is taken, no state is written.
 */
@Command(name = "doctor", description = {"Check a live CEM estate against the troubleshooting table. Changes nothing.",
    "Per symptom (IG not Online, agents not switching, IIS 403, certificate expired or revoked): what was checked,",
    "what was seen, the likely cause and what to do. Exit 0 all ok, 1 any failure, 2 warnings only (--detailed-exitcode)."})
final class DoctorCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
    String directory = ".";

    @Option(names = "--json", description = "Print the findings as JSON.")
    boolean json;

    @Option(names = "--detailed-exitcode", description = "Exit 2 when there are warnings but no failures.")
    boolean detailedExitcode;

    @Option(names = "--agent", paramLabel = "HOST", description = "A managed computer (a host of the configuration) whose agent to check; repeatable.")
    List<String> agents = new ArrayList<>();

    @Option(names = "--resolver", paramLabel = "HOST[:PORT]", description = "Resolve the gateways' names through this DNS server (e.g. a public one) "
            + "instead of this machine's resolver, and connect to the address it gives.")
    String resolver;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5", description = "Time limit of each network check (default 5).")
    int timeoutSeconds;

    @Option(names = "--sites", paramLabel = "SELECTOR", split = ",",
            description = "In a fleet (a directory with sites.yaml): check these sites, each on its own: all, names, globs, tag:NAME, wave:NAME.")
    List<String> sites = new ArrayList<>();

    @Option(names = "--since", paramLabel = "DURATION", description = "Count the IIS log's 403 answers of this last while (e.g. 24h, 90m, 2d) "
            + "instead of those since the last change cem applied.")
    String since;

    @Mixin
    CommonOptions common;

    DoctorCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws Exception {
        if (!sites.isEmpty() || cem.sites.Inventory.isFleet(session.resolve(directory))) {
            return doctorSites();
        }
        try (Workspace ws = Workspace.open(session, directory, common.debug)) {
            List<String> unknown = HostFacts.unknown(ws, agents);
            if (!unknown.isEmpty()) {
                throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9050",
                        "--agent names no host of this configuration: " + String.join(", ", unknown),
                        "The doctor reaches a managed computer through the hosts the configuration declares.",
                        "Declare the computer under hosts: (os: windows), then run the doctor with --agent NAME.", null, null));
            }
            Planner.Planned planned = PlanRun.plan(ws, ws.readState(), PlanOptions.defaults());
            PlanRun.diagnostics(ws, planned.plan().diagnostics(), common.color(session));
            Map<String, String> iis = new java.util.LinkedHashMap<>();
            List<Finding> facts = HostFacts.check(ws, agents, common.debug, logWindow(ws, since, Instant.now()), iis);
            List<Finding> findings = findings(ws, planned, Duration.ofSeconds(timeoutSeconds), resolver, iis);
            findings.addAll(facts);
            findings.sort(Comparator.comparing(Finding::symptom).thenComparing(Finding::status).thenComparing(Finding::subject));
            if (json) {
                session.out().println(JsonOutput.write(json(findings)));
            } else {
                session.out().print(text(findings, common.color(session)));
            }
            session.out().flush();
            return exitCode(findings, detailedExitcode);
        }
    }

    /** The sites of a fleet, checked at once (one read per host), reported site by site. */
    private int doctorSites() {
        if (!agents.isEmpty()) {
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9051", "--agent needs one site",
                    "An agent host belongs to one site's configuration.", "Run `cem doctor FLEET/sites/NAME --agent HOST` on the rendered site.",
                    null, null));
        }
        try (Fleet fleet = Fleet.open(session, directory, sites, common.debug, false)) {
            java.util.Map<String, List<Finding>> bySite = new java.util.concurrent.ConcurrentHashMap<>();
            List<SitesRun.Site> runs = fleet.members.stream().map(SitesRun.Site::new).toList();
            SitesRun.each(fleet, runs, 64, site -> {
                if (!site.member.ok()) {
                    return;
                }
                try {
                    Planner.Planned read = PlanRun.plan(site.member.ws, site.member.ws.readState(), PlanOptions.defaults());
                    site.addDiagnostics(read.plan().diagnostics());
                    List<Finding> found = findings(site.member.ws, read, Duration.ofSeconds(timeoutSeconds), resolver);
                    found.sort(Comparator.comparing(Finding::symptom).thenComparing(Finding::status).thenComparing(Finding::subject));
                    bySite.put(site.name(), found);
                } catch (cem.diag.DiagnosticsException e) {
                    site.addDiagnostics(e.diagnostics());
                } catch (Exception e) {
                    site.addDiagnostics(cem.diag.Diagnostics.of(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9052",
                            "The checks of site " + site.name() + " failed", String.valueOf(e.getMessage()), "Run with --debug for details.", null, null)));
                }
            });
            SitesRun.printDiagnostics(session, runs, common.color(session));
            List<Finding> all = new ArrayList<>();
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            ArrayNode array = root.putArray("sites");
            for (SitesRun.Site s : runs) {
                List<Finding> found = bySite.get(s.name());
                if (found == null) {
                    // A site that could not be checked counts as a failure of the whole run.
                    found = List.of(Finding.fail(Symptom.IG_NOT_ONLINE, "site.checked", s.name(), "not checked: see the errors above",
                            "the site's configuration or hosts could not be read", "Fix the errors above, then run the doctor again."));
                }
                all.addAll(found);
                if (json) {
                    ObjectNode o = json(found).put("site", s.name());
                    array.add(o);
                } else {
                    session.out().println("── site " + s.name() + " " + "─".repeat(Math.max(3, 60 - s.name().length())));
                    session.out().print(text(found, common.color(session)));
                    session.out().println();
                }
            }
            if (json) {
                root.set("summary", json(all).get("summary"));
                session.out().println(JsonOutput.write(root));
            }
            session.out().flush();
            return exitCode(all, detailedExitcode);
        }
    }

    /** 0 all ok, 1 any failure, 2 warnings only when asked for with --detailed-exitcode. */
    static int exitCode(List<Finding> findings, boolean detailed) {
        boolean failed = findings.stream().anyMatch(f -> f.status() == Status.FAIL);
        boolean warned = findings.stream().anyMatch(f -> f.status() == Status.WARN);
        return failed ? 1 : warned && detailed ? 2 : 0;
    }

    /**
     * The checks of what the hosts hold (read in {@code planned}) and of the network from here: the
     * doctor's table without the agents, and a rollout's health gate.
     */
    static List<Finding> findings(Workspace ws, Planner.Planned planned, Duration timeout, String resolver) throws Exception {
        return findings(ws, planned, timeout, resolver, Map.of());
    }

    /** @param iis W3SVC's state by host, where it was read (it explains a binding nobody answers on) */
    static List<Finding> findings(Workspace ws, Planner.Planned planned, Duration timeout, String resolver, Map<String, String> iis) throws Exception {
        Instant now = Instant.now();
        List<Finding> findings = new ArrayList<>(new DoctorChecks(ws.config, planned.plan(), now).run());
        findings.addAll(AcmeView.findings(ws, now));
        findings.addAll(itms881(ws, planned));
        findings.addAll(network(ws, planned, now, timeout, resolver, iis));
        return findings;
    }

    /** 8.8.1's ephemeral agent certificates and gateways without Auto Refresh (Itms881Checks). */
    private static List<Finding> itms881(Workspace ws, Planner.Planned planned) {
        Itms881Checks checks = new Itms881Checks(ws.config, planned.plan());
        List<Finding> out = new ArrayList<>(checks.run());
        out.addAll(checks.autoRefresh());
        return out;
    }

    /**
     * Which IIS log lines the 403 warning counts: those of the last {@code since} (24h, 90m, 2d,
     * 30s), else those newer than the last change cem applied (the state's last write), else all.
     */
    static HostFacts.LogWindow logWindow(Workspace ws, String since, Instant now) {
        if (since != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,6})([smhd])").matcher(since.trim());
            if (!m.matches()) {
                throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9053",
                        "--since takes a duration such as 24h, not \"" + since + "\"", "A number followed by s, m, h or d.",
                        "Run e.g. `cem doctor --since 24h` to count the last day's 403 answers.", null, null));
            }
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            Instant from = now.minus(d);
            return new HostFacts.LogWindow(from, "lines of the last " + since.trim() + ", since " + from.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
        Instant applied = lastApplied(ws);
        return applied == null ? new HostFacts.LogWindow(null, "the whole newest log: cem has applied nothing here yet")
                : new HostFacts.LogWindow(applied, "lines since the last change cem applied, " + applied.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    /** When cem last wrote this configuration's state: the backend's history, else the local state file's time. */
    private static Instant lastApplied(Workspace ws) {
        try {
            List<cem.state.StateVersion> history = ws.store.history();
            if (!history.isEmpty() && history.get(0).created() != null) {
                return history.get(0).created();
            }
            if (ws.store instanceof cem.state.LocalStateStore local) {
                Instant newest = null;
                for (java.nio.file.Path p : List.of(local.stateFile(), local.stateFile().resolveSibling("state.journal"))) {
                    if (java.nio.file.Files.exists(p)) {
                        Instant t = java.nio.file.Files.getLastModifiedTime(p).toInstant();
                        newest = newest == null || t.isAfter(newest) ? t : newest;
                    }
                }
                return newest;
            }
        } catch (cem.state.StateException | java.io.IOException e) {
            return null;
        }
        return null;
    }

    /** DNS, TCP and TLS from here, every endpoint in parallel. Lab hosts have no network endpoint and are said to be skipped. */
    private static List<Finding> network(Workspace ws, Planner.Planned planned, Instant now, Duration timeout, String resolver,
            Map<String, String> iis) throws Exception {
        NetworkChecks net = new NetworkChecks(timeout, now, resolver);
        Map<String, JsonNode> live = DoctorChecks.live(planned.plan());
        List<Callable<List<Finding>>> work = new ArrayList<>();
        for (ResourceConfig g : ws.config.ofType("internet_gateway")) {
            String fqdn = g.string("externalFqdn").orElse(null);
            int port = g.integer("listenerPort").orElse(443);
            ResourceConfig cert = g.string("certificate").flatMap(n -> ws.config.resource("certificate", n)).orElse(null);
            if (fqdn == null) {
                continue;
            }
            if (isLab(ws, g)) {
                // The lab answers for its gateway on loopback: DNS is the lab's own, TCP and TLS are real.
                work.add(() -> {
                    List<Finding> out = new ArrayList<>();
                    out.add(Finding.ok(Symptom.IG_NOT_ONLINE, "dns", g.address(), fqdn + " → 127.0.0.1 (a lab gateway: the lab's own names)"));
                    java.util.Optional<java.net.InetSocketAddress> at = ws.lab() == null ? java.util.Optional.empty() : ws.lab().gatewayEndpoint(g.host());
                    if (at.isEmpty()) {
                        out.add(Finding.fail(Symptom.AGENT_NOT_SWITCHING, "tcp", g.address(), "nothing listens on " + fqdn + ":" + port
                                + " (the lab's gateway " + g.host() + ")", "the gateway service is stopped, or no certificate of its store covers "
                                + fqdn, "Start the Symantec Internet Gateway Service (cem apply), and import a certificate for " + fqdn + "."));
                        return out;
                    }
                    out.add(net.tcp(Symptom.AGENT_NOT_SWITCHING, g.address(), "127.0.0.1", at.get().getPort()));
                    out.addAll(net.tls(Symptom.AGENT_NOT_SWITCHING, g.address(), fqdn, "127.0.0.1", at.get().getPort(),
                            thumbprint(cert, live), minDays(cert), trusted(ws, cert)));
                    return out;
                });
                continue;
            }
            work.add(() -> {
                List<Finding> out = new ArrayList<>();
                NetworkChecks.Resolved dns = net.dns(Symptom.IG_NOT_ONLINE, g.address(), fqdn);
                out.add(dns.finding());
                if (dns.address() != null) {
                    Finding tcp = net.tcp(Symptom.AGENT_NOT_SWITCHING, g.address(), dns.address(), port);
                    out.add(tcp);
                    if (tcp.status() == Status.OK) {
                        out.addAll(net.tls(Symptom.AGENT_NOT_SWITCHING, g.address(), fqdn, dns.address(), port, thumbprint(cert, live),
                                minDays(cert), trusted(ws, cert)));
                    }
                }
                return out;
            });
        }
        for (ResourceConfig b : ws.config.ofType("iis_binding")) {
            if (!b.string("protocol").orElse("https").equals("https")) {
                continue;
            }
            HostConfig host = ws.config.hosts().get(b.host());
            if (host == null) {
                continue;
            }
            String name = b.string("hostHeader").filter(h -> !h.isEmpty()).orElse(host.clientName() == null ? host.address() : host.clientName());
            int port = b.integer("port").orElse(443);
            ResourceConfig cert = b.string("certificate").flatMap(n -> ws.config.resource("certificate", n)).orElse(null);
            if (host.lab()) {
                java.util.Optional<java.net.InetSocketAddress> at = ws.lab() == null ? java.util.Optional.empty() : ws.lab().bindingEndpoint(b.host(), port);
                Finding silent = silentBinding(b, name, port, iis.get(b.host()), live.get(b.address()));
                work.add(() -> at.isEmpty()
                        ? List.of(silent)
                        : net.tls(Symptom.IIS_403, b.address(), name, "127.0.0.1", at.get().getPort(), thumbprint(cert, live), minDays(cert),
                                trusted(ws, cert)));
                continue;
            }
            work.add(() -> net.tls(Symptom.IIS_403, b.address(), name, host.address(), port, thumbprint(cert, live), minDays(cert),
                    trusted(ws, cert)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(16, work.size())), r -> {
            Thread t = new Thread(r, "cem-doctor");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Finding> out = new ArrayList<>();
            for (Future<List<Finding>> f : pool.invokeAll(work)) {
                out.addAll(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Nothing answers HTTPS on a lab binding: why, from W3SVC's state and the binding's HTTP.SYS record as read. */
    private static Finding silentBinding(ResourceConfig b, String name, int port, String w3svc, JsonNode binding) {
        String seen = "nothing answers HTTPS on " + name + ":" + port + " (the lab's host " + b.host() + ")";
        if (w3svc != null && !w3svc.equals("Running")) {
            return Finding.fail(Symptom.IIS_403, "tls.handshake", b.address(), seen + "; W3SVC is " + w3svc,
                    "IIS is stopped (W3SVC " + w3svc + ")", "Start-Service W3SVC on " + b.host() + " (a windows_service resource keeps it running).");
        }
        if (binding != null && binding.path("thumbprint").asText("").isEmpty()) {
            return Finding.fail(Symptom.IIS_403, "tls.handshake", b.address(), seen + "; W3SVC is " + (w3svc == null ? "unknown" : w3svc)
                    + ", HTTP.SYS holds no certificate for the port", "no certificate is bound to port " + port + " in HTTP.SYS",
                    "Bind the certificate (cem apply).");
        }
        return Finding.fail(Symptom.IIS_403, "tls.handshake", b.address(), seen + (w3svc == null ? "; W3SVC's state could not be read" : "; W3SVC is " + w3svc),
                binding == null ? "the binding is not on the host" : "IIS runs and a certificate is bound, yet the site does not answer",
                binding == null ? "Apply the binding (cem apply)." : "Check the site's state in IIS Manager (a stopped site) and its bindings.");
    }

    private static boolean isLab(Workspace ws, ResourceConfig r) {
        HostConfig h = ws.config.hosts().get(r.host());
        return h != null && h.lab();
    }

    private static String thumbprint(ResourceConfig cert, Map<String, JsonNode> live) {
        JsonNode l = cert == null ? null : live.get(cert.address());
        return l == null ? null : l.path("thumbprint").asText(null);
    }

    private static int minDays(ResourceConfig cert) {
        return cert == null ? CertificateFacts.DEFAULT_MIN_DAYS_VALID : cert.integer("minDaysValid").orElse(CertificateFacts.DEFAULT_MIN_DAYS_VALID);
    }

    private static List<X509Certificate> trusted(Workspace ws, ResourceConfig cert) {
        if (cert == null || cert.string("trustedCaFile").isEmpty()) {
            return List.of();
        }
        try {
            return CertificateFile.readCertificates(cert.doc().directory().resolve(cert.string("trustedCaFile").get()).normalize());
        } catch (CertificateFile.ReadException e) {
            return List.of();
        }
    }

    static ObjectNode json(List<Finding> findings) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        Map<Status, Integer> counts = counts(findings);
        ObjectNode summary = root.putObject("summary");
        counts.forEach((s, n) -> summary.put(s.word(), n));
        ArrayNode list = root.putArray("findings");
        findings.forEach(f -> f.into(list.addObject()));
        return root;
    }

    private static Map<Status, Integer> counts(List<Finding> findings) {
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            counts.put(s, 0);
        }
        findings.forEach(f -> counts.merge(f.status(), 1, Integer::sum));
        return counts;
    }

    static String text(List<Finding> findings, boolean color) {
        StringBuilder b = new StringBuilder();
        for (Symptom symptom : Symptom.values()) {
            List<Finding> group = findings.stream().filter(f -> f.symptom() == symptom).toList();
            if (group.isEmpty()) {
                continue;
            }
            // A symptom is as bad as its worst check; checks that could not run do not make it look bad or good.
            Status worst = group.stream().map(Finding::status).filter(s -> s != Status.SKIP).min(Comparator.naturalOrder()).orElse(Status.SKIP);
            b.append(paint(color, "\u001b[1m", symptom.title)).append(": ").append(badge(worst, color)).append('\n');
            for (Finding f : group) {
                // A finding quotes what hosts answered (states, names, log lines): their control characters are shown, not obeyed.
                b.append(String.format("  %s %-20s %-34s %s%n", badge(f.status(), color), TerminalText.safe(f.check()), TerminalText.safe(f.subject()),
                        TerminalText.safe(f.evidence())));
                if (!f.cause().isEmpty()) {
                    b.append("         likely cause: ").append(TerminalText.safe(f.cause())).append('\n');
                    b.append("         what to do:   ").append(TerminalText.safe(f.action())).append('\n');
                }
            }
            b.append('\n');
        }
        Map<Status, Integer> counts = counts(findings);
        b.append("Doctor: ").append(counts.get(Status.OK)).append(" ok, ").append(counts.get(Status.WARN)).append(" warning(s), ")
                .append(counts.get(Status.FAIL)).append(" failure(s), ").append(counts.get(Status.SKIP)).append(" skipped. Nothing was changed.\n");
        return b.toString();
    }

    private static String badge(Status s, boolean color) {
        String word = String.format("%-4s", s.word().toUpperCase(java.util.Locale.ROOT));
        String code = switch (s) {
            case FAIL -> "\u001b[1;31m";
            case WARN -> "\u001b[33m";
            case SKIP -> "\u001b[2m";
            case OK -> "\u001b[32m";
        };
        return paint(color, code, word);
    }

    private static String paint(boolean color, String code, String text) {
        return color ? code + text + "\u001b[0m" : text;
    }
}

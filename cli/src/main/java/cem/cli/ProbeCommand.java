package cem.cli;

import cem.config.HostConfig;
import cem.config.ResourceConfig;
import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Result;
import cem.diag.Severity;
import cem.diag.TerminalText;
import cem.engine.Hosts;
import cem.spi.HostTarget;
import cem.spi.ProviderContext;
import cem.spi.Sessions;
import cem.spi.TransportException;
import cem.windows.Assumptions;
import cem.windows.Assumptions.Check;
import cem.windows.Assumptions.Status;
import cem.windows.WindowsProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cem probe DIR [HOST…]}: checks, read-only, what no document says and cem assumes (the
 * [?] of agent.md) on real hosts — one batch of read-only agent ops per host, hosts in parallel —
 * and says for each assumption confirmed, contradicted or unknown, with what it saw. No lock, no
 * state, no change on any host.
 */
@Command(name = "probe", description = {"Check, read-only, what no ITMS document says and cem assumes, on your servers. Changes nothing.",
    "For each assumption (the gateway's settings key and values, its service and log folder, the NS's version value, SNI records",
    "and IIS's application id in HTTP.SYS, the CEM policy's XML): confirmed, contradicted or unknown, with the evidence seen.",
    "Attach `--json` to a bug report."})
final class ProbeCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
    String directory = ".";

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "HOST", description = "Hosts of the configuration to probe (default: every "
            + "Windows host with a gateway, the CEM policy or IIS bindings). A named host without such resources is probed for everything.")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--json", description = "Print the checks as JSON (for a bug report).")
    boolean json;

    @Mixin
    CommonOptions common;

    ProbeCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws Exception {
        try (Workspace ws = Workspace.open(session, directory, common.debug)) {
            List<Assumptions.Target> targets = targets(ws);
            List<Check> checks = new ArrayList<>();
            Hosts resolver = new Hosts(ws.config, ws.secrets);
            try (Sessions sessions = new Sessions(new ProviderContext(ws.session.env(), ws.config.directory(), common.debug), "winrm")) {
                ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(16, targets.size())));
                try {
                    Map<Assumptions.Target, Future<List<Check>>> running = new LinkedHashMap<>();
                    for (Assumptions.Target t : targets) {
                        running.put(t, pool.submit(() -> probe(resolver, sessions, t, policyOf(ws, t.host()))));
                    }
                    for (Map.Entry<Assumptions.Target, Future<List<Check>>> e : running.entrySet()) {
                        try {
                            checks.addAll(e.getValue().get());
                        } catch (java.util.concurrent.ExecutionException x) {
                            Throwable cause = unreadable(e.getKey().host(), x);
                            String host = e.getKey().host();
                            checks.add(new Check("host", host, "the host answers the probe", Status.UNKNOWN, "cannot ask host " + host + ": "
                                    + cause.getMessage(), cause instanceof cem.spi.HostAnswerException
                                            ? cem.engine.EngineCodes.unreadableAnswer(host, (cem.spi.HostAnswerException) cause).hint()
                                            : "Check the host's address and credentials: `cem trust " + host + "`, then run the probe again."));
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
            checks.addAll(Assumptions.unanswerable());
            session.out().print(json ? JsonOutput.write(json(checks)) + "\n" : text(checks));
            session.out().flush();
            return 0;
        }
    }

    /**
     * Why a host could not be probed: it cannot be reached (TransportException) or its answer cannot
     * be read (HostAnswerException). Anything else is a bug in cem, not the host's doing: thrown on.
     */
    static Throwable unreadable(String host, java.util.concurrent.ExecutionException x) {
        if (x.getCause() instanceof TransportException || x.getCause() instanceof cem.spi.HostAnswerException) {
            return x.getCause();
        }
        throw new IllegalStateException("asking host " + host + " failed", x.getCause());
    }

    /** The cem_policy resource on this host, if the configuration has one: its ASDK URL and policy name. */
    private static JsonNode policyOf(Workspace ws, String host) {
        return ws.config.ofType("cem_policy").stream().filter(r -> host.equals(r.host())).findFirst().map(r -> r.body()).orElse(null);
    }

    private static List<Check> probe(Hosts resolver, Sessions sessions, Assumptions.Target t, JsonNode policy) throws TransportException {
        Result<HostTarget> target = resolver.target(t.host());
        if (target.value() == null) {
            return List.of(new Check("host", t.host(), "the host answers the probe", Status.UNKNOWN, target.diagnostics().list().isEmpty()
                    ? "not a host of this configuration" : target.diagnostics().list().get(0).summary(), "Fix the host's entry in the configuration."));
        }
        return probe(sessions, target.value(), t, policy);
    }

    /**
     * One host's checks: its batch of probe ops, then, on an NS, the policy's ASDK checks. A host
     * that cannot be reached throws TransportException; one whose answer cannot be read,
     * HostAnswerException (the command says so as the host's check).
     */
    static List<Check> probe(Sessions sessions, HostTarget host, Assumptions.Target t, JsonNode policy) throws TransportException {
        List<Map.Entry<String, JsonNode>> ops = Assumptions.ops(t);
        JsonNode results = WindowsProvider.runOps(sessions.of(host), ops);
        Map<String, JsonNode> answers = new HashMap<>();
        Map<String, String> errors = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            JsonNode r = results.path(i);
            if (r.path("ok").asBoolean()) {
                answers.put(ops.get(i).getKey(), r.path("data"));
            } else {
                errors.put(ops.get(i).getKey(), r.path("error").path("message").asText("no answer"));
            }
        }
        List<Check> checks = new ArrayList<>(Assumptions.judge(t, answers, errors));
        if (t.ns()) {
            String name = policy == null ? cem.windows.PolicyProbe.defaultPolicy() : policy.path("policyName").asText(
                    cem.windows.PolicyProbe.defaultPolicy());
            checks.addAll(cem.windows.PolicyProbe.run(sessions.of(host), t.host(), host.settings().path("address").asText(t.host()),
                    policy == null ? null : policy.path("asdkUrl").asText(null), name));
        }
        return checks;
    }

    /** What to probe where: the named hosts, else every Windows host with a gateway, the policy or IIS bindings. */
    private List<Assumptions.Target> targets(Workspace ws) {
        List<String> unknown = new ArrayList<>();
        for (String h : hosts) {
            HostConfig host = ws.config.hosts().get(h);
            if (host == null || !"windows".equals(host.os())) {
                unknown.add(h);
            }
        }
        if (!unknown.isEmpty()) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9060", "Not a Windows host of this configuration: " + String.join(", ", unknown),
                    "cem probe reads Windows hosts the configuration declares.", "Name hosts declared under hosts: with os: windows.", null, null));
        }
        Set<String> names = new LinkedHashSet<>(hosts);
        if (names.isEmpty()) {
            ws.config.hosts().forEach((name, h) -> {
                if ("windows".equals(h.os())) {
                    names.add(name);
                }
            });
        }
        List<Assumptions.Target> out = new ArrayList<>();
        for (String name : names) {
            ResourceConfig gateway = first(ws, "internet_gateway", name);
            boolean ns = first(ws, "cem_policy", name) != null;
            boolean iis = first(ws, "iis_binding", name) != null || ns;
            boolean named = !hosts.isEmpty() && gateway == null && !ns && !iis;
            if (gateway == null && !ns && !iis && !named) {
                continue;
            }
            String key = gateway == null ? Assumptions.defaultSettingsKey() : gateway.string("settingsKey").orElse(Assumptions.defaultSettingsKey());
            String logs = gateway == null ? Assumptions.defaultLogDirectory() : gateway.string("logDirectory").orElse(Assumptions.defaultLogDirectory());
            out.add(new Assumptions.Target(name, gateway != null || named, ns || named, iis || named, key, logs, endpoints(ws, name)));
        }
        return out;
    }

    private static ResourceConfig first(Workspace ws, String type, String host) {
        return ws.config.ofType(type).stream().filter(r -> host.equals(r.host())).findFirst().orElse(null);
    }

    /** The HTTP.SYS endpoints of the configuration's https bindings on a host, as netsh keys them. */
    private static Set<String> endpoints(Workspace ws, String host) {
        Set<String> out = new LinkedHashSet<>();
        for (ResourceConfig b : ws.config.ofType("iis_binding")) {
            if (!host.equals(b.host()) || !b.string("protocol").orElse("https").equals("https")) {
                continue;
            }
            int port = b.integer("port").orElse(443);
            boolean sni = b.attr("sni").asBoolean(false);
            String ip = b.string("ip").filter(i -> !i.isEmpty() && !i.equals("*")).orElse("0.0.0.0");
            out.add((sni ? b.string("hostHeader").orElse("") : ip).toLowerCase(Locale.ROOT) + ":" + port);
        }
        return out;
    }

    static ObjectNode json(List<Check> checks) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("tool", "cem probe").put("version", VersionCommand.version()).put("readOnly", true);
        ArrayNode array = root.putArray("checks");
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            counts.put(s, 0);
        }
        for (Check c : checks) {
            counts.merge(c.status(), 1, Integer::sum);
            array.addObject().put("id", c.id()).put("host", c.host()).put("assumption", c.assumption()).put("status", c.status().word())
                    .put("evidence", c.evidence()).put("settles", c.settles());
        }
        ObjectNode summary = root.putObject("summary");
        counts.forEach((s, n) -> summary.put(s.word(), n));
        return root;
    }

    static String text(List<Check> checks) {
        StringBuilder b = new StringBuilder("What no document says, checked read-only on your servers:\n");
        Map<String, List<Check>> byHost = new LinkedHashMap<>();
        for (Check c : checks) {
            byHost.computeIfAbsent(c.host().isEmpty() ? "(not answerable by a host today)" : TerminalText.safe(c.host()), k -> new ArrayList<>()).add(c);
        }
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            counts.put(s, 0);
        }
        byHost.forEach((host, list) -> {
            b.append('\n').append(host).append('\n');
            for (Check c : list) {
                counts.merge(c.status(), 1, Integer::sum);
                // The evidence is the host's words (and an assumption or a fix may quote them): shown, never obeyed by the terminal.
                b.append(String.format("  %-12s %s: %s%n", c.status().word(), c.id(), TerminalText.safe(c.assumption())));
                b.append("               seen: ").append(TerminalText.safe(c.evidence())).append('\n');
                if (!c.settles().isEmpty()) {
                    b.append("               ").append(c.status() == Status.CONTRADICTED ? "to correct: " : "to settle: ").append(TerminalText.safe(c.settles()))
                            .append('\n');
                }
            }
        });
        b.append("\nProbe: ").append(counts.get(Status.CONFIRMED)).append(" confirmed, ").append(counts.get(Status.CONTRADICTED))
                .append(" contradicted, ").append(counts.get(Status.UNKNOWN)).append(" unknown. Nothing was changed.")
                .append(counts.get(Status.CONTRADICTED) > 0 ? " Please attach `cem probe --json` to a bug report." : "").append('\n');
        return b.toString();
    }
}

package cem.cli;

import cem.cli.Finding.Symptom;
import cem.config.Configuration;
import cem.diag.Result;
import cem.engine.Hosts;
import cem.spi.HostTarget;
import cem.spi.ProviderContext;
import cem.spi.Sessions;
import cem.spi.TransportException;
import cem.windows.Probes;
import cem.windows.WindowsProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * What the doctor asks Windows hosts beyond a plan's read, one agent batch per host, hosts in
 * parallel, read-only ops only: each NS's and gateway's clock and the 403s in the NS's newest IIS
 * log within a window ({@code host.facts}), W3SVC's state where HTTPS bindings are declared
 * ({@code windows_service.read}), and named managed computers' agent state ({@code agent.status}).
 */
final class HostFacts {

    /** Clocks further apart than this break 8.8.1's short-lived certificates and Kerberos. */
    static final Duration SKEW_FAIL = Duration.ofMinutes(5);
    static final Duration SKEW_WARN = Duration.ofMinutes(1);

    private HostFacts() {}

    /**
     * The window of IIS log lines the 403 count looks at.
     *
     * @param since lines before this instant are not counted, or null to count the whole newest log
     * @param label how the report names the window
     */
    record LogWindow(Instant since, String label) {}

    static List<Finding> check(Workspace ws, List<String> agents, boolean debug) throws Exception {
        return check(ws, agents, debug, new LogWindow(null, "the whole newest log"), new LinkedHashMap<>());
    }

    /**
     * @param window which IIS log lines the 403 warning counts
     * @param iisStates filled with the W3SVC state of each host with an HTTPS binding ("Running",
     *     "Stopped", …, or "absent"), for the network checks
     */
    static List<Finding> check(Workspace ws, List<String> agents, boolean debug, LogWindow window, Map<String, String> iisStates)
            throws Exception {
        Hosts hosts = new Hosts(ws.config, ws.secrets);
        try (Sessions sessions = new Sessions(new ProviderContext(ws.session.env(), ws.config.directory(), debug), "winrm")) {
            return check(ws.config, hosts::target, sessions, agents, window, iisStates);
        }
    }

    /** The checks on {@code config}'s hosts, reached through {@code sessions} as {@code targets} resolves them. */
    static List<Finding> check(Configuration config, Function<String, Result<HostTarget>> targets, Sessions sessions, List<String> agents,
            LogWindow window, Map<String, String> iisStates) throws InterruptedException {
        Set<String> nsHosts = new LinkedHashSet<>();
        config.ofType("cem_policy").forEach(p -> nsHosts.add(p.host()));
        Map<String, String> gatewayHosts = new LinkedHashMap<>();
        config.ofType("internet_gateway").forEach(g -> gatewayHosts.put(g.host(), g.address()));
        Map<String, List<Map.Entry<String, JsonNode>>> ops = new LinkedHashMap<>();
        for (String h : nsHosts) {
            ops.computeIfAbsent(h, k -> new ArrayList<>()).add(Probes.hostFacts());
        }
        gatewayHosts.keySet().forEach(h -> ops.computeIfAbsent(h, k -> new ArrayList<>()).add(Probes.hostFacts()));
        for (String a : agents) {
            ops.computeIfAbsent(a, k -> new ArrayList<>()).add(Probes.agentStatus());
        }
        Set<String> iisHosts = iisHosts(config);
        iisHosts.forEach(h -> ops.computeIfAbsent(h, k -> new ArrayList<>()).add(webService()));
        Map<String, Map<String, JsonNode>> answers = new LinkedHashMap<>();
        List<Finding> out = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(16, ops.size())));
        try {
            Map<String, Future<Map<String, JsonNode>>> running = new LinkedHashMap<>();
            for (Map.Entry<String, List<Map.Entry<String, JsonNode>>> e : ops.entrySet()) {
                Result<HostTarget> target = targets.apply(e.getKey());
                if (target.value() == null) {
                    out.add(Finding.skip(Symptom.AGENT_NOT_SWITCHING, "host", e.getKey(), target.diagnostics().list().isEmpty()
                            ? "not a host of this configuration" : target.diagnostics().list().get(0).summary()));
                    continue;
                }
                Callable<Map<String, JsonNode>> call = () -> run(sessions, target.value(), e.getValue());
                running.put(e.getKey(), pool.submit(call));
            }
            for (Map.Entry<String, Future<Map<String, JsonNode>>> e : running.entrySet()) {
                try {
                    answers.put(e.getKey(), e.getValue().get());
                } catch (java.util.concurrent.ExecutionException x) {
                    out.add(Finding.skip(Symptom.IG_NOT_ONLINE, "host", e.getKey(), "cannot ask host " + e.getKey() + ": "
                            + ProbeCommand.unreadable(e.getKey(), x).getMessage()));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        clocks(nsHosts, gatewayHosts, answers, out);
        for (String h : nsHosts) {
            iisLog(h, answers.getOrDefault(h, Map.of()).get("host.facts"), window, out);
        }
        for (String h : iisHosts) {
            iisService(h, answers.getOrDefault(h, Map.of()).get("windows_service.read"), answers.containsKey(h), iisStates, out);
        }
        for (String a : agents) {
            agent(a, answers.getOrDefault(a, Map.of()).get("agent.status"), out);
        }
        return out;
    }

    private static Map<String, JsonNode> run(Sessions sessions, HostTarget host, List<Map.Entry<String, JsonNode>> ops)
            throws TransportException {
        Instant start = Instant.now();
        JsonNode results = WindowsProvider.runOps(sessions.of(host), ops);
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            JsonNode r = results.path(i);
            if (r.path("ok").asBoolean()) {
                out.put(ops.get(i).getKey(), r.path("data"));
            }
        }
        // The host's clock was read somewhere within the round trip: keep its half as the error bar.
        out.put("roundTrip", JsonNodeFactory.instance.numberNode(Duration.between(start, Instant.now()).toMillis()));
        return out;
    }

    private static void clocks(Set<String> nsHosts, Map<String, String> gateways, Map<String, Map<String, JsonNode>> answers, List<Finding> out) {
        for (String ns : nsHosts) {
            Instant nsTime = time(answers.get(ns));
            for (Map.Entry<String, String> g : gateways.entrySet()) {
                Instant igTime = time(answers.get(g.getKey()));
                if (nsTime == null || igTime == null) {
                    out.add(Finding.skip(Symptom.IG_NOT_ONLINE, "clock.skew", g.getValue(), "the clocks of " + ns + " and " + g.getKey()
                            + " could not both be read"));
                    continue;
                }
                long errorMillis = (answers.get(ns).get("roundTrip").asLong() + answers.get(g.getKey()).get("roundTrip").asLong()) / 2;
                Duration skew = Duration.between(nsTime, igTime).abs().minusMillis(errorMillis);
                String evidence = g.getKey() + " is " + Duration.between(nsTime, igTime).toSeconds() + " s from " + ns + " (±"
                        + Math.max(1, errorMillis / 1000) + " s)";
                if (skew.compareTo(SKEW_FAIL) > 0) {
                    out.add(Finding.fail(Symptom.IG_NOT_ONLINE, "clock.skew", g.getValue(), evidence,
                            "clock skew: 8.8.1's short-lived gateway certificates and Kerberos fail", "Synchronise both hosts' clocks (w32tm /resync)."));
                } else if (skew.compareTo(SKEW_WARN) > 0) {
                    out.add(Finding.warn(Symptom.IG_NOT_ONLINE, "clock.skew", g.getValue(), evidence, "the clocks drift apart",
                            "Check time synchronisation on both hosts."));
                } else {
                    out.add(Finding.ok(Symptom.IG_NOT_ONLINE, "clock.skew", g.getValue(), evidence));
                }
            }
        }
    }

    private static Instant time(Map<String, JsonNode> answer) {
        try {
            return answer == null || answer.get("host.facts") == null ? null : Instant.parse(answer.get("host.facts").path("utcNow").asText());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The hosts with an HTTPS IIS binding in the configuration: IIS (W3SVC) must run there. */
    private static Set<String> iisHosts(Configuration config) {
        Set<String> out = new LinkedHashSet<>();
        for (cem.config.ResourceConfig b : config.ofType("iis_binding")) {
            if (b.host() != null && b.string("protocol").orElse("https").equals("https") && config.hosts().containsKey(b.host())) {
                out.add(b.host());
            }
        }
        return out;
    }

    /** The op {@code windows_service.read} of W3SVC (World Wide Web Publishing Service, which serves IIS's sites). */
    private static Map.Entry<String, JsonNode> webService() {
        com.fasterxml.jackson.databind.node.ObjectNode args = JsonNodeFactory.instance.objectNode();
        args.putArray("names").add("W3SVC");
        return Map.entry("windows_service.read", args);
    }

    /** IIS runs: W3SVC's state as the host reports it, so that a binding nobody answers on is explained, not guessed. */
    private static void iisService(String host, JsonNode services, boolean answered, Map<String, String> states, List<Finding> out) {
        if (services == null) {
            out.add(Finding.skip(Symptom.IIS_403, "iis.service", host, answered ? "W3SVC could not be read on " + host : "host " + host + " did not answer"));
            return;
        }
        String state = services.isEmpty() ? "absent" : services.path(0).path("state").asText("unknown");
        states.put(host, state);
        if (state.equals("Running")) {
            out.add(Finding.ok(Symptom.IIS_403, "iis.service", host, "W3SVC (World Wide Web Publishing Service) is Running"));
        } else if (state.equals("absent")) {
            out.add(Finding.fail(Symptom.IIS_403, "iis.service", host, "W3SVC is not installed on " + host,
                    "IIS is not installed: nothing serves the HTTPS bindings", "Install IIS (the Web Server role) on " + host + "."));
        } else {
            out.add(Finding.fail(Symptom.IIS_403, "iis.service", host, "W3SVC (World Wide Web Publishing Service) is " + state,
                    "IIS is stopped: no site answers, agents and gateways get no HTTPS at all",
                    "Start-Service W3SVC on " + host + " (a windows_service resource with state: running keeps it so)."));
        }
    }

    private static void iisLog(String host, JsonNode facts, LogWindow window, List<Finding> out) {
        if (facts == null) {
            out.add(Finding.skip(Symptom.IIS_403, "iis.log403", host, "host " + host + " did not answer"));
            return;
        }
        Probes.IisLog log = Probes.iisLog(facts, window.since());
        String counted = window.label() + (log.undated() > 0 ? "; " + log.undated() + " line(s) without date and time counted" : "");
        if (log.path().isEmpty()) {
            out.add(Finding.skip(Symptom.IIS_403, "iis.log403", host, "no IIS log found on " + host));
        } else if (log.count403() > 0) {
            out.add(Finding.warn(Symptom.IIS_403, "iis.log403", host, log.count403() + " answers 403 in "
                    + log.path() + " (" + counted + "), e.g. " + log.sample(),
                    "agents refused at the HTTPS binding: usually the certificate binding (KB 216202)",
                    "Check binding.certificate above and the site's SSL settings (client certificates must be accepted, not required)."));
        } else {
            out.add(Finding.ok(Symptom.IIS_403, "iis.log403", host, "no 403 in " + log.path() + " (" + counted + ")"));
        }
    }

    private static void agent(String host, JsonNode status, List<Finding> out) {
        Symptom s = Symptom.AGENT_NOT_SWITCHING;
        if (status == null) {
            out.add(Finding.skip(s, "agent.switched", host, "host " + host + " did not answer"));
            return;
        }
        out.add(status.path("switched").asBoolean()
                ? Finding.ok(s, "agent.switched", host, status.path("agentLog").asText() + ": Switching to Internet Gateway mode")
                : Finding.fail(s, "agent.switched", host, "no \"Switching to Internet Gateway mode\" in " + status.path("agentLog").asText("the agent log"),
                        "the policy has not reached this computer, or it cannot reach a gateway",
                        "Check the policy's targets (is this computer a member?) and the gateway checks above; then update the agent's configuration."));
        JsonNode mode = status.path("secureGatewayMode");
        String prefer = status.path("preferSecureGatewayConnect").isNull() ? "not set"
                : status.path("preferSecureGatewayConnect").asInt() != 0 ? "1: the gateway first when both routes work" : "0: direct first";
        String evidence = "Secure Gateway Mode " + (mode.isNull() ? "not set" : mode.asInt()) + "; Prefer Secure Gateway Connect " + prefer;
        if (mode.isNumber() && mode.asInt() == 1) {
            out.add(Finding.fail(s, "agent.mode", host, evidence, "the 8.7 stuck state: the agent stopped retrying the gateway (KB 397041)",
                    "Set HKLM\\SOFTWARE\\Altiris\\Communications\\Secure Gateway Mode to 2 and restart the Symantec Management Agent service."));
        } else if (mode.isNumber() && mode.asInt() == 3) {
            out.add(Finding.warn(s, "agent.mode", host, evidence, "CEM is being torn down on this agent",
                    "Wait for the next policy update; if it stays at 3, check that the policy still targets this computer."));
        } else {
            out.add(Finding.ok(s, "agent.mode", host, evidence + (mode.isNumber() && mode.asInt() == 2 ? " (2: CEM active)" : "")));
        }
    }

    /** Hosts named with --agent that the configuration does not have. */
    static List<String> unknown(Workspace ws, List<String> agents) {
        List<String> out = new ArrayList<>();
        for (String a : agents) {
            if (!ws.config.hosts().containsKey(a)) {
                out.add(a);
            }
        }
        return out;
    }
}

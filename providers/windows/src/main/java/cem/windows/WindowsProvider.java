package cem.windows;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Severity;
import cem.spi.ApplyRequest;
import cem.spi.ApplyResponse;
import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.Provider;
import cem.spi.ProviderContext;
import cem.spi.ReadRequest;
import cem.spi.ReadResponse;
import cem.spi.ResourceInstance;
import cem.spi.ResourceSchema;
import cem.spi.Sessions;
import cem.spi.Transport;
import cem.spi.TransportException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Certificates, IIS bindings, Windows Firewall rules and services. Each read is one agent batch
 * per host; each apply is one batch holding the changes and then the reads that tell the new
 * state — one round trip either way, over WinRM or SSH alike.
 */
public final class WindowsProvider implements Provider {

    private static final Map<String, ResourceSchema> SCHEMAS = WindowsSchemas.all();
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Sessions sessions;
    /** What this run learned of each host from its reads: see {@link Known}. */
    private final Map<String, Known> known = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * What a run knows of a host from its last read, for decisions at apply time: the certificate
     * its secrets are sealed to, its raw IIS read (is an HTTP.SYS record shared?) and whether the
     * gateway's service runs (a running one is restarted for new settings, a stopped one left so).
     */
    record Known(java.security.cert.X509Certificate recipient, JsonNode iis, JsonNode gateway, Map<String, JsonNode> asdk) {

        static final Known NONE = new Known(null, null, null, Map.of());

        Known {
            asdk = Map.copyOf(asdk);
        }

        Known merge(Reads reads, JsonNode results) {
            Map<String, JsonNode> answers = new HashMap<>(asdk);
            answers.putAll(reads.asdkAnswers());
            return new Known(reads.agentInfo(results).flatMap(Agent::recipient).orElse(recipient), reads.iis(results).orElse(iis),
                    reads.gateway(results).orElse(gateway), answers);
        }

        boolean gatewayRunning() {
            return gateway != null && gateway.path("service").path("state").asText().equalsIgnoreCase("Running");
        }
    }

    private Known known(HostTarget host) {
        return known.getOrDefault(host.name(), Known.NONE);
    }

    /**
     * Runs a batch that holds reads, then — only when the ASDK answers call for it — one follow-up
     * batch of the calls that needed them (see {@link AsdkReads}). The results are the first batch's.
     */
    private Batch runReading(HostTarget host, Agent agent, Reads reads, java.util.Collection<ResourceInstance> resources) {
        Batch batch = run(host, agent);
        if (batch.failure() != null) {
            return batch;
        }
        reads.take(batch.results());
        Agent more = new Agent();
        if (!reads.followUp(resources, more)) {
            return batch;
        }
        Batch second = run(host, more);
        if (second.failure() != null) {
            return new Batch(null, second.failure(), batch.trips() + second.trips());
        }
        reads.take(second.results());
        return new Batch(batch.results(), null, batch.trips() + second.trips());
    }

    private void learn(HostTarget host, Reads reads, JsonNode results) {
        known.compute(host.name(), (k, old) -> (old == null ? Known.NONE : old).merge(reads, results));
    }

    public WindowsProvider(ProviderContext context) {
        this.sessions = new Sessions(context, "winrm");
    }

    @Override
    public Map<String, ResourceSchema> schemas() {
        return SCHEMAS;
    }

    @Override
    public ReadResponse read(ReadRequest request) {
        Agent agent = new Agent();
        Reads reads = Reads.add(agent, request.resources(), request.host());
        Batch batch = runReading(request.host(), agent, reads, request.resources());
        if (batch.failure() != null) {
            return new ReadResponse(Map.of(), Diagnostics.of(batch.failure()), batch.trips());
        }
        learn(request.host(), reads, batch.results());
        Map<String, LiveResource> live = new HashMap<>();
        Diagnostics.Builder diags = Diagnostics.builder();
        for (ResourceInstance r : request.resources()) {
            try {
                live.put(r.address(), reads.live(r, batch.results(), request.host()));
            } catch (IllegalStateException e) {
                diags.add(new Diagnostic(Severity.ERROR, "PRV4003", "Cannot read " + r.address(), e.getMessage(),
                        "The agent reported this from host " + request.host().name() + "; fix the cause on the host.", null, r.address()));
            }
        }
        return new ReadResponse(live, diags.build(), batch.trips());
    }

    @Override
    public cem.spi.PlanResponse plan(cem.spi.PlanRequest request) {
        return PlanNotes.of(request, known(request.host()));
    }

    @Override
    public ApplyResponse apply(ApplyRequest request) {
        int prepared = prepare(request);
        Agent agent = new Agent();
        Map<Integer, ApplyRequest.Change> byOp = new HashMap<>();
        Diagnostics.Builder diags = Diagnostics.builder();
        List<ResourceInstance> touched = new ArrayList<>();
        for (ApplyRequest.Change change : request.changes()) {
            ResourceInstance r = change.resource();
            touched.add(r);
            try {
                Integer op = Ops.add(agent, change, request.host(), known(request.host()));
                if (op != null) {
                    byOp.put(op, change);
                }
            } catch (IOException | GeneralSecurityException | IllegalArgumentException | IllegalStateException e) {
                boolean itms = r.type().equals("resource_target") || r.type().equals("cem_policy");
                diags.add(new Diagnostic(Severity.ERROR, "PRV4004", "Cannot prepare " + r.address(), e.getMessage(),
                        itms ? "Check the names the resource refers to on the NS, then run cem plan again."
                                : "Check the certificate file and its password.", null, r.address()));
            }
        }
        Reads reads = Reads.add(agent, touched, request.host());
        Batch batch = runReading(request.host(), agent, reads, touched);
        if (batch.failure() != null) {
            return new ApplyResponse(Map.of(), Diagnostics.of(batch.failure()), batch.trips() + prepared);
        }
        learn(request.host(), reads, batch.results());
        for (int i = 0; i < agent.size(); i++) {
            JsonNode data = batch.results().path(i).path("data");
            if (agent.opName(i).equals("internet_gateway.install") && data.hasNonNull("exitCode") && !Itms.installSucceeded(data.get("exitCode").asInt())) {
                for (ApplyRequest.Change change : request.changes()) {
                    if (change.resource().type().equals("internet_gateway")) {
                        diags.add(new Diagnostic(Severity.ERROR, "PRV4004", "The Internet Gateway installer failed on host " + request.host().name(),
                                "The installer exited with " + data.get("exitCode").asInt() + ".", "Run the installer by hand on the host to see its "
                                + "message (for an .msi: msiexec /i PACKAGE /l*v log.txt), fix the cause and apply again.", null,
                                change.resource().address()));
                    }
                }
            }
        }
        java.util.Set<String> failed = new java.util.HashSet<>();
        java.util.TreeMap<Integer, ApplyRequest.Change> ordered = new java.util.TreeMap<>(byOp);
        byOp.forEach((index, change) -> {
            JsonNode result = asdkFailure(agent, batch.results(), ordered.lowerKey(index) == null ? 0 : ordered.lowerKey(index) + 1, index)
                    .orElse(batch.results().path(index));
            if (result.path("ok").asBoolean(false) && change.resource().type().equals("offline_package")) {
                try {
                    OfflinePackage.write(change.resource(), request.host(), result.path("data"));
                } catch (IOException e) {
                    failed.add(change.resource().address());
                    diags.add(new Diagnostic(Severity.ERROR, "PRV4004", "Cannot write the offline package of " + change.resource().address(),
                            e.getMessage(), "Check that cem may write the output path.", null, change.resource().address()));
                }
            }
            if (!result.path("ok").asBoolean(false)) {
                String address = change.resource().address();
                failed.add(address);
                diags.add(new Diagnostic(Severity.ERROR, "PRV4004", "Failed to " + change.operation().name().toLowerCase(Locale.ROOT) + " "
                        + address, "Windows said: " + result.path("error").path("message").asText("(no message)"),
                        "Fix the cause on host " + request.host().name() + " and run apply again.", null, address));
            }
        });
        Map<String, LiveResource> results = new HashMap<>();
        for (ApplyRequest.Change change : request.changes()) {
            ResourceInstance r = change.resource();
            if (failed.contains(r.address()) || diags.build().list().stream().anyMatch(d -> r.address().equals(d.address()))) {
                continue;
            }
            if (change.operation() == ApplyRequest.Operation.DELETE && r.type().equals("offline_package")) {
                try {
                    OfflinePackage.delete(r, request.host());
                } catch (IOException e) {
                    diags.add(new Diagnostic(Severity.ERROR, "PRV4004", "Cannot delete " + r.address(), e.getMessage(),
                            "Delete the file by hand.", null, r.address()));
                    continue;
                }
            }
            LiveResource now = reads.live(withIdentityFromImport(r, change, batch.results(), byOp), batch.results(), request.host());
            if (change.operation() == ApplyRequest.Operation.DELETE) {
                if (!now.exists() || Itms.forgottenOnDelete(r)) {
                    results.put(r.address(), LiveResource.absent(r.address()));
                }
            } else if (now.exists()) {
                results.put(r.address(), now);
            } else {
                diags.add(new Diagnostic(Severity.ERROR, "PRV4004", r.address() + " is missing after apply",
                        "The agent reported success, but reading the host afterwards does not find it.",
                        "This is a bug in the windows provider or the host; run plan to see what is live.", null, r.address()));
            }
        }
        return new ApplyResponse(results, diags.build(), batch.trips() + prepared);
    }

    /**
     * Reads what an apply needs to know and this run has not read yet (an apply of a saved plan
     * made by another process): the host's encryption certificate before a PFX is sealed to it, the
     * IIS bindings before one is removed, the gateway's service before its settings change. One
     * round trip when needed, none otherwise; returns the number of round trips.
     */
    private int prepare(ApplyRequest request) {
        Known k = known(request.host());
        List<ResourceInstance> needed = new ArrayList<>();
        for (ApplyRequest.Change change : request.changes()) {
            ResourceInstance r = change.resource();
            boolean delete = change.operation() == ApplyRequest.Operation.DELETE;
            boolean missing = switch (r.type()) {
                case "certificate" -> !delete && k.recipient() == null;
                case "iis_binding" -> delete && k.iis() == null;
                case "internet_gateway" -> !delete && k.gateway() == null;
                // The GUIDs behind names and the policy's XML come from the NS's ASDK answers.
                // (answers of this very resource's lookups: another resource's answers, read at an earlier level, do not do)
                case "resource_target" -> !r.attributes().hasNonNull("guid") && !(delete && r.identity() != null)
                        && !k.asdk().containsKey(Asdk.getItemsByName(AsdkReads.baseUrl(r, request.host()), Itms.targetName(r)).key());
                case "cem_policy" -> !k.asdk().containsKey(Asdk.getItemsByName(AsdkReads.baseUrl(r, request.host()), Itms.policyName(r)).key());
                default -> false;
            };
            if (missing) {
                needed.add(r);
            }
        }
        if (needed.isEmpty()) {
            return 0;
        }
        Agent agent = new Agent();
        Reads reads = Reads.add(agent, needed, request.host());
        Batch batch = runReading(request.host(), agent, reads, needed);
        if (batch.failure() == null) {
            learn(request.host(), reads, batch.results());
        }
        return batch.trips();
    }

    /** After an import, the new certificate is known by the thumbprint Windows returned. */
    private static ResourceInstance withIdentityFromImport(ResourceInstance r, ApplyRequest.Change change, JsonNode results,
            Map<Integer, ApplyRequest.Change> byOp) {
        for (Map.Entry<Integer, ApplyRequest.Change> e : byOp.entrySet()) {
            if (e.getValue() == change && r.type().equals("certificate") && change.operation() != ApplyRequest.Operation.DELETE) {
                String thumb = results.path(e.getKey()).path("data").path("thumbprint").asText(null);
                return new ResourceInstance(r.address(), r.type(), thumb, r.attributes(), r.related());
            }
        }
        return r;
    }

    /**
     * The first ASDK call of a change (ops from..to of the batch) that the service refused, as a
     * failed result: an asdk.call the agent made is ok even when the answer is an HTTP error.
     */
    private static java.util.Optional<JsonNode> asdkFailure(Agent agent, JsonNode results, int from, int to) {
        for (int i = from; i <= to; i++) {
            JsonNode r = results.path(i);
            if (agent.opName(i).equals("asdk.call") && r.path("ok").asBoolean(false) && r.path("data").path("status").asInt() != 200) {
                String first = r.path("data").path("body").asText("").strip().lines().findFirst().orElse("(no message)");
                ObjectNode failed = object().put("ok", false);
                failed.putObject("error").put("message", agent.request().path("ops").path(i).path("args").path("method").asText()
                        + " answered HTTP " + r.path("data").path("status").asInt() + ": " + first);
                return java.util.Optional.of(failed);
            }
        }
        return java.util.Optional.empty();
    }

    private record Batch(JsonNode results, Diagnostic failure, int trips) {}

    private Batch run(HostTarget host, Agent agent) {
        try {
            JsonNode results = sessions.with(host, t -> agent.run(t, TIMEOUT));
            return new Batch(results, null, 1);
        } catch (TransportException e) {
            return new Batch(null, sessions.failed(host, e), 0);
        } catch (Agent.AgentException e) {
            return new Batch(null, Sessions.hostProblem(e.getMessage() + " (host " + host.name() + ")", e.detail(), e.hint()), 1);
        }
    }

    /**
     * Runs ops on a host outside a plan (cem probe, cem doctor, cem ig restore): the same agent,
     * installed when needed.
     *
     * @throws cem.spi.HostAnswerException when the agent could not run the batch on the host, or answered something else
     */
    public static JsonNode runOps(Transport transport, List<Map.Entry<String, JsonNode>> ops) throws TransportException {
        Agent agent = new Agent();
        ops.forEach(op -> agent.add(op.getKey(), op.getValue()));
        try {
            return agent.run(transport, TIMEOUT);
        } catch (Agent.AgentException e) {
            throw new cem.spi.HostAnswerException(e.getMessage() + ": " + cem.spi.HostAnswerException.excerpt(e.detail()));
        }
    }

    @Override
    public void close() {
        sessions.close();
    }

    static ArrayNode array() {
        return Agent.JSON.createArrayNode();
    }

    static ObjectNode object() {
        return Agent.JSON.createObjectNode();
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}

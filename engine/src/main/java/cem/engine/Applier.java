package cem.engine;

import cem.config.SecretRef;
import cem.config.SecretResolver;
import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.diag.Severity;
import cem.graph.Graph;
import cem.plan.Action;
import cem.plan.Plan;
import cem.plan.PlanMode;
import cem.plan.ResourceChange;
import cem.spi.ApplyRequest;
import cem.spi.ApplyResponse;
import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.Provider;
import cem.spi.ResourceInstance;
import cem.spi.ResourceSchema;
import cem.state.ResourceState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carries out a plan. Three phases, each in graph levels: deletions (dependents first), then
 * creations, updates and replacements (dependencies first), then the old objects of
 * create-before-destroy replacements. Within a level one batch per host, hosts in parallel. The
 * state is written after every finished batch. A failure skips what depends on it; independent
 * branches go on.
 */
public final class Applier {

    /**
     * The outcome of an apply.
     *
     * @param unfinished the addresses that failed or were skipped
     */
    public record Outcome(int succeeded, int failed, int skipped, Diagnostics diagnostics, int roundTrips, boolean cancelled,
            Set<String> unfinished) {

        public Outcome {
            unfinished = Set.copyOf(unfinished);
        }
    }

    private record Step(ResourceChange change, List<ApplyRequest.Operation> operations, boolean deposed) {}

    private final ProviderRegistry registry;
    private final Hosts hosts;
    private final SecretResolver secrets;
    private final StateRecorder recorder;
    private final ApplyHook hook;
    private final int parallelism;
    private final cem.state.SecretDigest secretDigest;
    private final AtomicBoolean cancel = new AtomicBoolean();
    /** Every change of the plan being applied, and the addresses applied so far (for {@link ApplyRequest#unchanged()}). */
    private List<ResourceChange> planned = List.of();
    private final Set<String> done = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param secretDigest how secrets are recorded in the state (keyed when the state is encrypted) */
    public Applier(ProviderRegistry registry, Hosts hosts, SecretResolver secrets, StateRecorder recorder, ApplyHook hook,
            int parallelism, cem.state.SecretDigest secretDigest) {
        this.registry = registry;
        this.secretDigest = secretDigest;
        this.hosts = hosts;
        this.secrets = secrets;
        this.recorder = recorder;
        this.hook = hook;
        this.parallelism = Math.max(1, parallelism);
    }

    /** Stops after the batches in flight (Ctrl-C): their results are recorded, nothing new starts. */
    public void cancel() {
        cancel.set(true);
    }

    /**
     * @param plan the plan to carry out
     * @param desired desired resources (for dependencies, lifecycle and where secrets resolve from)
     */
    public Outcome apply(Plan plan, Map<String, DesiredResource> desired) {
        planned = plan.changes();
        List<Diagnostic> diags = Collections.synchronizedList(new ArrayList<>());
        Set<String> failed = Collections.synchronizedSet(new TreeSet<>());
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger trips = new AtomicInteger();
        boolean stateOnly = false;
        for (ResourceChange c : plan.changes()) {
            if (c.action() == Action.FORGET) {
                recorder.remove(c.address());
                stateOnly = true;
            } else if (c.action() == Action.NO_OP && c.adopting()) {
                // Found on the host as the configuration wants it: only the state learns of it, nothing on the host changes.
                DesiredResource d = desired.get(c.address());
                recorder.put(new ResourceState(c.address(), c.type(), c.host(), c.identity(), c.before(), c.dependencies(),
                        d != null && d.preventDestroy()));
                hook.adopted(c.address());
                stateOnly = true;
            } else if (c.previousAddress() != null) {
                stateOnly = true; // the move itself was applied to the working state
            }
        }
        if (plan.mode() == PlanMode.REFRESH_ONLY) {
            refreshState(plan);
            stateOnly = true;
        }
        if (stateOnly) {
            recorder.persist();
        }
        List<Step> deletes = new ArrayList<>();
        List<Step> main = new ArrayList<>();
        List<Step> deposed = new ArrayList<>();
        for (ResourceChange c : plan.changes()) {
            switch (c.action()) {
                case DELETE -> deletes.add(new Step(c, List.of(ApplyRequest.Operation.DELETE), false));
                case CREATE -> main.add(new Step(c, List.of(ApplyRequest.Operation.CREATE), false));
                case UPDATE -> main.add(new Step(c, List.of(ApplyRequest.Operation.UPDATE), false));
                case DELETE_THEN_CREATE -> main.add(new Step(c,
                        List.of(ApplyRequest.Operation.DELETE, ApplyRequest.Operation.CREATE), false));
                case CREATE_THEN_DELETE -> {
                    main.add(new Step(c, List.of(ApplyRequest.Operation.CREATE), false));
                    deposed.add(new Step(c, List.of(ApplyRequest.Operation.DELETE), true));
                }
                default -> {
                }
            }
        }
        Set<String> skipped = Collections.synchronizedSet(new TreeSet<>());
        runPhase(deletes, true, desired, failed, skipped, ok, trips, diags);
        runPhase(main, false, desired, failed, skipped, ok, trips, diags);
        runPhase(deposed, true, desired, failed, skipped, ok, trips, diags);
        recorder.persistAll();
        if (recorder.failure() != null) {
            diags.add(new Diagnostic(Severity.ERROR, "APL5008", "The state could not be saved", recorder.failure().getMessage(),
                    recorder.failure().hint(), null, null));
        }
        Diagnostics.Builder b = Diagnostics.builder();
        synchronized (diags) {
            diags.forEach(b::add);
        }
        Set<String> unfinished = new TreeSet<>(failed);
        unfinished.addAll(skipped);
        return new Outcome(ok.get(), failed.size(), skipped.size(), b.build(), trips.get(), cancel.get(), unfinished);
    }

    private void runPhase(List<Step> steps, boolean reverse, Map<String, DesiredResource> desired, Set<String> failed,
            Set<String> skipped, AtomicInteger ok, AtomicInteger trips, List<Diagnostic> diags) {
        if (steps.isEmpty()) {
            return;
        }
        Graph graph = new Graph();
        Map<String, Step> byAddress = new LinkedHashMap<>();
        steps.forEach(s -> {
            graph.addNode(s.change().address());
            byAddress.put(s.change().address(), s);
        });
        steps.forEach(s -> s.change().dependencies().forEach(d -> graph.addEdge(s.change().address(), d)));
        List<List<String>> levels = graph.levels();
        if (reverse) {
            Collections.reverse(levels);
        }
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "cem-apply");
            t.setDaemon(true);
            return t;
        });
        try {
            for (List<String> level : levels) {
                if (cancel.get()) {
                    level.forEach(skipped::add);
                    continue;
                }
                Map<String, List<Step>> byHost = new LinkedHashMap<>();
                for (String address : level) {
                    Step step = byAddress.get(address);
                    if (step.deposed() && (failed.contains(address) || skipped.contains(address))) {
                        continue; // its replacement was not created: the old object stays, on the host and in the state
                    }
                    String blocker = blockedBy(step, graph, reverse, failed, skipped);
                    if (blocker != null) {
                        skipped.add(address);
                        diags.add(new Diagnostic(Severity.ERROR, EngineCodes.SKIPPED, "Skipped " + address,
                                "It " + (reverse ? "is depended on by " : "depends on ") + blocker + ", which failed or was skipped.",
                                "Fix the failure of " + blocker + " and run apply again.", null, address));
                        continue;
                    }
                    byHost.computeIfAbsent(step.change().host(), h -> new ArrayList<>()).add(step);
                }
                List<Future<?>> running = new ArrayList<>();
                for (Map.Entry<String, List<Step>> e : byHost.entrySet()) {
                    running.add(pool.submit(() -> HostSlots.run(() -> runHost(e.getKey(), e.getValue(), desired, failed, ok, trips, diags))));
                }
                for (Future<?> f : running) {
                    f.get();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel.set(true);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("apply failed", e.getCause());
        } finally {
            pool.shutdown();
        }
    }

    private static String blockedBy(Step step, Graph graph, boolean reverse, Set<String> failed, Set<String> skipped) {
        Set<String> related = reverse ? graph.dependents(step.change().address()) : graph.dependencies(step.change().address());
        for (String r : related) {
            if (failed.contains(r) || skipped.contains(r)) {
                return r;
            }
        }
        return null;
    }

    private void runHost(String host, List<Step> steps, Map<String, DesiredResource> desired, Set<String> failed,
            AtomicInteger ok, AtomicInteger trips, List<Diagnostic> diags) {
        Instant start = Instant.now();
        hook.started(host, steps.stream().map(s -> s.change().address()).toList());
        Result<HostTarget> target = hosts.target(host);
        if (target.value() == null) {
            for (Step s : steps) {
                fail(s, target.diagnostics().list().isEmpty() ? "host cannot be reached" : target.diagnostics().list().get(0).summary(),
                        failed, diags, start);
            }
            target.diagnostics().forEach(diags::add);
            hook.hostDone(host);
            return;
        }
        Map<Provider, List<Step>> byProvider = new LinkedHashMap<>();
        for (Step s : steps) {
            registry.forType(s.change().type()).ifPresent(p -> byProvider.computeIfAbsent(p, k -> new ArrayList<>()).add(s));
        }
        for (Map.Entry<Provider, List<Step>> e : byProvider.entrySet()) {
            List<ApplyRequest.Change> changes = new ArrayList<>();
            Map<String, Map<String, String>> resolvedSecrets = new LinkedHashMap<>();
            List<Step> sendable = new ArrayList<>();
            for (Step s : e.getValue()) {
                Map<String, String> resolved = new LinkedHashMap<>();
                String problem = resolve(s, desired.get(s.change().address()), resolved);
                if (problem != null) {
                    fail(s, problem, failed, diags, start);
                    continue;
                }
                resolvedSecrets.put(s.change().address(), resolved);
                sendable.add(s);
                DesiredResource d = desired.get(s.change().address());
                Map<String, JsonNode> related = d == null ? Map.of() : new Resolved(desired, secrets, registry).related(d);
                for (ApplyRequest.Operation op : s.operations()) {
                    changes.add(new ApplyRequest.Change(op, instance(s, op, resolved, related)));
                }
            }
            if (changes.isEmpty()) {
                continue;
            }
            ApplyResponse response;
            try {
                response = e.getKey().apply(new ApplyRequest(target.value(), changes, unchanged(host, e.getKey(), sendable)));
            } catch (cem.spi.HostAnswerException ex) {
                Diagnostic answer = EngineCodes.unreadableAnswer(host, ex);
                diags.add(answer);
                sendable.forEach(s -> fail(s, answer.summary(), failed, null, start));
                continue;
            } catch (RuntimeException ex) {
                sendable.forEach(s -> fail(s, "provider failed: " + ex, failed, diags, start));
                continue;
            }
            trips.addAndGet(response.roundTrips());
            for (Step s : sendable) {
                String address = s.change().address();
                LiveResource result = response.results().get(address);
                List<Diagnostic> own = response.diagnostics().list().stream()
                        .filter(d -> address.equals(d.address()) || d.address() == null).toList();
                if (result == null || own.stream().anyMatch(Diagnostic::isError)) {
                    diags.addAll(own);
                    fail(s, own.isEmpty() ? "the provider returned no result" : own.get(0).summary(), failed,
                            own.isEmpty() ? diags : null, start);
                    continue;
                }
                record(s, result, desired.get(address), resolvedSecrets.get(address), diags);
                done.add(address);
                ok.incrementAndGet();
                hook.finished(address, s.deposed() ? Action.DELETE : s.change().action(), Duration.between(start, Instant.now()), null);
            }
            recorder.persist();
        }
        hook.hostDone(host);
    }

    /** The provider's other resources on the host, as they stand while this batch runs. */
    private List<ResourceInstance> unchanged(String host, Provider provider, List<Step> batch) {
        Set<String> inBatch = new java.util.HashSet<>();
        batch.forEach(s -> inBatch.add(s.change().address()));
        List<ResourceInstance> out = new ArrayList<>();
        for (ResourceChange c : planned) {
            if (!host.equals(c.host()) || inBatch.contains(c.address()) || c.action() == Action.FORGET
                    || registry.forType(c.type()).orElse(null) != provider) {
                continue;
            }
            JsonNode now = c.action() == Action.NO_OP || done.contains(c.address()) ? c.after() : c.before();
            if (now != null) {
                out.add(new ResourceInstance(c.address(), c.type(), c.identity(), now));
            }
        }
        return out;
    }

    /** Marks a step failed; {@code diags} null when the provider's own diagnostic already says why. */
    private void fail(Step s, String why, Set<String> failed, List<Diagnostic> diags, Instant start) {
        String address = s.change().address();
        failed.add(address);
        if (diags != null) {
            diags.add(new Diagnostic(Severity.ERROR, EngineCodes.APPLY_FAILED, "Failed to " + s.change().action().word() + " " + address,
                    why, "Fix the cause and run apply again; cem re-reads what is live and continues from there.", null, address));
        }
        hook.finished(address, s.change().action(), Duration.between(start, Instant.now()), why);
    }

    /** Resolves the secret references of a change's after-values; returns a problem or null. */
    private String resolve(Step s, DesiredResource d, Map<String, String> out) {
        JsonNode after = s.change().after();
        if (after == null || s.deposed()) {
            return null;
        }
        Path base = d != null ? d.baseDirectory() : Path.of(".");
        for (String attr : s.change().sensitive()) {
            JsonNode ref = after.get(attr);
            if (ref != null && ref.isTextual() && SecretRef.parse(ref.asText()).isPresent()) {
                Result<String> value = secrets.resolve(ref.asText(), base, null, Severity.ERROR);
                if (value.value() == null) {
                    return value.diagnostics().list().get(0).summary();
                }
                out.put(attr, value.value());
            }
        }
        return null;
    }

    private static ResourceInstance instance(Step s, ApplyRequest.Operation op, Map<String, String> secrets,
            Map<String, JsonNode> related) {
        ResourceChange c = s.change();
        if (op == ApplyRequest.Operation.DELETE) {
            return new ResourceInstance(c.address(), c.type(), c.identity(), c.before() == null ? emptyObject() : c.before(), related);
        }
        ObjectNode attributes = ((ObjectNode) c.after()).deepCopy();
        c.afterUnknown().forEach(attributes::remove);
        secrets.forEach(attributes::put);
        return new ResourceInstance(c.address(), c.type(), c.identity(), attributes, related);
    }

    private void record(Step s, LiveResource result, DesiredResource d, Map<String, String> secrets, List<Diagnostic> diags) {
        ResourceChange c = s.change();
        if (s.deposed() || c.action() == Action.DELETE) {
            if (c.action() == Action.DELETE) {
                recorder.remove(c.address());
            }
            return;
        }
        ResourceSchema schema = registry.schema(c.type()).orElseThrow();
        ObjectNode attributes = ((ObjectNode) result.attributes()).deepCopy();
        for (String attr : c.sensitive()) {
            attributes.remove(attr);
            if (secrets.containsKey(attr)) {
                attributes.put(attr, secretDigest.of(secrets.get(attr)));
            } else if (c.before() != null && c.before().has(attr)) {
                attributes.set(attr, c.before().get(attr));
            }
        }
        checkConsistency(c, result, schema, diags);
        recorder.put(new ResourceState(c.address(), c.type(), c.host(), result.identity(), attributes, c.dependencies(),
                d != null && d.preventDestroy()));
    }

    /** A provider whose result differs from the planned known values has a bug: say so. */
    private static void checkConsistency(ResourceChange c, LiveResource result, ResourceSchema schema, List<Diagnostic> diags) {
        if (c.after() == null) {
            return;
        }
        c.after().fields().forEachRemaining(e -> {
            String attr = e.getKey();
            if (c.sensitive().contains(attr) || c.afterUnknown().contains(attr) || schema.isComputed(attr)) {
                return;
            }
            JsonNode got = result.attributes().get(attr);
            if (got != null && !Values.equal(schema, attr, e.getValue(), got)) {
                diags.add(new Diagnostic(Severity.WARNING, EngineCodes.PROVIDER_BUG,
                        "Provider produced an inconsistent result for " + c.address(),
                        "After apply, \"" + attr + "\" is " + got + " but the plan said " + e.getValue() + ".",
                        "This is a bug in the " + c.provider() + " provider; please report it. The next plan shows the difference.",
                        null, c.address()));
            }
        });
    }

    private void refreshState(Plan plan) {
        for (ResourceChange d : plan.drift()) {
            recorder.snapshot().resource(d.address()).ifPresent(s -> {
                if (d.after() == null) {
                    recorder.remove(d.address());
                } else {
                    recorder.put(new ResourceState(s.address(), s.type(), s.host(), d.identity(), d.after(), s.dependencies(),
                            s.preventDestroy()));
                }
            });
        }
    }

    private static JsonNode emptyObject() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
}

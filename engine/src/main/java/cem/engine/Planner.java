package cem.engine;

import cem.config.Configuration;
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
import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import cem.spi.ResourceSchema;
import cem.state.ResourceState;
import cem.state.State;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Makes a plan: desired resources from the configuration, what cem manages from the state, what
 * is live from one read per host; then per resource create, update, replace, delete or nothing,
 * attribute by attribute. Only what is in the state is ever deleted.
 */
public final class Planner {

    private final Configuration config;
    private final ProviderRegistry registry;
    private final SecretResolver secrets;
    private final String configDigest;
    private final cem.state.SecretDigest secretDigest;
    private java.util.function.UnaryOperator<DesiredResource> overlay = java.util.function.UnaryOperator.identity();

    /** @param secretDigest how the state's digests of secrets are checked (keyed when the state is encrypted) */
    public Planner(Configuration config, ProviderRegistry registry, SecretResolver secrets, String configDigest,
            cem.state.SecretDigest secretDigest) {
        this.config = config;
        this.secretDigest = secretDigest;
        this.registry = registry;
        this.secrets = secrets;
        this.configDigest = configDigest;
    }

    /**
     * Adjusts each desired resource before it is compared (a certificate an ACME CA issues gets its
     * kept PEM, or its pending step). Returns this planner.
     */
    public Planner withOverlay(java.util.function.UnaryOperator<DesiredResource> overlay) {
        this.overlay = overlay;
        return this;
    }

    /** A plan and the state after moves and forgets (what apply starts from). */
    public record Planned(Plan plan, State workingState, Map<String, DesiredResource> desired, int roundTrips) {}

    /** The state a saved plan starts from: the configuration's moves and forgets applied. */
    public static State applyMovesAndForget(Configuration config, ProviderRegistry registry, State prior) {
        State state = new Planner(config, registry, null, null, cem.state.SecretDigest.UNKEYED).applyMoves(prior, Diagnostics.builder());
        for (Configuration.Removed r : config.removed()) {
            state = state.without(r.from());
        }
        return state;
    }

    public Planned plan(State prior, PlanOptions options) {
        Diagnostics.Builder diags = Diagnostics.builder();
        Map<String, DesiredResource> desired = DesiredState.of(config, registry, diags);
        desired.replaceAll((address, d) -> overlay.apply(d));
        State state = applyMoves(prior, diags);
        desired = Identities.keepNames(desired, state, registry);
        Map<String, String> previousAddress = new HashMap<>();
        for (Configuration.Moved m : config.moved()) {
            if (state.resource(m.to()).isPresent() && prior.resource(m.from()).isPresent()) {
                previousAddress.put(m.to(), m.from());
            }
        }
        Set<String> forget = new TreeSet<>();
        for (Configuration.Removed r : config.removed()) {
            if (desired.containsKey(r.from())) {
                diags.add(Diagnostic.error(EngineCodes.MOVE_CONFLICT, "Resource " + r.from() + " is both declared and removed",
                        "A \"removed\" entry forgets a resource the configuration no longer declares.",
                        "Delete the resource's declaration, or the removed entry.", r.range()));
            } else if (state.resource(r.from()).isPresent()) {
                forget.add(r.from());
            }
        }
        checkAddresses(options, desired, state, diags);
        Identities.againstState(config, desired, state, forget, registry, diags);

        Map<String, ResourceInstance> toRead = new LinkedHashMap<>();
        Map<String, ResourceInstance> managed = new LinkedHashMap<>();
        Map<String, String> hostOf = new LinkedHashMap<>();
        Resolved resolved = new Resolved(desired, secrets, registry);
        for (DesiredResource d : desired.values()) {
            ResourceState s = state.resource(d.address()).orElse(null);
            ResourceInstance wanted = withRecordedNames(resolved.instance(d, s == null ? null : s.identity()), desired, state);
            toRead.put(d.address(), wanted);
            hostOf.put(d.address(), d.host());
            if (s != null && Identities.renamed(d, s, registry)) {
                // The configuration names another object (a ruleName changed): the one cem manages is read, so that
                // the plan replaces it (its name forces replacement) instead of creating a second one beside it.
                managed.put(d.address(), new ResourceInstance(d.address(), d.type(), s.identity(), Identities.named(s, registry), wanted.related()));
            }
        }
        for (ResourceState s : state.all()) {
            if (!toRead.containsKey(s.address()) && !forget.contains(s.address()) && registry.schema(s.type()).isPresent()) {
                toRead.put(s.address(), new ResourceInstance(s.address(), s.type(), s.identity(), s.attributes()));
                hostOf.put(s.address(), s.host());
            }
        }
        Refresh.Outcome read = secrets.withholds() ? fromState(toRead, state, diags)
                : new Refresh(registry, new Hosts(config, secrets), options.parallelism(), options.onePerResource())
                        .read(Refresh.group(hostOf, withManaged(toRead, managed)));
        diags.addAll(read.diagnostics());

        List<ResourceChange> changes = new ArrayList<>();
        List<ResourceChange> drift = new ArrayList<>();
        for (String address : new TreeSet<>(toRead.keySet())) {
            DesiredResource d = options.mode() == PlanMode.DESTROY ? null : desired.get(address);
            ResourceState s = state.resource(address).orElse(null);
            LiveResource live = read.live().get(address);
            String host = hostOf.get(address);
            if (s != null && live != null) {
                driftOf(s, live).ifPresent(drift::add);
            }
            if (live == null) {
                changes.add(unknown(address, d, s, host));
                continue;
            }
            ResourceChange c = options.mode() == PlanMode.REFRESH_ONLY ? noOp(address, d, s, live, host)
                    : change(address, d, s, live, host, options.replace().contains(address), options.mode() == PlanMode.DESTROY, diags);
            changes.add(previousAddress.containsKey(address) ? withPrevious(c, previousAddress.get(address)) : c);
            protect(c, d, s, diags);
        }
        for (String address : forget) {
            ResourceState s = state.resource(address).orElseThrow();
            changes.add(new ResourceChange(address, null, s.type(), s.host(), registry.providerName(s.type()), Action.FORGET,
                    s.attributes(), s.attributes(), Set.of(), sensitiveOf(s.type()), Set.of(), "removed_from_configuration",
                    s.identity(), s.dependencies()));
        }
        changes = resendReferences(changes);
        changes = new PlanRefinement(registry, new Hosts(config, secrets)).refine(changes, toRead, diags);
        changes = target(changes, desired, state, options);
        Identities.renameHints(changes, config, registry, diags);
        Plan plan = new Plan(options.mode(), changes, drift, prior.lineage(), prior.serial(), configDigest,
                config.directory().toString(), new ArrayList<>(read.unknownHosts()), config.attach(diags.build()).sorted());
        return new Planned(plan, state, desired, read.roundTrips());
    }

    private static Map<String, ResourceInstance> withManaged(Map<String, ResourceInstance> toRead, Map<String, ResourceInstance> managed) {
        Map<String, ResourceInstance> out = new LinkedHashMap<>(toRead);
        out.putAll(managed);
        return out;
    }

    /**
     * Without credentials no host is read: the state stands for what is live (as Terraform's
     * {@code -refresh=false}), and the plan says so.
     */
    private static Refresh.Outcome fromState(Map<String, ResourceInstance> toRead, State state, Diagnostics.Builder diags) {
        Map<String, LiveResource> live = new LinkedHashMap<>();
        for (String address : toRead.keySet()) {
            live.put(address, state.resource(address).map(s -> new LiveResource(address, true, s.identity(), s.attributes()))
                    .orElse(LiveResource.absent(address)));
        }
        diags.add(Diagnostic.warning(EngineCodes.PLANNED_WITHOUT_CREDENTIALS, "Planned without credentials: no host was read",
                "This plan compares the configuration with the state only: what changed on a host since the last apply, and changed "
                        + "secrets, do not show. No secret reference was resolved.",
                "Review it as a change to the configuration; the apply job, which holds the credentials, plans again before it applies.",
                null));
        return new Refresh.Outcome(live, Set.of(), Diagnostics.empty(), 0);
    }

    private State applyMoves(State prior, Diagnostics.Builder diags) {
        State state = prior;
        for (Configuration.Moved m : config.moved()) {
            boolean hasFrom = state.resource(m.from()).isPresent();
            boolean hasTo = state.resource(m.to()).isPresent();
            if (hasFrom && hasTo) {
                diags.add(Diagnostic.error(EngineCodes.MOVE_CONFLICT, "Cannot move " + m.from() + " to " + m.to(),
                        "The state already holds both addresses.", "Remove the moved entry, or forget one of them with `cem state rm`.",
                        m.range()));
            } else if (hasFrom) {
                if (!m.from().substring(0, m.from().indexOf('.')).equals(m.to().substring(0, m.to().indexOf('.')))) {
                    diags.add(Diagnostic.error(EngineCodes.MOVE_CONFLICT, "A move cannot change the resource type",
                            m.from() + " and " + m.to() + " have different types.", "Move only between names of one type.", m.range()));
                    continue;
                }
                ResourceState s = state.resource(m.from()).orElseThrow();
                state = state.without(m.from()).with(Identities.moved(s, m, registry, diags));
            }
        }
        return state;
    }

    private void checkAddresses(PlanOptions options, Map<String, DesiredResource> desired, State state, Diagnostics.Builder diags) {
        for (Set<String> set : List.of(options.targets(), options.excludes(), options.replace())) {
            for (String a : set) {
                if (!desired.containsKey(a) && state.resource(a).isEmpty()) {
                    Set<String> known = new TreeSet<>(desired.keySet());
                    known.addAll(state.resources().keySet());
                    String hint = cem.diag.Suggestions.closest(a, known).map(c -> "Did you mean " + c + "? ").orElse("")
                            + "Addresses are type.name, e.g. iis_binding.ns-https; `cem state list` shows what cem manages.";
                    diags.add(new Diagnostic(Severity.ERROR, EngineCodes.UNKNOWN_TARGET, "No resource " + a,
                            "Neither the configuration nor the state has this address.", hint, null, a));
                }
            }
        }
    }

    private ResourceChange change(String address, DesiredResource d, ResourceState s, LiveResource live, String host,
            boolean forceReplace, boolean destroy, Diagnostics.Builder diags) {
        String type = d != null ? d.type() : s.type();
        ResourceSchema schema = registry.schema(type).orElseThrow();
        String provider = registry.providerName(type);
        Set<String> sensitive = sensitiveOf(type);
        JsonNode before = live.exists() ? mask(live.attributes(), s, schema) : null;
        String identity = live.exists() ? live.identity() : s == null ? null : s.identity();
        if (d == null && schema.forgets(s.attributes())) {
            // cem does not delete this object from its host: leaving the configuration forgets it.
            return new ResourceChange(address, null, type, host, provider, Action.FORGET, before == null ? s.attributes() : before,
                    before == null ? s.attributes() : before, Set.of(), sensitive, Set.of(),
                    schema.forgetOnDelete() ? "not_deleted_by_cem" : "not_created_by_cem", identity,
                    s.dependencies());
        }
        if (d == null) {
            if (!live.exists()) {
                // Gone already: only the state entry is left; apply removes it.
                return new ResourceChange(address, null, type, host, provider, Action.DELETE, s.attributes(), null, Set.of(),
                        sensitive, Set.of(), "deleted_outside_cem", identity, s.dependencies());
            }
            return new ResourceChange(address, null, type, host, provider, Action.DELETE, before, null, Set.of(), sensitive,
                    Set.of(), destroy ? "destroy_requested" : "not_in_configuration", identity, s.dependencies());
        }
        Set<String> computed = new TreeSet<>();
        schema.attributes().values().forEach(a -> {
            if (a.computed()) {
                computed.add(a.name());
            }
        });
        if (!live.exists()) {
            return new ResourceChange(address, null, type, host, provider, Action.CREATE, null, d.attributes(), computed,
                    sensitive, Set.of(), s == null ? null : "deleted_outside_cem", null, d.dependencies());
        }
        Set<String> changed = new TreeSet<>();
        for (Iterator<String> it = d.attributes().fieldNames(); it.hasNext(); ) {
            String attr = it.next();
            if (d.ignoreChanges().contains(attr) || schema.isComputed(attr)) {
                continue;
            }
            boolean same = schema.isSensitive(attr)
                    ? secretUnchanged(d, attr, s, diags)
                    : Values.equal(schema, attr, d.attributes().get(attr), before.get(attr));
            if (!same) {
                changed.add(attr);
            }
        }
        // An unchanged secret shows its reference on both sides, so no view marks it as changed.
        for (String attr : sensitive) {
            if (!changed.contains(attr) && d.attributes().has(attr) && before instanceof ObjectNode b) {
                b.set(attr, d.attributes().get(attr));
            }
        }
        ObjectNode after = ((ObjectNode) live.attributes()).deepCopy();
        d.attributes().fields().forEachRemaining(e -> {
            if (!d.ignoreChanges().contains(e.getKey())) {
                after.set(e.getKey(), e.getValue());
            }
        });
        Set<String> replacePaths = new TreeSet<>();
        changed.forEach(a -> {
            if (schema.requiresReplace(a)) {
                replacePaths.add(a);
            }
        });
        ResourceChange c;
        if (changed.isEmpty() && !forceReplace) {
            c = new ResourceChange(address, null, type, host, provider, Action.NO_OP, before, maskAfter(after, before, sensitive),
                    Set.of(), sensitive, Set.of(), null, identity, d.dependencies());
        } else if (!replacePaths.isEmpty() || forceReplace) {
            Action action = schema.createBeforeDestroy() ? Action.CREATE_THEN_DELETE : Action.DELETE_THEN_CREATE;
            computed.forEach(after::remove);
            c = new ResourceChange(address, null, type, host, provider, action, before, after, computed, sensitive, replacePaths,
                    forceReplace ? "replace_by_request" : s != null && schema.forgets(s.attributes()) ? "replace_forgets_old"
                            : "replace_because_cannot_update", identity, d.dependencies());
        } else {
            c = new ResourceChange(address, null, type, host, provider, Action.UPDATE, before, after, Set.of(), sensitive,
                    Set.of(), null, identity, d.dependencies());
        }
        // On the host but not in the state: apply adopts it, as Terraform imports, then makes the changes (if any).
        return s == null ? c.adopted() : c;
    }

    /** A sensitive value is unchanged when the state's digest matches the resolved secret. */
    private boolean secretUnchanged(DesiredResource d, String attr, ResourceState s, Diagnostics.Builder diags) {
        JsonNode recorded = s == null ? null : s.attributes().get(attr);
        String ref = d.attributes().path(attr).asText();
        if (SecretRef.parse(ref).isEmpty()) {
            return false;
        }
        if (secrets.withholds()) {
            return true; // not compared without credentials (the plan says so)
        }
        Result<String> value = secrets.resolve(ref, d.baseDirectory(), null, Severity.ERROR);
        if (value.value() == null) {
            value.diagnostics().forEach(x -> diags.add(x.withAddress(d.address())));
            return true;
        }
        return recorded != null && secretDigest.matches(recorded.asText(), value.value());
    }

    private ResourceChange noOp(String address, DesiredResource d, ResourceState s, LiveResource live, String host) {
        String type = d != null ? d.type() : s.type();
        ResourceSchema schema = registry.schema(type).orElseThrow();
        JsonNode now = live.exists() ? mask(live.attributes(), s, schema) : null;
        return new ResourceChange(address, null, type, host, registry.providerName(type), Action.NO_OP, now, now, Set.of(),
                sensitiveOf(type), Set.of(), null, live.identity(), d != null ? d.dependencies() : s.dependencies());
    }

    private ResourceChange unknown(String address, DesiredResource d, ResourceState s, String host) {
        String type = d != null ? d.type() : s.type();
        return new ResourceChange(address, null, type, host, registry.providerName(type), Action.NO_OP,
                s == null ? null : s.attributes(), d == null ? null : d.attributes(), Set.of(), sensitiveOf(type), Set.of(),
                "host_unreadable", s == null ? null : s.identity(), d != null ? d.dependencies() : s.dependencies());
    }

    /** The recorded attributes against what was read: changes made outside cem. */
    private java.util.Optional<ResourceChange> driftOf(ResourceState s, LiveResource live) {
        ResourceSchema schema = registry.schema(s.type()).orElse(null);
        if (schema == null) {
            return java.util.Optional.empty();
        }
        if (!live.exists()) {
            return java.util.Optional.of(new ResourceChange(s.address(), null, s.type(), s.host(), registry.providerName(s.type()),
                    Action.DELETE, s.attributes(), null, Set.of(), sensitiveOf(s.type()), Set.of(), "deleted_outside_cem",
                    s.identity(), s.dependencies()));
        }
        ObjectNode now = (ObjectNode) mask(live.attributes(), s, schema);
        ObjectNode recorded = ((ObjectNode) s.attributes()).deepCopy();
        DesiredState.fillNested(schema, recorded); // a state written before a default was filled in is no drift
        boolean differs = false;
        for (Iterator<String> it = recorded.fieldNames(); it.hasNext(); ) {
            String attr = it.next();
            // A position is read relative to the configuration's order, not the state's: moves show in the plan, not as drift.
            boolean position = schema.orderGroup() != null && attr.equals(ResourceSchema.POSITION);
            if (!position && !schema.isSensitive(attr) && !schema.isComputed(attr) && now.has(attr)
                    && !Values.equal(schema, attr, recorded.get(attr), now.get(attr))) {
                differs = true;
            }
        }
        if (!differs) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new ResourceChange(s.address(), null, s.type(), s.host(), registry.providerName(s.type()),
                Action.UPDATE, s.attributes(), now, Set.of(), sensitiveOf(s.type()), Set.of(), "changed_outside_cem",
                live.identity(), s.dependencies()));
    }

    /**
     * What a resource refers to, as the host knows it now: a related resource whose name the
     * configuration changes (a target's targetName) is still known on the host by the name the state
     * records, so a read that finds it by name (a policy mapping its targets' GUIDs) finds it, and
     * reports no drift. Apply sends the new names.
     */
    private ResourceInstance withRecordedNames(ResourceInstance wanted, Map<String, DesiredResource> desired, State state) {
        Map<String, JsonNode> related = new java.util.LinkedHashMap<>(wanted.related());
        boolean changed = false;
        for (String dep : related.keySet()) {
            DesiredResource d = desired.get(dep);
            ResourceState s = state.resource(dep).orElse(null);
            if (d != null && s != null && Identities.renamed(d, s, registry)) {
                related.put(dep, Identities.named(s, registry));
                changed = true;
            }
        }
        return changed ? new ResourceInstance(wanted.address(), wanted.type(), wanted.identity(), wanted.attributes(), related) : wanted;
    }

    /**
     * A resource that names a replaced one by a reference resolved at apply (a policy's targets, sent
     * as GUIDs) is updated after it, sending the reference again: otherwise it would keep naming the
     * deleted object. The plan says so as an effect of the update.
     */
    private List<ResourceChange> resendReferences(List<ResourceChange> changes) {
        Set<String> replaced = new TreeSet<>();
        changes.stream().filter(c -> c.action().isReplace()).forEach(c -> replaced.add(c.address()));
        if (replaced.isEmpty()) {
            return changes;
        }
        List<ResourceChange> out = new ArrayList<>();
        for (ResourceChange c : changes) {
            List<String> effects = new ArrayList<>(c.effects());
            boolean resent = false;
            if (c.before() != null && c.after() != null && (c.action() == Action.NO_OP || c.action() == Action.UPDATE)) {
                var refs = config.resource(c.type(), c.name()).map(cem.config.Reference::of).orElse(List.of());
                for (cem.config.Reference ref : refs) {
                    if (resolvedAtApply(ref) && replaced.contains(ref.targetAddress())) {
                        resent = true;
                        effects.add("points " + ref.attribute() + " at the new " + ref.targetAddress() + " (it is replaced in this plan)");
                    }
                }
            }
            if (!resent) {
                out.add(c);
                continue;
            }
            // The attribute's value stays as written (the provider resolves it anew at apply); the effect says why it is sent.
            out.add(new ResourceChange(c.address(), c.previousAddress(), c.type(), c.host(), c.provider(), Action.UPDATE, c.before(), c.after(),
                    c.afterUnknown(), c.sensitive(), c.replacePaths(), c.reason(), c.identity(), c.dependencies(), c.adopting(), effects));
        }
        return out;
    }

    /** Whether the referring type's schema says the reference's attribute is resolved to host identities at apply. */
    private boolean resolvedAtApply(cem.config.Reference ref) {
        return registry.schema(ref.from().type()).map(schema -> schema.attributes().get(ref.attribute()))
                .filter(cem.spi.AttributeSchema::resolvedAtApply).isPresent();
    }

    /**
     * Live attributes, with sensitive ones (which a host cannot return) taken from the state's digests,
     * and unreadable ones from what the state recorded cem set.
     */
    private static JsonNode mask(JsonNode live, ResourceState s, ResourceSchema schema) {
        ObjectNode out = ((ObjectNode) live).deepCopy();
        schema.attributes().values().forEach(a -> {
            if (a.unreadable() && s != null && s.attributes().has(a.name())) {
                out.set(a.name(), s.attributes().get(a.name()));
            }
            if (a.sensitive()) {
                JsonNode recorded = s == null ? null : s.attributes().get(a.name());
                if (recorded != null) {
                    out.set(a.name(), recorded);
                } else {
                    out.remove(a.name());
                }
            }
        });
        return out;
    }

    private static JsonNode maskAfter(ObjectNode after, JsonNode before, Set<String> sensitive) {
        sensitive.forEach(a -> {
            if (before != null && before.has(a)) {
                after.set(a, before.get(a));
            }
        });
        return after;
    }

    private static ResourceChange withPrevious(ResourceChange c, String previous) {
        return new ResourceChange(c.address(), previous, c.type(), c.host(), c.provider(), c.action(), c.before(), c.after(),
                c.afterUnknown(), c.sensitive(), c.replacePaths(), c.reason(), c.identity(), c.dependencies());
    }

    private Set<String> sensitiveOf(String type) {
        Set<String> out = new TreeSet<>();
        registry.schema(type).ifPresent(schema -> schema.attributes().values().forEach(a -> {
            if (a.sensitive()) {
                out.add(a.name());
            }
        }));
        return out;
    }

    private void protect(ResourceChange c, DesiredResource d, ResourceState s, Diagnostics.Builder diags) {
        boolean destroys = c.action() == Action.DELETE || c.action().isReplace();
        boolean prevent = (d != null && d.preventDestroy()) || (s != null && s.preventDestroy());
        if (destroys && prevent) {
            var at = config.resource(c.address()).map(r -> r.declRange()).orElse(null);
            diags.add(new Diagnostic(Severity.ERROR, EngineCodes.PREVENT_DESTROY,
                    "Resource " + c.address() + " has lifecycle.preventDestroy",
                    "The plan would " + (c.action() == Action.DELETE ? "destroy" : "replace") + " it"
                            + (c.reason() == null ? "" : " (" + c.reason().replace('_', ' ') + ")") + ".",
                    "Remove preventDestroy first (and apply), or change the configuration so that it is kept.", at, c.address()));
        }
    }

    /**
     * Limits changes to the targets and their dependencies, minus the excluded resources and what
     * depends on them (as Terraform and OpenTofu do). Resources outside the selection stay as they are.
     */
    private List<ResourceChange> target(List<ResourceChange> changes, Map<String, DesiredResource> desired, State state,
            PlanOptions options) {
        if (options.targets().isEmpty() && options.excludes().isEmpty()) {
            return changes;
        }
        Graph graph = new Graph();
        changes.forEach(c -> graph.addNode(c.address()));
        changes.forEach(c -> c.dependencies().forEach(dep -> graph.addEdge(c.address(), dep)));
        Set<String> selected = options.targets().isEmpty() ? new LinkedHashSet<>(graph.nodes())
                : graph.withDependencies(options.targets());
        selected.removeAll(graph.withDependents(options.excludes()));
        List<ResourceChange> out = new ArrayList<>();
        for (ResourceChange c : changes) {
            out.add(selected.contains(c.address()) ? c : new ResourceChange(c.address(), c.previousAddress(), c.type(), c.host(),
                    c.provider(), Action.NO_OP, c.before(), c.before(), Set.of(), c.sensitive(), Set.of(), "not_targeted",
                    c.identity(), c.dependencies()));
        }
        return out;
    }

    /** All changes sorted by address (for stable output). */
    public static Map<String, ResourceChange> byAddress(List<ResourceChange> changes) {
        Map<String, ResourceChange> out = new TreeMap<>();
        changes.forEach(c -> out.put(c.address(), c));
        return out;
    }

    static JsonNodeFactory json() {
        return JsonNodeFactory.instance;
    }
}

package cem.plan;

import cem.diag.Diagnostics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON form of a plan, in the shape of {@code terraform show -json} (schemas/plan.schema.json),
 * so that OPA/conftest policies carry over. Sensitive values are never written: they are null and
 * flagged in {@code before_sensitive}/{@code after_sensitive}. The plan file form adds the secret
 * references ({@code after_refs}) that apply resolves again.
 */
public final class PlanJson {

    /** 1.1 added {@code change.importing} (adoptions, as Terraform 1.5 marks imports) and {@code change.side_effects}. */
    public static final String FORMAT_VERSION = "1.1";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private PlanJson() {}

    /** @param withRefs include secret references (plan files only) */
    public static ObjectNode write(Plan plan, String cemVersion, boolean withRefs) {
        ObjectNode root = F.objectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("cem_version", cemVersion);
        root.put("plan_mode", plan.mode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        root.put("applyable", plan.applyable() && plan.hasChanges());
        root.put("complete", plan.unknownHosts().isEmpty());
        root.put("errored", plan.diagnostics().hasErrors());
        root.put("lineage", plan.lineage());
        root.put("serial", plan.serial());
        root.put("config_digest", plan.configDigest());
        root.put("config_directory", plan.configDirectory());
        ArrayNode changes = root.putArray("resource_changes");
        plan.changes().forEach(c -> changes.add(change(c, withRefs)));
        ArrayNode drift = root.putArray("resource_drift");
        plan.drift().forEach(c -> drift.add(change(c, false)));
        ArrayNode unknown = root.putArray("unknown_hosts");
        plan.unknownHosts().forEach(unknown::add);
        return withRefs ? cem.state.Checksum.add(root) : root; // a saved plan carries its checksum; apply refuses an edited one
    }

    private static ObjectNode change(ResourceChange c, boolean withRefs) {
        ObjectNode n = F.objectNode();
        n.put("address", c.address());
        if (c.previousAddress() != null) {
            n.put("previous_address", c.previousAddress());
        }
        n.put("mode", "managed");
        n.put("type", c.type());
        n.put("name", c.name());
        n.put("host", c.host());
        n.put("provider_name", c.provider());
        if (c.identity() != null) {
            n.put("identity", c.identity());
        }
        ArrayNode deps = n.putArray("dependencies");
        c.dependencies().forEach(deps::add);
        ObjectNode change = n.putObject("change");
        change.set("actions", actions(c.action()));
        change.set("before", masked(c.before(), c.sensitive()));
        change.set("after", masked(c.after(), c.sensitive()));
        ObjectNode unknown = change.putObject("after_unknown");
        c.afterUnknown().forEach(a -> unknown.put(a, true));
        change.set("before_sensitive", flags(c.before(), c.sensitive()));
        change.set("after_sensitive", flags(c.after(), c.sensitive()));
        ArrayNode replace = change.putArray("replace_paths");
        c.replacePaths().forEach(p -> replace.addArray().add(p));
        if (c.adopting()) {
            // Terraform 1.5's field for an import, so that policies written for it see cem's adoptions.
            change.putObject("importing").put("id", c.identity());
        }
        if (!c.effects().isEmpty()) {
            ArrayNode effects = change.putArray("side_effects");
            c.effects().forEach(effects::add);
        }
        if (withRefs && c.after() != null) {
            ObjectNode refs = change.putObject("after_refs");
            c.sensitive().forEach(a -> {
                if (c.after().has(a)) {
                    refs.set(a, c.after().get(a));
                }
            });
        }
        if (c.reason() != null) {
            n.put("action_reason", c.reason());
        }
        return n;
    }

    private static ArrayNode actions(Action a) {
        ArrayNode out = F.arrayNode();
        switch (a) {
            case DELETE_THEN_CREATE -> out.add("delete").add("create");
            case CREATE_THEN_DELETE -> out.add("create").add("delete");
            case NO_OP -> out.add("no-op");
            default -> out.add(a.word());
        }
        return out;
    }

    private static JsonNode masked(JsonNode value, Set<String> sensitive) {
        if (value == null) {
            return F.nullNode();
        }
        ObjectNode copy = ((ObjectNode) value).deepCopy();
        sensitive.forEach(a -> {
            if (copy.has(a)) {
                copy.putNull(a);
            }
        });
        return copy;
    }

    private static JsonNode flags(JsonNode value, Set<String> sensitive) {
        ObjectNode out = F.objectNode();
        if (value != null) {
            sensitive.forEach(a -> {
                if (value.has(a)) {
                    out.put(a, true);
                }
            });
        }
        return out;
    }

    /** Reads a plan back from a plan file. */
    public static Plan read(JsonNode root) {
        List<ResourceChange> changes = new ArrayList<>();
        root.path("resource_changes").forEach(n -> changes.add(readChange(n)));
        List<ResourceChange> drift = new ArrayList<>();
        root.path("resource_drift").forEach(n -> drift.add(readChange(n)));
        List<String> unknown = new ArrayList<>();
        root.path("unknown_hosts").forEach(n -> unknown.add(n.asText()));
        PlanMode mode = PlanMode.valueOf(root.path("plan_mode").asText("normal").toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        return new Plan(mode, changes, drift, root.path("lineage").asText(), root.path("serial").asLong(),
                root.path("config_digest").asText(), root.path("config_directory").asText(), unknown, Diagnostics.empty());
    }

    private static ResourceChange readChange(JsonNode n) {
        JsonNode ch = n.path("change");
        Set<String> sensitive = new TreeSet<>();
        ch.path("after_sensitive").fieldNames().forEachRemaining(sensitive::add);
        ch.path("before_sensitive").fieldNames().forEachRemaining(sensitive::add);
        Set<String> unknown = new TreeSet<>();
        ch.path("after_unknown").fieldNames().forEachRemaining(unknown::add);
        Set<String> replace = new TreeSet<>();
        ch.path("replace_paths").forEach(p -> replace.add(p.get(0).asText()));
        JsonNode after = ch.path("after").isObject() ? ((ObjectNode) ch.get("after")).deepCopy() : null;
        if (after != null) {
            ch.path("after_refs").fields().forEachRemaining(e -> ((ObjectNode) after).set(e.getKey(), e.getValue()));
        }
        List<String> deps = new ArrayList<>();
        n.path("dependencies").forEach(d -> deps.add(d.asText()));
        List<String> effects = new ArrayList<>();
        ch.path("side_effects").forEach(e -> effects.add(e.asText()));
        return new ResourceChange(n.path("address").asText(), n.hasNonNull("previous_address") ? n.get("previous_address").asText() : null,
                n.path("type").asText(), n.path("host").asText(), n.path("provider_name").asText(), action(ch.path("actions")),
                ch.path("before").isObject() ? ch.get("before") : null, after, unknown, sensitive, replace,
                n.hasNonNull("action_reason") ? n.get("action_reason").asText() : null,
                n.hasNonNull("identity") ? n.get("identity").asText() : null, deps, ch.has("importing"), effects);
    }

    private static Action action(JsonNode actions) {
        String first = actions.path(0).asText();
        String second = actions.path(1).asText("");
        if (first.equals("delete") && second.equals("create")) {
            return Action.DELETE_THEN_CREATE;
        }
        if (first.equals("create") && second.equals("delete")) {
            return Action.CREATE_THEN_DELETE;
        }
        for (Action a : Action.values()) {
            if (a.word().equals(first) && !a.isReplace()) {
                return a;
            }
        }
        return Action.NO_OP;
    }
}

package cem.plan;

import cem.diag.Diagnostics;
import java.util.List;

/**
 * A plan: what cem will change, and what changed outside cem since the last apply.
 *
 * @param mode normal, destroy or refresh-only
 * @param changes one entry per resource in the configuration or the state (no-ops included)
 * @param drift resources whose live state differs from what the state recorded
 * @param lineage the state lineage the plan is based on
 * @param serial the state serial the plan is based on
 * @param configDigest digest of the configuration files the plan was made from
 * @param configDirectory the configuration directory (as the user gave it)
 * @param unknownHosts hosts that could not be read: their resources are unknown, the plan incomplete
 * @param diagnostics problems found while planning
 */
public record Plan(
        PlanMode mode,
        List<ResourceChange> changes,
        List<ResourceChange> drift,
        String lineage,
        long serial,
        String configDigest,
        String configDirectory,
        List<String> unknownHosts,
        Diagnostics diagnostics) {

    public Plan {
        changes = List.copyOf(changes);
        drift = List.copyOf(drift);
        unknownHosts = List.copyOf(unknownHosts);
    }

    /** Whether the plan may be applied: no errors and every host was read. */
    public boolean applyable() {
        return !diagnostics.hasErrors() && unknownHosts.isEmpty();
    }

    public boolean hasChanges() {
        return changes.stream().anyMatch(c -> c.action() != Action.NO_OP || c.previousAddress() != null || c.adopting())
                || (mode == PlanMode.REFRESH_ONLY && !drift.isEmpty());
    }

    public long count(Action... actions) {
        return changes.stream().filter(c -> List.of(actions).contains(c.action())).count();
    }

    public long toAdd() {
        return count(Action.CREATE, Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE);
    }

    public long toChange() {
        return count(Action.UPDATE);
    }

    public long toDestroy() {
        return count(Action.DELETE, Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE);
    }

    public long toForget() {
        return count(Action.FORGET);
    }

    /** Objects found on their hosts that apply records in the state (with their changes, if any). */
    public long toAdopt() {
        return changes.stream().filter(ResourceChange::adopting).count();
    }

    /** The counts as the summary line says them, in Terraform's words: "1 to adopt, 2 to add, 0 to change, 0 to destroy". */
    public String summary() {
        return (toAdopt() > 0 ? toAdopt() + " to adopt, " : "") + toAdd() + " to add, " + toChange() + " to change, " + toDestroy()
                + " to destroy" + (toForget() > 0 ? ", " + toForget() + " to forget" : "");
    }
}

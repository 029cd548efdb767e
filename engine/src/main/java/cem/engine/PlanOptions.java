package cem.engine;

import cem.plan.PlanMode;
import java.util.Set;

/**
 * How to plan.
 *
 * @param mode normal, destroy or refresh-only
 * @param targets addresses to limit the plan to (with what they depend on); empty for all
 * @param excludes addresses to leave out (with what depends on them)
 * @param replace addresses to replace even when unchanged
 * @param parallelism hosts read at the same time
 * @param onePerResource read every resource in a round trip of its own (the Terraform-style cost
 *     model, for the benchmark's baseline only; cem always batches per host)
 */
public record PlanOptions(PlanMode mode, Set<String> targets, Set<String> excludes, Set<String> replace, int parallelism,
        boolean onePerResource) {

    public PlanOptions(PlanMode mode, Set<String> targets, Set<String> excludes, Set<String> replace, int parallelism) {
        this(mode, targets, excludes, replace, parallelism, false);
    }

    public PlanOptions {
        targets = Set.copyOf(targets);
        excludes = Set.copyOf(excludes);
        replace = Set.copyOf(replace);
    }

    public static PlanOptions defaults() {
        return new PlanOptions(PlanMode.NORMAL, Set.of(), Set.of(), Set.of(), 64);
    }
}

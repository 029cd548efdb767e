package cem.engine;

import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.plan.Action;
import cem.plan.ResourceChange;
import cem.spi.ApplyRequest.Operation;
import cem.spi.HostTarget;
import cem.spi.PlanRequest;
import cem.spi.PlanResponse;
import cem.spi.Provider;
import cem.spi.ResourceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands each host's planned changes to their providers (one call per host and provider, no remote
 * command), and takes back what they know before apply: values, side effects, and what apply
 * cannot do.
 */
final class PlanRefinement {

    private final ProviderRegistry registry;
    private final Hosts hosts;

    PlanRefinement(ProviderRegistry registry, Hosts hosts) {
        this.registry = registry;
        this.hosts = hosts;
    }

    /**
     * @param instances the resources as they were read (desired attributes resolved, or the state's), by address
     */
    List<ResourceChange> refine(List<ResourceChange> changes, Map<String, ResourceInstance> instances, Diagnostics.Builder diags) {
        Map<String, Map<Provider, List<PlanRequest.Proposed>>> byHost = new LinkedHashMap<>();
        for (ResourceChange c : changes) {
            ResourceInstance r = instances.get(c.address());
            Provider provider = registry.forType(c.type()).orElse(null);
            if (r == null || provider == null || !c.action().changesHost()) {
                continue;
            }
            ResourceInstance resource = new ResourceInstance(r.address(), r.type(), c.identity(), r.attributes(), r.related());
            byHost.computeIfAbsent(c.host(), h -> new LinkedHashMap<>()).computeIfAbsent(provider, p -> new ArrayList<>())
                    .add(new PlanRequest.Proposed(operations(c.action()), resource, c.before()));
        }
        Map<String, PlanResponse.Refinement> refined = new LinkedHashMap<>();
        byHost.forEach((host, byProvider) -> {
            Result<HostTarget> target = hosts.target(host);
            if (target.value() == null) {
                return; // the read said why already
            }
            byProvider.forEach((provider, proposed) -> {
                PlanResponse response = provider.plan(new PlanRequest(target.value(), proposed));
                refined.putAll(response.resources());
                diags.addAll(response.diagnostics());
            });
        });
        List<ResourceChange> out = new ArrayList<>();
        for (ResourceChange c : changes) {
            PlanResponse.Refinement r = refined.get(c.address());
            out.add(r == null ? c : c.refined(r.known(), r.effects()));
        }
        return out;
    }

    static List<Operation> operations(Action action) {
        return switch (action) {
            case CREATE -> List.of(Operation.CREATE);
            case UPDATE -> List.of(Operation.UPDATE);
            case DELETE -> List.of(Operation.DELETE);
            case DELETE_THEN_CREATE -> List.of(Operation.DELETE, Operation.CREATE);
            case CREATE_THEN_DELETE -> List.of(Operation.CREATE, Operation.DELETE);
            default -> List.of();
        };
    }
}

package cem.spi;

import cem.diag.Diagnostics;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A provider's refinement of the changes planned for one host.
 *
 * @param resources by address, for the changes the provider has something to add to
 * @param diagnostics what apply cannot do (an error stops the plan from being applied) and what it
 *     endangers (a warning), each with the address it belongs to
 */
public record PlanResponse(Map<String, Refinement> resources, Diagnostics diagnostics) {

    public static final PlanResponse NONE = new PlanResponse(Map.of(), Diagnostics.empty());

    public PlanResponse {
        resources = Map.copyOf(resources);
    }

    /**
     * What the provider knows of one change before apply.
     *
     * @param known after-values the provider knows now (a thumbprint read from the certificate file, a
     *     default apply will use), by attribute: the plan shows them instead of "(known after apply)"
     * @param effects what apply also does on the host beyond the attributes shown, each a sentence
     *     fragment the plan prints after "apply also" (e.g. "restarts the service X")
     */
    public record Refinement(Map<String, JsonNode> known, List<String> effects) {

        public Refinement {
            known = Map.copyOf(known);
            effects = List.copyOf(effects);
        }
    }
}

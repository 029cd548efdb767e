package cem.sites;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.diag.Suggestions;
import cem.sites.Inventory.Site;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The waves of a rollout, from the inventory's {@code rollout.waves} and the sites' {@code wave}
 * keys. A wave takes, in inventory order: the sites that name it, the sites its selectors choose,
 * and a percentage of all sites from those no wave has taken; a last wave with neither selectors
 * nor a percentage takes every site left. Without a rollout section the waves are the wave names
 * sites give, in order of first use, then one wave of the sites that name none.
 */
public final class Waves {

    private Waves() {}

    /** One wave: its name and sites, in inventory order. */
    public record Wave(String name, List<Site> sites) {}

    /** The failure budget: a rollout stops when failures exceed it (equalling it does not stop it). */
    public record Budget(int maxFailures, Double maxFailurePercent) {

        public boolean exceeded(int failed, int attempted) {
            if (maxFailurePercent != null) {
                return attempted > 0 && failed * 100.0 / attempted > maxFailurePercent;
            }
            return failed > maxFailures;
        }

        public String describe() {
            return maxFailurePercent != null ? "at most " + pretty(maxFailurePercent) + "% of the sites rolled out may fail"
                    : maxFailures == 0 ? "no site may fail" : "at most " + maxFailures + " site" + (maxFailures == 1 ? "" : "s") + " may fail";
        }

        private static String pretty(double d) {
            return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
        }
    }

    public static Budget budget(Inventory inventory) {
        JsonNode r = inventory.rollout();
        return new Budget(r.path("maxFailures").asInt(0), r.hasNonNull("maxFailurePercent") ? r.get("maxFailurePercent").asDouble() : null);
    }

    /**
     * The health gate after each wave: the kinds of the doctor's checks that must not fail, and the
     * days each site's certificates must have left after its apply (0: not checked).
     *
     * @param kinds ig-online, gateway-port, tls, policy
     * @param certificateDaysLeft the least days of validity each certificate of a site must have left, or 0
     */
    public record Gate(List<String> kinds, int certificateDaysLeft) {

        public static final List<String> ALL = List.of("ig-online", "gateway-port", "tls", "policy");

        public Gate {
            kinds = List.copyOf(kinds);
        }

        /** The gate as rollout.gate writes it: the kinds, then {certificateDaysLeft: N}. */
        public List<Object> entries() {
            List<Object> out = new ArrayList<>(kinds);
            if (certificateDaysLeft > 0) {
                out.add(java.util.Map.of("certificateDaysLeft", certificateDaysLeft));
            }
            return out;
        }

        public String describe() {
            List<String> out = new ArrayList<>(kinds);
            if (certificateDaysLeft > 0) {
                out.add("at least " + certificateDaysLeft + " days left on each certificate");
            }
            return out.isEmpty() ? "none" : String.join(", ", out);
        }
    }

    /** The health gate run after each wave: rollout.gate, or every kind of check when it names none. */
    public static Gate gate(Inventory inventory) {
        JsonNode g = inventory.rollout().get("gate");
        if (g == null || !g.isArray()) {
            return new Gate(Gate.ALL, 0);
        }
        List<String> kinds = new ArrayList<>();
        int days = 0;
        for (JsonNode n : g) {
            if (n.isTextual()) {
                kinds.add(n.asText());
            } else {
                days = Math.max(days, n.path("certificateDaysLeft").asInt());
            }
        }
        return new Gate(kinds, days);
    }

    /** The waves of a checked inventory. */
    public static List<Wave> plan(Inventory inventory) {
        return compute(inventory, Diagnostics.builder());
    }

    /** The problems of the rollout section (unknown wave names, sites in no wave, empty waves, two budgets). */
    static Diagnostics check(Inventory inventory) {
        Diagnostics.Builder diags = Diagnostics.builder();
        JsonNode r = inventory.rollout();
        if (r.has("maxFailures") && r.has("maxFailurePercent")) {
            diags.add(Diagnostic.error(SiteCodes.BOTH_BUDGETS, "Two failure budgets",
                    "rollout sets both maxFailures and maxFailurePercent; cem would not know which one stops the rollout.",
                    "Keep one of them.", inventory.doc().keyRange("/rollout/maxFailurePercent")));
        }
        compute(inventory, diags);
        return diags.build();
    }

    private static List<Wave> compute(Inventory inventory, Diagnostics.Builder diags) {
        JsonNode declared = inventory.rollout().path("waves");
        List<Site> sites = inventory.sites();
        if (!declared.isArray() || declared.isEmpty()) {
            return implicit(sites);
        }
        List<String> names = new ArrayList<>();
        declared.forEach(w -> names.add(w.path("name").asText()));
        for (Site s : sites) {
            if (s.wave() != null && !names.contains(s.wave())) {
                diags.add(Diagnostic.error(SiteCodes.UNKNOWN_WAVE, "Site " + s.name() + " names an unknown wave \"" + s.wave() + "\"",
                        "The rollout's waves are: " + String.join(", ", names) + ".",
                        Suggestions.closest(s.wave(), names).map(n -> "Did you mean \"" + n + "\"?").orElse("Name one of the rollout's waves, or add the wave."),
                        inventory.doc().valueRange("/sites/" + s.index() + "/wave")));
            }
        }
        Set<Site> taken = new LinkedHashSet<>();
        List<Wave> waves = new ArrayList<>();
        for (int k = 0; k < declared.size(); k++) {
            JsonNode w = declared.get(k);
            String name = w.path("name").asText();
            String pointer = "/rollout/waves/" + k;
            Set<Site> members = new LinkedHashSet<>();
            for (Site s : sites) {
                if (name.equals(s.wave()) && !taken.contains(s)) {
                    members.add(s);
                }
            }
            if (w.has("sites")) {
                List<String> selectors = new ArrayList<>();
                w.get("sites").forEach(n -> selectors.add(n.asText()));
                if (selectors.stream().anyMatch(e -> e.contains("wave:"))) {
                    diags.add(Diagnostic.error(SiteCodes.UNKNOWN_SITE, "A wave cannot select sites by wave",
                            "wave:NAME selects the sites of a wave, which this list is defining.", "Select by name, glob or tag:NAME.",
                            inventory.doc().valueRange(pointer + "/sites")));
                } else {
                    Result<List<Site>> chosen = Selector.select(inventory, selectors, inventory.doc().valueRange(pointer + "/sites"));
                    diags.addAll(chosen.diagnostics());
                    if (chosen.value() != null) {
                        chosen.value().stream().filter(s -> !taken.contains(s)).forEach(members::add);
                    }
                }
            }
            boolean last = k == declared.size() - 1;
            if (w.has("percent")) {
                int want = Math.max(1, (int) Math.ceil(w.get("percent").asDouble() * sites.size() / 100.0));
                for (Site s : sites) {
                    if (members.size() >= want) {
                        break;
                    }
                    if (!taken.contains(s) && !members.contains(s) && (s.wave() == null || s.wave().equals(name))) {
                        members.add(s);
                    }
                }
            } else if (!w.has("sites") && last) {
                for (Site s : sites) {
                    if (!taken.contains(s) && (s.wave() == null || s.wave().equals(name) || !names.contains(s.wave()))) {
                        members.add(s);
                    }
                }
            }
            if (members.isEmpty()) {
                diags.add(Diagnostic.warning(SiteCodes.EMPTY_WAVE, "Wave " + name + " has no site",
                        "No site names it, and its selectors and percentage choose none that an earlier wave did not take.",
                        "Remove the wave, or give it sites.", inventory.doc().keyRange(pointer)));
            }
            List<Site> ordered = new ArrayList<>(members);
            ordered.sort(java.util.Comparator.comparingInt(Site::index));
            taken.addAll(ordered);
            waves.add(new Wave(name, List.copyOf(ordered)));
        }
        for (Site s : sites) {
            if (!taken.contains(s) && (s.wave() == null || names.contains(s.wave()))) {
                diags.add(Diagnostic.error(SiteCodes.SITE_IN_NO_WAVE, "Site " + s.name() + " is in no wave",
                        "No rollout wave takes it.",
                        "End rollout.waves with a wave that has neither sites nor percent (it takes every site left), or give the site a wave.",
                        s.range()));
            }
        }
        return waves;
    }

    private static List<Wave> implicit(List<Site> sites) {
        List<String> order = new ArrayList<>();
        for (Site s : sites) {
            if (s.wave() != null && !order.contains(s.wave())) {
                order.add(s.wave());
            }
        }
        List<Wave> waves = new ArrayList<>();
        for (String name : order) {
            waves.add(new Wave(name, sites.stream().filter(s -> name.equals(s.wave())).toList()));
        }
        List<Site> rest = sites.stream().filter(s -> s.wave() == null).toList();
        if (!rest.isEmpty()) {
            waves.add(new Wave(order.isEmpty() ? "all" : "rest", rest));
        }
        return waves;
    }
}

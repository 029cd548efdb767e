package cem.sites;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.diag.SourceRange;
import cem.diag.Suggestions;
import cem.sites.Inventory.Site;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Chooses sites: {@code all}, a name, a glob ({@code eu-*}, {@code site-?}), {@code tag:NAME} or
 * {@code wave:NAME}; several separated by commas or given as several options. A selector that
 * chooses nothing is an error, so a typo never silently plans zero sites.
 */
public final class Selector {

    private Selector() {}

    /** The sites the expressions choose, in inventory order. */
    public static Result<List<Site>> select(Inventory inventory, List<String> expressions) {
        return select(inventory, expressions, null);
    }

    /** @param at where the expressions were written (a wave's list), or null for the command line */
    static Result<List<Site>> select(Inventory inventory, List<String> expressions, SourceRange at) {
        Set<Site> chosen = new LinkedHashSet<>();
        Diagnostics.Builder diags = Diagnostics.builder();
        for (String expression : expressions) {
            for (String item : expression.split(",")) {
                String e = item.trim();
                if (e.isEmpty()) {
                    continue;
                }
                List<Site> matched = matches(inventory, e);
                if (matched.isEmpty()) {
                    diags.add(noMatch(inventory, e, at));
                }
                chosen.addAll(matched);
            }
        }
        List<Site> ordered = new ArrayList<>(chosen);
        ordered.sort(java.util.Comparator.comparingInt(Site::index));
        Diagnostics all = diags.build();
        return new Result<>(all.hasErrors() ? null : List.copyOf(ordered), all);
    }

    private static List<Site> matches(Inventory inventory, String e) {
        if (e.equals("all")) {
            return inventory.sites();
        }
        if (e.startsWith("tag:")) {
            String tag = e.substring(4);
            return inventory.sites().stream().filter(s -> s.tags().contains(tag)).toList();
        }
        if (e.startsWith("wave:")) {
            String wave = e.substring(5);
            return Waves.plan(inventory).stream().filter(w -> w.name().equals(wave)).flatMap(w -> w.sites().stream()).toList();
        }
        if (e.contains("*") || e.contains("?")) {
            Pattern glob = glob(e);
            return inventory.sites().stream().filter(s -> glob.matcher(s.name()).matches()).toList();
        }
        return inventory.sites().stream().filter(s -> s.name().equals(e)).toList();
    }

    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static Diagnostic noMatch(Inventory inventory, String e, SourceRange at) {
        List<String> names = inventory.sites().stream().map(Site::name).toList();
        String hint;
        if (e.startsWith("tag:")) {
            Set<String> tags = new java.util.TreeSet<>();
            inventory.sites().forEach(s -> tags.addAll(s.tags()));
            hint = tags.isEmpty() ? "No site has tags; add tags: [...] to sites in sites.yaml." : "Tags in use: " + String.join(", ", tags) + ".";
        } else if (e.startsWith("wave:")) {
            hint = "Waves: " + String.join(", ", Waves.plan(inventory).stream().map(Waves.Wave::name).toList()) + ".";
        } else {
            hint = Suggestions.closest(e, names).map(s -> "Did you mean \"" + s + "\"?")
                    .orElse("Select with all, a site name, a glob such as " + names.get(0).replaceAll("[0-9]+$", "") + "*, tag:NAME or wave:NAME.");
        }
        return new Diagnostic(cem.diag.Severity.ERROR, SiteCodes.UNKNOWN_SITE, "No site matches \"" + e + "\"",
                "The inventory " + inventory.doc().file() + " has " + names.size() + " site" + (names.size() == 1 ? "" : "s") + "; none matches.",
                hint, at, null);
    }
}

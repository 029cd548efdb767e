package cem.cli;

import cem.diag.TerminalText;
import cem.plan.Action;
import cem.plan.Plan;
import cem.plan.PlanMode;
import cem.plan.ResourceChange;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A plan as text in Terraform's shape: drift first, then the actions, then the summary line. */
final class PlanText {

    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String RED = "\u001b[31m";
    private static final String BOLD = "\u001b[1m";
    private static final String RESET = "\u001b[0m";

    private final boolean color;

    PlanText(boolean color) {
        this.color = color;
    }

    String render(Plan plan) {
        StringBuilder out = new StringBuilder();
        if (!plan.drift().isEmpty()) {
            out.append(paint(BOLD, "Note: Objects have changed outside of cem")).append("\n\n");
            out.append("cem detected the following changes made outside of cem since the last \"cem apply\":\n\n");
            for (ResourceChange c : plan.drift()) {
                resource(c, true, plan, out);
            }
            if (plan.mode() != PlanMode.REFRESH_ONLY) {
                out.append("Unless you have made equivalent changes to your configuration, the actions below undo them.\n\n");
            }
        }
        if (PlanRun.withoutCredentials(plan)) {
            out.append(paint(BOLD + YELLOW, PlanRun.WITHOUT_CREDENTIALS)).append("\n\n");
        }
        if (!plan.unknownHosts().isEmpty()) {
            out.append(paint(BOLD + YELLOW, "Warning: the plan is incomplete")).append("\n\n");
            out.append("cem could not read host(s) ").append(String.join(", ", plan.unknownHosts()))
                    .append("; the state of their resources is unknown and nothing is planned for them:\n");
            plan.changes().stream().filter(c -> "host_unreadable".equals(c.reason()))
                    .forEach(c -> out.append("  ? ").append(c.address()).append('\n'));
            out.append('\n');
        }
        List<ResourceChange> actions = plan.changes().stream()
                .filter(c -> c.action() != Action.NO_OP || c.previousAddress() != null || c.adopting()).toList();
        if (plan.mode() == PlanMode.REFRESH_ONLY) {
            out.append(plan.drift().isEmpty() ? "No changes. The state matches what is live.\n"
                    : "This is a refresh-only plan: applying it updates the cem state to match the objects above, and changes nothing on any host.\n");
            return out.toString();
        }
        if (actions.isEmpty()) {
            out.append("No changes. Your infrastructure matches the configuration.\n");
            return out.toString();
        }
        out.append("cem will perform the following actions:\n\n");
        nftablesNote(actions, out);
        ItmsPlanNotes.append(plan, out);
        for (ResourceChange c : actions) {
            resource(c, false, plan, out);
        }
        out.append(paint(BOLD, "Plan:")).append(' ').append(plan.summary()).append(".\n");
        return out.toString();
    }

    /** Firewall changes say which tables they rewrite, and that no other table is touched. */
    private static void nftablesNote(List<ResourceChange> actions, StringBuilder out) {
        java.util.Map<String, java.util.Set<String>> tablesByHost = new java.util.TreeMap<>();
        for (ResourceChange c : actions) {
            if (c.type().equals("nft_rule")) {
                for (com.fasterxml.jackson.databind.JsonNode side : new com.fasterxml.jackson.databind.JsonNode[] {c.before(), c.after()}) {
                    if (side != null) {
                        tablesByHost.computeIfAbsent(c.host(), h -> new java.util.TreeSet<>()).add(side.path("table").asText("inet cem"));
                    }
                }
            }
        }
        tablesByHost.forEach((host, tables) -> out.append("  nftables on ").append(host).append(": cem rewrites only the chains it changes in table ")
                .append(String.join(", ", tables)).append(", in one transaction; no other table is touched.\n"));
        if (!tablesByHost.isEmpty()) {
            out.append('\n');
        }
    }

    private void resource(ResourceChange c, boolean drift, Plan plan, StringBuilder out) {
        String headline = headline(c, drift);
        java.util.Optional<cem.diag.Diagnostic> refused = drift ? java.util.Optional.empty() : plan.diagnostics().list().stream()
                .filter(d -> d.isError() && c.address().equals(d.address())).findFirst();
        if (refused.isPresent() && c.action().changesHost()) {
            // The plan cannot be applied as it stands: it does not promise what apply cannot do.
            headline = paint(RED, "cannot be " + verb(c.action())) + " (" + refused.get().code() + ": " + refused.get().summary() + ")";
        }
        if (!drift && c.type().equals("cem_certificate") && (c.action() == Action.CREATE || c.action().isReplace())) {
            headline = paint(BOLD + RED, "will be REVOKED — one-way: a revoked certificate cannot be restored");
        } else if (!drift && c.type().equals("cem_certificate") && (c.action() == Action.DELETE || c.action() == Action.FORGET)) {
            headline = "will be removed from the cem state; the revocation stays (it cannot be undone)";
        } else if (!drift && c.type().equals("cem_policy") && c.action() == Action.DELETE) {
            headline = paint(RED, "will be destroyed") + ": CEM is turned off in the policy and its gateways and targets are cleared;"
                    + " the policy item itself stays" + reasonText(c);
        }
        out.append("  ").append(paint(BOLD, "# " + c.address())).append(' ').append(headline).append('\n');
        if (c.previousAddress() != null) {
            out.append("  # (moved from ").append(c.previousAddress()).append(")\n");
        }
        if (c.adopting() && !drift) {
            out.append("  # (it exists on host ").append(c.host()).append(" but not in the cem state; apply records it")
                    .append(c.action() == Action.NO_OP ? " and changes nothing on the host)\n" : ")\n");
        }
        if (!drift) {
            c.effects().forEach(e -> out.append("  # apply also ").append(e).append('\n'));
        }
        if (c.action() == Action.FORGET || (c.action() == Action.NO_OP && !drift)) {
            out.append('\n');
            return;
        }
        String symbol = drift && c.action() == Action.UPDATE ? "~" : c.action().symbol();
        out.append(pad(symbol)).append(paint(colorOf(c.action()), symbol)).append(" resource \"").append(c.type()).append("\" \"")
                .append(c.name()).append("\" {\n");
        Set<String> names = new TreeSet<>();
        if (c.before() != null) {
            c.before().fieldNames().forEachRemaining(names::add);
        }
        if (c.after() != null) {
            c.after().fieldNames().forEachRemaining(names::add);
        }
        names.addAll(c.afterUnknown());
        int width = names.stream().mapToInt(String::length).max().orElse(0);
        int hidden = 0;
        for (String name : names) {
            String line = attribute(c, name, width);
            if (line == null) {
                hidden++;
            } else {
                out.append(line).append('\n');
            }
        }
        if (hidden > 0) {
            out.append("        # (").append(hidden).append(" unchanged attribute").append(hidden == 1 ? "" : "s").append(" hidden)\n");
        }
        out.append("    }\n\n");
    }

    private String attribute(ResourceChange c, String name, int width) {
        String key = TerminalText.safe(name) + " ".repeat(width - name.length());
        boolean sensitive = c.sensitive().contains(name);
        JsonNode before = c.before() == null ? null : c.before().get(name);
        JsonNode after = c.after() == null ? null : c.after().get(name);
        boolean unknown = c.afterUnknown().contains(name);
        String afterText = unknown ? "(known after apply)" : value(after, sensitive);
        switch (c.action()) {
            case CREATE:
                return "      " + paint(GREEN, "+") + " " + key + " = " + (unknown ? afterText : value(after, sensitive, paint(GREEN, "+"), 6));
            case DELETE:
                return before == null ? null : "      " + paint(RED, "-") + " " + key + " = " + value(before, sensitive, paint(RED, "-"), 6) + " -> null";
            default:
                boolean changed = unknown || !same(before, after, sensitive);
                if (!changed) {
                    return null;
                }
                String suffix = c.replacePaths().contains(name) ? paint(RED, " # forces replacement") : "";
                if (before == null) {
                    return "      " + paint(GREEN, "+") + " " + key + " = " + (unknown ? afterText : value(after, sensitive, paint(GREEN, "+"), 6)) + suffix;
                }
                if (after == null && !unknown) {
                    return "      " + paint(RED, "-") + " " + key + " = " + value(before, sensitive) + " -> null" + suffix;
                }
                return "      " + paint(YELLOW, "~") + " " + key + " = " + value(before, sensitive) + " -> " + afterText + suffix;
        }
    }

    /** Whether an attribute is unchanged; the planner shows an unchanged secret with the same reference on both sides. */
    private static boolean same(JsonNode before, JsonNode after, boolean sensitive) {
        return cem.engine.Values.same(before, after);
    }

    private static String value(JsonNode v, boolean sensitive) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (sensitive) {
            return "(sensitive value)";
        }
        if (v.isContainerNode()) {
            StringBuilder b = new StringBuilder(v.isArray() ? "[" : "{");
            Iterator<JsonNode> it = v.elements();
            Iterator<String> names = v.fieldNames();
            boolean first = true;
            while (it.hasNext()) {
                JsonNode item = it.next();
                b.append(first ? "" : ", ");
                if (v.isObject()) {
                    b.append(TerminalText.safe(names.next())).append(" = ");
                }
                b.append(value(item, false));
                first = false;
            }
            return b.append(v.isArray() ? "]" : "}").toString();
        }
        // a value may come from the host (drift, a read): its control characters are shown, never sent to the terminal
        return v.isTextual() ? "\"" + TerminalText.safe(v.asText().replace("\\", "\\\\").replace("\"", "\\\"")) + "\"" : v.toString();
    }

    /** Beyond this many columns, an added or removed object or list is shown one element per line, as Terraform does. */
    private static final int WIDTH = 120;

    /**
     * A value that only one side has: inline when it fits, else one element per line under {@code sign},
     * nested values likewise, so that a long block (an ACME account, an installer) stays readable.
     */
    private static String value(JsonNode v, boolean sensitive, String sign, int indent) {
        String inline = value(v, sensitive);
        if (sensitive || v == null || !v.isContainerNode() || v.isEmpty() || indent + inline.length() <= WIDTH) {
            return inline;
        }
        String pad = " ".repeat(indent + 4);
        StringBuilder b = new StringBuilder(v.isArray() ? "[\n" : "{\n");
        if (v.isArray()) {
            v.forEach(item -> b.append(pad).append(sign).append(' ').append(value(item, false, sign, indent + 4)).append(",\n"));
        } else {
            int width = 0;
            for (Iterator<String> it = v.fieldNames(); it.hasNext();) {
                width = Math.max(width, TerminalText.safe(it.next()).length());
            }
            for (Iterator<java.util.Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext();) {
                java.util.Map.Entry<String, JsonNode> e = it.next();
                String name = TerminalText.safe(e.getKey());
                b.append(pad).append(sign).append(' ').append(name).append(" ".repeat(width - name.length())).append(" = ")
                        .append(value(e.getValue(), false, sign, indent + 4)).append('\n');
            }
        }
        return b.append(" ".repeat(indent + 2)).append(v.isArray() ? "]" : "}").toString();
    }

    private static String headline(ResourceChange c, boolean drift) {
        if (drift) {
            return c.action() == Action.DELETE ? "has been deleted" : "has changed";
        }
        if (c.adopting()) {
            return switch (c.action()) {
                case NO_OP -> "will be adopted";
                case UPDATE -> "will be adopted and updated in-place";
                default -> "will be adopted and replaced";
            } + reasonText(c);
        }
        return switch (c.action()) {
            case CREATE -> "will be created";
            case UPDATE -> onlyMoves(c) ? "will be moved within its chain" : "will be updated in-place";
            case DELETE -> "will be destroyed";
            case DELETE_THEN_CREATE -> "must be replaced";
            case CREATE_THEN_DELETE -> "must be replaced (the new one is created first)";
            case FORGET -> "will be removed from the cem state but will not be destroyed";
            case NO_OP -> c.previousAddress() != null ? "has moved from " + c.previousAddress() : "has no changes";
            case READ -> "will be read";
        } + reasonText(c);
    }

    private static String verb(Action a) {
        return switch (a) {
            case CREATE -> "created";
            case UPDATE -> "updated";
            case DELETE -> "destroyed";
            default -> "replaced";
        };
    }

    /** An update whose only change is its place among ordered objects (a firewall rule in its chain). */
    private static boolean onlyMoves(ResourceChange c) {
        if (c.before() == null || c.after() == null || !c.after().has(cem.spi.ResourceSchema.POSITION)) {
            return false;
        }
        com.fasterxml.jackson.databind.node.ObjectNode before = ((com.fasterxml.jackson.databind.node.ObjectNode) c.before()).deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode after = ((com.fasterxml.jackson.databind.node.ObjectNode) c.after()).deepCopy();
        boolean moved = !before.path(cem.spi.ResourceSchema.POSITION).equals(after.path(cem.spi.ResourceSchema.POSITION));
        for (java.util.Iterator<String> it = after.fieldNames(); it.hasNext(); ) {
            String attr = it.next();
            if (!attr.equals(cem.spi.ResourceSchema.POSITION) && !cem.engine.Values.same(before.get(attr), after.get(attr))) {
                return false;
            }
        }
        return moved;
    }

    private static String reasonText(ResourceChange c) {
        if (c.reason() == null) {
            return "";
        }
        return switch (c.reason()) {
            case "deleted_outside_cem" -> c.action() == Action.DELETE ? "" : " (it was deleted outside cem)";
            case "not_in_configuration" -> " (it is no longer in the configuration)";
            case "destroy_requested" -> " (destroy requested)";
            case "replace_by_request" -> " (--replace)";
            case "not_deleted_by_cem" -> " (cem never deletes this kind of object)";
            case "replace_forgets_old" -> " (cem never deletes this kind of object: it forgets the old one, which stays as it is)";
            case "not_created_by_cem" -> " (it names an object cem did not create)";
            default -> "";
        };
    }

    private static String pad(String symbol) {
        return " ".repeat(Math.max(0, 3 - symbol.length()));
    }

    private static String colorOf(Action a) {
        return switch (a) {
            case CREATE -> GREEN;
            case DELETE -> RED;
            case UPDATE -> YELLOW;
            default -> YELLOW;
        };
    }

    private String paint(String code, String text) {
        return color ? code + text + RESET : text;
    }
}

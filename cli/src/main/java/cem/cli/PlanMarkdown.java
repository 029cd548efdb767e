package cem.cli;

import cem.plan.Action;
import cem.plan.Plan;
import cem.plan.ResourceChange;
import java.util.ArrayList;
import java.util.List;

/**
 * A plan as Markdown for a pull-request comment: the summary first, then a collapsible section per
 * resource. Kept under {@code maxChars} (GitHub's comment limit is 65,536) by dropping whole
 * resource sections, and saying so.
 */
final class PlanMarkdown {

    private final int maxChars;

    PlanMarkdown(int maxChars) {
        this.maxChars = maxChars;
    }

    String render(Plan plan) {
        StringBuilder head = new StringBuilder("### cem plan\n\n");
        if (PlanRun.withoutCredentials(plan)) {
            head.append(":information_source: **").append(PlanRun.WITHOUT_CREDENTIALS).append("**\n\n");
        }
        if (!plan.hasChanges()) {
            head.append("**No changes.** The infrastructure matches the configuration.\n");
        } else {
            head.append("**Plan:** ").append(plan.summary()).append(".\n");
        }
        if (!plan.drift().isEmpty()) {
            head.append("\n:warning: **").append(plan.drift().size()).append(" resource(s) changed outside cem** since the last apply.\n");
        }
        if (!plan.unknownHosts().isEmpty()) {
            head.append("\n:warning: **Incomplete:** host(s) ").append(String.join(", ", plan.unknownHosts()))
                    .append(" could not be read.\n");
        }
        if (plan.diagnostics().hasErrors()) {
            head.append("\n:x: **").append(plan.diagnostics().errorCount()).append(" error(s)** — see the job log.\n");
        }
        List<String> sections = new ArrayList<>();
        for (ResourceChange c : plan.changes()) {
            if (c.action() == Action.NO_OP && c.previousAddress() == null && !c.adopting()) {
                continue;
            }
            Plan one = new Plan(plan.mode(), List.of(c), List.of(), plan.lineage(), plan.serial(), plan.configDigest(),
                    plan.configDirectory(), List.of(), cem.diag.Diagnostics.empty());
            String body = new PlanText(false).render(one);
            body = body.substring(body.indexOf("\n\n") + 2, body.lastIndexOf("Plan:")).stripTrailing();
            sections.add("<details><summary><code>" + c.action().symbol() + " " + c.address() + "</code></summary>\n\n```diff\n"
                    + body + "\n```\n</details>\n");
        }
        StringBuilder out = new StringBuilder(head).append('\n');
        int shown = 0;
        for (String s : sections) {
            String notice = truncationNotice(sections.size() - shown - 1);
            if (out.length() + s.length() + notice.length() > maxChars) {
                out.append(truncationNotice(sections.size() - shown));
                return out.toString();
            }
            out.append(s);
            shown++;
        }
        return out.toString();
    }

    private String truncationNotice(int left) {
        return left <= 0 ? "" : "\n_…and " + left + " more resource(s) not shown: the comment is limited to " + maxChars
                + " characters. The saved plan and the job log have the full plan._\n";
    }
}

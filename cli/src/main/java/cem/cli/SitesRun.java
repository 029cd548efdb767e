package cem.cli;

import cem.diag.Diagnostics;
import cem.diag.DiagnosticsException;
import cem.engine.Applier;
import cem.engine.PlanOptions;
import cem.engine.Planner;
import cem.plan.Plan;
import cem.plan.PlanJson;
import cem.state.State;
import cem.state.StateStore;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Plans and applies the sites of a fleet, several at once: each under its own state lock, held
 * from its plan to the end of its apply. Results are printed in inventory order.
 */
final class SitesRun {

    private SitesRun() {}

    /** One site's run: its lock, plan and apply outcome. */
    static final class Site implements AutoCloseable {
        final Fleet.Member member;
        StateStore.Lock lock;
        Planner.Planned planned;
        /** The state {@link #planned} was made from, read under the site's lock (to plan again once ACME certificates are issued). */
        State state;
        /** A saved plan being applied (instead of a fresh one). */
        Plan saved;
        Applier.Outcome outcome;
        Diagnostics diagnostics;
        /** Diagnostics already printed (before a confirmation), not printed again. */
        int printed;

        Site(Fleet.Member member) {
            this.member = member;
            this.diagnostics = member.diagnostics;
        }

        String name() {
            return member.name();
        }

        Plan plan() {
            return planned != null ? planned.plan() : saved;
        }

        /** Errors found before or while planning, or a plan that cannot be applied. */
        boolean planFailed() {
            return diagnostics.hasErrors() || plan() == null || !plan().applyable();
        }

        boolean applyFailed() {
            return outcome != null && (outcome.failed() + outcome.skipped() > 0 || outcome.cancelled() || outcome.diagnostics().hasErrors());
        }

        String status() {
            if (planFailed()) {
                long errors = diagnostics.errorCount();
                return plan() != null && !plan().unknownHosts().isEmpty() && errors == 0 ? "incomplete (hosts unreadable)"
                        : "error" + (errors > 0 ? " (" + errors + ")" : "");
            }
            if (outcome != null) {
                return applyFailed() ? "apply failed" : "applied";
            }
            return plan().hasChanges() ? "changes" : "no changes";
        }

        void addDiagnostics(Diagnostics d) {
            diagnostics = diagnostics.plus(member.remap(d));
        }

        @Override
        public void close() {
            if (lock != null) {
                lock.close();
                lock = null;
            }
        }
    }

    /**
     * Sites worked on at once. --parallelism counts hosts: every site's host work takes a slot of
     * {@link cem.engine.HostSlots} (set by {@link #each}), so more sites than that may be under way,
     * their hosts waiting for slots rather than a site holding slots until its slowest host is done.
     */
    static int sitesAtOnce(Fleet fleet, int parallelism) {
        return Math.max(1, Math.min(fleet.members.size(), parallelism));
    }

    /** Locks and plans every workable site; the locks stay held until the sites are closed. */
    static List<Site> plan(Fleet fleet, PlanOptions options, String operation, Duration lockTimeout, boolean keepLocks) {
        List<Site> sites = fleet.members.stream().map(Site::new).toList();
        each(fleet, sites, options.parallelism(), site -> {
            if (!site.member.ok()) {
                return;
            }
            Workspace ws = site.member.ws;
            try {
                site.lock = ws.lock(operation, lockTimeout);
                site.state = ws.readState();
                site.planned = PlanRun.plan(ws, site.state, options);
                site.addDiagnostics(site.planned.plan().diagnostics());
            } catch (DiagnosticsException e) {
                site.addDiagnostics(e.diagnostics());
            } finally {
                if (!keepLocks) {
                    site.close();
                }
            }
        });
        return sites;
    }

    /** Applies the plans of these sites (those that have changes), several sites at once. */
    static void apply(Fleet fleet, List<Site> sites, PlanOptions options) {
        int parallelism = options.parallelism();
        each(fleet, sites, parallelism, site -> {
            if (site.planFailed() || !site.plan().hasChanges()) {
                return;
            }
            try {
                // As `cem apply` of one configuration: a refused certificate's import fails, so what is bound stays bound.
                PlanRun.Issuance issuance = PlanRun.issueThenPlan(site.member.ws, site.state, options);
                if (issuance != null) {
                    site.addDiagnostics(issuance.issued());
                    site.planned = issuance.planned();
                    if (!site.planned.plan().applyable()) {
                        site.addDiagnostics(site.planned.plan().diagnostics());
                        return;
                    }
                }
            } catch (DiagnosticsException e) {
                site.addDiagnostics(e.diagnostics()); // this site stops here; the others go on
                return;
            }
            site.outcome = ApplyRun.run(site.member.ws, site.plan(), site.planned.workingState(), site.planned.desired(), parallelism);
            if (!site.outcome.diagnostics().isEmpty()) {
                site.addDiagnostics(site.member.ws.config.attach(site.outcome.diagnostics()));
            }
        });
    }

    static void each(Fleet fleet, List<Site> sites, int parallelism, Consumer<Site> work) {
        ExecutorService pool = Executors.newFixedThreadPool(sitesAtOnce(fleet, parallelism), r -> {
            Thread t = new Thread(r, "cem-site");
            t.setDaemon(true);
            return t;
        });
        try (AutoCloseable slots = cem.engine.HostSlots.limit(parallelism)) {
            List<Future<?>> futures = new ArrayList<>();
            for (Site s : sites) {
                futures.add(pool.submit((Callable<Void>) () -> {
                    work.accept(s);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Each site's diagnostics on stderr, in inventory order. */
    static void printDiagnostics(Session session, List<Site> sites, boolean color) {
        java.util.Set<cem.diag.Diagnostic> printed = new java.util.HashSet<>();
        for (Site s : sites) {
            // A template's own mistake is the same for every site: said once.
            Diagnostics.Builder fresh = Diagnostics.builder();
            s.diagnostics.list().stream().skip(s.printed).forEach(d -> {
                if (printed.add(d)) {
                    fresh.add(d);
                }
            });
            s.printed = s.diagnostics.list().size();
            Diagnostics d = fresh.build();
            if (!d.isEmpty()) {
                java.util.function.Function<java.nio.file.Path, List<String>> lines = s.member.config == null ? null : s.member.config::lines;
                new DiagnosticPrinter(session, color, lines).print(d.sorted());
            }
        }
    }

    /** The summary table: one line per site. */
    static String table(List<Site> sites) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SITE", "WAVE", "ADOPT", "ADD", "CHANGE", "DESTROY", "DRIFT", "STATUS"});
        for (Site s : sites) {
            Plan p = s.plan();
            boolean counts = p != null && !s.planFailed();
            rows.add(new String[] {s.name(), s.member.wave == null ? "-" : s.member.wave, counts ? String.valueOf(p.toAdopt()) : "-",
                counts ? String.valueOf(p.toAdd()) : "-", counts ? String.valueOf(p.toChange()) : "-",
                counts ? String.valueOf(p.toDestroy()) : "-", p != null ? String.valueOf(p.drift().size()) : "-", s.status()});
        }
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < r.length; i++) {
                boolean number = i >= 2 && i <= 6;
                String cell = number ? " ".repeat(width[i] - r[i].length()) + r[i] : r[i] + " ".repeat(width[i] - r[i].length());
                line.append(cell).append(i < r.length - 1 ? "  " : "");
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** The closing line over all sites. */
    static String total(List<Site> sites) {
        long adopt = 0;
        long add = 0;
        long change = 0;
        long destroy = 0;
        int failed = 0;
        for (Site s : sites) {
            if (s.planFailed()) {
                failed++;
            } else {
                adopt += s.plan().toAdopt();
                add += s.plan().toAdd();
                change += s.plan().toChange();
                destroy += s.plan().toDestroy();
            }
        }
        return "Plan (" + sites.size() + " site" + (sites.size() == 1 ? "" : "s") + "): " + (adopt > 0 ? adopt + " to adopt, " : "") + add + " to add, " + change + " to change, " + destroy
                + " to destroy." + (failed > 0 ? " " + failed + " site" + (failed == 1 ? " has" : "s have") + " errors." : "");
    }

    /** The text form: the table, then each site's plan under its name, then the total. */
    static String text(List<Site> sites, boolean color) {
        StringBuilder out = new StringBuilder("\n").append(table(sites));
        for (Site s : sites) {
            out.append("\n── site ").append(s.name()).append(" ").append("─".repeat(Math.max(3, 60 - s.name().length()))).append("\n\n");
            if (s.plan() == null) {
                out.append("Not planned: see the errors above.\n");
            } else {
                out.append(s.member.ws == null ? "" : PlanRun.trustHeader(s.member.ws)).append(new PlanText(color).render(s.plan()));
            }
        }
        return out.append('\n').append(total(sites)).append('\n').toString();
    }

    /** The Markdown form for a pull request: the table, then a collapsed section per site with changes, within {@code maxChars}. */
    static String markdown(List<Site> sites, int maxChars) {
        StringBuilder head = new StringBuilder("### cem plan: ").append(sites.size()).append(" site").append(sites.size() == 1 ? "" : "s").append("\n\n");
        if (sites.stream().anyMatch(s -> s.plan() != null && PlanRun.withoutCredentials(s.plan()))) {
            head.append(":information_source: **").append(PlanRun.WITHOUT_CREDENTIALS).append("**\n\n");
        }
        head.append("| site | wave | adopt | add | change | destroy | drift | status |\n|---|---|---:|---:|---:|---:|---:|---|\n");
        for (String line : table(sites).split("\n")) {
            if (line.isBlank() || line.trim().startsWith("SITE")) {
                continue;
            }
            head.append("| ").append(String.join(" | ", line.trim().split("\\s{2,}"))).append(" |\n");
        }
        head.append("\n**").append(total(sites)).append("**\n");
        List<Site> detailed = sites.stream().filter(s -> s.plan() != null && (s.plan().hasChanges() || !s.plan().drift().isEmpty())).toList();
        StringBuilder out = new StringBuilder(head);
        if (detailed.isEmpty()) {
            return out.toString();
        }
        int share = (maxChars - head.length() - 400) / detailed.size();
        int shown = 0;
        for (Site s : detailed) {
            String body = share < 600 ? "" : new PlanMarkdown(share - 200).render(s.plan());
            body = body.substring(body.indexOf('\n') + 1).strip(); // drop its own heading
            String section = "\n<details><summary>site <b>" + s.name() + "</b>: " + s.plan().summary() + "</summary>\n\n" + body + "\n</details>\n";
            if (body.isEmpty() || out.length() + section.length() > maxChars - 300) {
                break;
            }
            out.append(section);
            shown++;
        }
        if (shown < detailed.size()) {
            out.append("\n_…the plans of ").append(detailed.size() - shown).append(" more site(s) are not shown: the comment is limited to ")
                    .append(maxChars).append(" characters. The saved plan and the job log have them all._\n");
        }
        return out.toString();
    }

    /** The JSON form: every site's counts as the table has them ({@code summary}), its plan (schemas/plan.schema.json) and diagnostics. */
    static ObjectNode json(Session session, List<Site> sites) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("format_version", PlanJson.FORMAT_VERSION);
        ArrayNode array = root.putArray("sites");
        for (Site s : sites) {
            ObjectNode o = array.addObject();
            o.put("site", s.name());
            o.put("wave", s.member.wave);
            o.put("status", s.status());
            if (s.plan() != null && !s.planFailed()) {
                Plan p = s.plan();
                o.putObject("summary").put("adopt", p.toAdopt()).put("add", p.toAdd()).put("change", p.toChange()).put("destroy", p.toDestroy())
                        .put("drift", p.drift().size());
            }
            if (s.plan() != null) {
                o.set("plan", PlanJson.write(s.plan(), VersionCommand.version(), false));
            }
            java.util.function.Function<java.nio.file.Path, List<String>> lines = s.member.config == null ? null : s.member.config::lines;
            o.set("diagnostics", new DiagnosticPrinter(session, false, lines).json(s.diagnostics.sorted()));
        }
        return root;
    }
}

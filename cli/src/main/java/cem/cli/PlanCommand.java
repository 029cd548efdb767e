package cem.cli;

import cem.engine.Planner;
import cem.plan.Plan;
import cem.plan.PlanJson;
import cem.plan.PlanMode;
import cem.state.StateStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem plan [DIR]}: what apply would change, after reading every host once. */
@Command(name = "plan", description = {
    "Show what apply would change.",
    "Reads each host once, compares it with the configuration and the state, and prints the",
    "changes. Changes nothing. Exit code with --detailed-exitcode: 0 no changes, 1 error, 2 changes."})
final class PlanCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
    String directory = ".";

    @Option(names = {"-out", "--out"}, paramLabel = "FILE", description = "Save the plan to FILE for `cem apply FILE`.")
    String out;

    @Option(names = "--detailed-exitcode", description = "Exit 2 when there are changes.")
    boolean detailedExitcode;

    @Option(names = "--destroy", description = "Plan to destroy everything cem manages here.")
    boolean destroy;

    @Option(names = "--json", description = "Print the plan as JSON (schemas/plan.schema.json).")
    boolean json;

    @Option(names = "--markdown", description = "Print the plan as Markdown, for a pull-request comment.")
    boolean markdown;

    @Option(names = "--max-chars", paramLabel = "N", defaultValue = "65000", description = "Markdown size limit (default: ${DEFAULT-VALUE}).")
    int maxChars;

    @Option(names = "--sites", paramLabel = "SELECTOR", split = ",",
            description = "In a fleet (a directory with sites.yaml): plan these sites: all, names, globs (eu-*), tag:NAME, wave:NAME (default: all).")
    java.util.List<String> sites = new java.util.ArrayList<>();

    @Option(names = "--no-credentials", description = {"Plan without any credential: resolve no secret reference, contact no host, and",
        "compare the configuration with the state only (labelled so in the plan). For pull-request jobs, whose",
        "configuration a pull request can point at hosts of its choosing. Not with -out or --refresh-only."})
    boolean noCredentials;

    @Mixin
    PlanOptionsMixin planOptions;

    @Mixin
    CommonOptions common;

    PlanCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        if (noCredentials && (out != null || planOptions.refreshOnly)) {
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9080",
                    "--no-credentials does not go with " + (out != null ? "-out" : "--refresh-only"),
                    "A plan made without credentials reads no host: it is for review, not to be applied or to refresh the state.",
                    "Drop " + (out != null ? "-out" : "--refresh-only") + "; the apply job plans again with its credentials.", null, null));
        }
        Session session = this.session.withoutCredentials(noCredentials);
        if (!sites.isEmpty() || cem.sites.Inventory.isFleet(session.resolve(directory))) {
            return planSites(session);
        }
        try (Workspace ws = Workspace.open(session, directory, common.debug, planOptions.acceptNewHostKeys)) {
            Planner.Planned planned;
            try (StateStore.Lock lock = ws.lock("plan", planOptions.lockTimeout(session))) {
                planned = PlanRun.plan(ws, ws.readState(), planOptions.options(destroy ? PlanMode.DESTROY : PlanMode.NORMAL));
            }
            Plan plan = planned.plan();
            boolean color = common.color(session);
            PlanRun.diagnostics(ws, plan.diagnostics(), color);
            if (json) {
                var node = PlanJson.write(plan, VersionCommand.version(), false);
                node.set("diagnostics", new DiagnosticPrinter(session, false, ws.config::lines).json(plan.diagnostics()));
                node.set("insecure_hosts", PlanRun.insecureHosts(ws));
                session.out().println(JsonOutput.write(node));
            } else if (markdown) {
                String md = new PlanMarkdown(maxChars).render(plan);
                String header = PlanRun.trustHeader(ws);
                session.out().print(header.isEmpty() ? md : md.replaceFirst("\n\n", "\n\n:warning: " + header.trim().replace("\n", "\n:warning: ") + "\n\n"));
            } else {
                session.out().print(PlanRun.trustHeader(ws) + new PlanText(color).render(plan));
            }
            if (out != null && plan.applyable()) {
                PlanRun.writePlanFile(ws, plan, out);
                if (!json && !markdown) {
                    session.out().println("\nSaved the plan to: " + out + "\nTo perform exactly these actions, run: cem apply " + out);
                }
            }
            session.out().flush();
            if (!plan.applyable()) {
                return ExitCodes.ERROR;
            }
            return detailedExitcode && plan.hasChanges() ? ExitCodes.CHANGES : ExitCodes.OK;
        }
    }

    /** The sites of a fleet, planned at once: a table, then each site's plan. */
    private int planSites(Session session) {
        try (Fleet fleet = Fleet.open(session, directory, sites, common.debug, planOptions.acceptNewHostKeys)) {
            java.util.List<SitesRun.Site> runs = SitesRun.plan(fleet, planOptions.options(destroy ? PlanMode.DESTROY : PlanMode.NORMAL), "plan",
                    planOptions.lockTimeout(session), false);
            boolean color = common.color(session);
            SitesRun.printDiagnostics(session, runs, color);
            if (json) {
                session.out().println(JsonOutput.write(SitesRun.json(session, runs)));
            } else if (markdown) {
                session.out().print(SitesRun.markdown(runs, maxChars));
            } else {
                session.out().print(SitesRun.text(runs, color));
            }
            boolean failed = runs.stream().anyMatch(SitesRun.Site::planFailed);
            if (out != null && !failed) {
                SitesPlanFile.write(session, fleet, runs, out);
                if (!json && !markdown) {
                    session.out().println("\nSaved the plans of " + runs.size() + " site(s) to: " + out
                            + "\nTo perform exactly these actions, run: cem apply " + out);
                }
            } else if (out != null) {
                session.err().println("cem: the plan was not saved: some sites have errors.");
            }
            session.out().flush();
            if (failed) {
                return ExitCodes.ERROR;
            }
            return detailedExitcode && runs.stream().anyMatch(r -> r.plan().hasChanges()) ? ExitCodes.CHANGES : ExitCodes.OK;
        }
    }
}

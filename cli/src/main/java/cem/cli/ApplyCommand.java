package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Severity;
import cem.engine.Applier;
import cem.engine.DesiredState;
import cem.engine.EngineCodes;
import cem.engine.Planner;
import cem.plan.Plan;
import cem.plan.PlanJson;
import cem.plan.PlanMode;
import cem.state.State;
import cem.state.StateStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem apply [DIR|PLANFILE]}: plan, confirm, change the hosts. */
@Command(name = "apply", description = {
    "Change the hosts to match the configuration.",
    "Plans, asks for confirmation (unless --auto-approve) and applies. With a saved plan file",
    "it applies exactly that plan, without asking, and refuses it if it is stale."})
final class ApplyCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(arity = "0..1", paramLabel = "DIR|PLANFILE", description = "Configuration directory or saved plan (default: the current directory).")
    String target = ".";

    @Option(names = "--auto-approve", description = "Do not ask for confirmation.")
    boolean autoApprove;

    @Option(names = "--sites", paramLabel = "SELECTOR", split = ",",
            description = "In a fleet (a directory with sites.yaml): apply these sites: all, names, globs (eu-*), tag:NAME, wave:NAME (default: all).")
    java.util.List<String> sites = new java.util.ArrayList<>();

    @Mixin
    PlanOptionsMixin planOptions;

    @Mixin
    CommonOptions common;

    /** Set by destroy. */
    PlanMode mode = PlanMode.NORMAL;

    ApplyCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Path path = session.resolve(target);
        if (Files.isRegularFile(path)) {
            JsonNode sitesPlan = SitesPlanFile.readIfSites(path);
            return sitesPlan != null ? applySavedSites(path, sitesPlan) : applySaved(path);
        }
        if (!sites.isEmpty() || cem.sites.Inventory.isFleet(path)) {
            return applySites();
        }
        try (Workspace ws = Workspace.open(session, target, common.debug, planOptions.acceptNewHostKeys)) {
            try (StateStore.Lock lock = ws.lock(mode == PlanMode.DESTROY ? "destroy" : "apply", planOptions.lockTimeout(session))) {
                State state = ws.readState();
                Planner.Planned planned = PlanRun.plan(ws, state, planOptions.options(mode));
                Plan plan = planned.plan();
                boolean color = common.color(session);
                PlanRun.diagnostics(ws, plan.diagnostics(), color);
                session.out().print(PlanRun.trustHeader(ws) + new PlanText(color).render(plan));
                session.out().flush();
                if (!plan.applyable()) {
                    session.err().println("The plan cannot be applied: " + (plan.unknownHosts().isEmpty()
                            ? "fix the errors above." : "hosts could not be read (" + String.join(", ", plan.unknownHosts()) + ")."));
                    return ExitCodes.ERROR;
                }
                if (!plan.hasChanges()) {
                    return ExitCodes.OK;
                }
                if (!confirmed()) {
                    session.err().println("Apply cancelled.");
                    return ExitCodes.ERROR;
                }
                PlanRun.Issuance issuance = PlanRun.issueThenPlan(ws, state, planOptions.options(mode));
                if (issuance != null) {
                    // The CA is asked only now, after the confirmation: the plan above shows what will be requested.
                    PlanRun.diagnostics(ws, issuance.issued(), color);
                    planned = issuance.planned();
                    plan = planned.plan();
                    if (issuance.issued().hasErrors()) {
                        // What does not need the refused certificate goes on; its import fails, so what is bound stays bound.
                        finish(ws, plan, ApplyRun.run(ws, plan, planned.workingState(), planned.desired(), planOptions.parallelism), color);
                        return ExitCodes.ERROR;
                    }
                }
                Applier.Outcome outcome = ApplyRun.run(ws, plan, planned.workingState(), planned.desired(), planOptions.parallelism);
                return finish(ws, plan, outcome, color);
            }
        }
    }

    private int applySaved(Path file) {
        JsonNode json = PlanRun.readPlanFile(session, file, target);
        Plan plan = PlanJson.read(json);
        try (Workspace ws = Workspace.open(session, plan.configDirectory(), common.debug, planOptions.acceptNewHostKeys)) {
            try (StateStore.Lock lock = ws.lock("apply", planOptions.lockTimeout(session))) {
                Applier.Outcome outcome = applySaved(ws, plan, target, planOptions.parallelism);
                return finish(ws, plan, outcome, common.color(session));
            }
        }
    }

    /** Applies a saved plan to its workspace (whose lock the caller holds), after refusing it if it is stale. */
    static Applier.Outcome applySaved(Workspace ws, Plan plan, String label, int parallelism) {
        State state = ws.readState();
        if (state.serial() == 0 && !state.lineage().equals(plan.lineage())) {
            // No state yet: the first state takes the lineage the plan was made with.
            state = new State(State.FORMAT_VERSION, plan.lineage(), 0, state.cemVersion(), state.resources());
        }
        String stale = null;
        if (!ws.digest.equals(plan.configDigest())) {
            stale = "the configuration (or a certificate file it names) changed since the plan was made";
        } else if (!state.lineage().equals(plan.lineage()) && state.serial() > 0) {
            stale = "the state is another one (lineage " + state.lineage() + ", the plan was made for " + plan.lineage() + ")";
        } else if (state.serial() != plan.serial()) {
            stale = "the state changed since the plan was made (serial " + plan.serial() + " then, " + state.serial() + " now)";
        }
        if (stale != null) {
            throw stale(ws, label, stale);
        }
        if (ws.acme().anyPending()) {
            return applySavedIssuing(ws, plan, state, label, parallelism);
        }
        var diags = cem.diag.Diagnostics.builder();
        var desired = DesiredState.of(ws.config, ws.registry, diags);
        desired.replaceAll((address, d) -> ws.acme().overlay(d));
        State start = Planner.applyMovesAndForget(ws.config, ws.registry, state);
        return ApplyRun.run(ws, plan, start, desired, parallelism);
    }

    /**
     * A saved plan that issues or renews ACME certificates: it showed "will be issued" and the
     * thumbprints as known after apply, as Terraform's saved plans do. The CA is asked now; the plan
     * made with what it issued must take exactly the saved plan's actions, or nothing is applied.
     */
    private static Applier.Outcome applySavedIssuing(Workspace ws, Plan saved, State state, String label, int parallelism) {
        java.util.Map<String, cem.plan.Action> actions = actions(saved);
        for (cem.acme.AcmeCertificates.Status s : ws.acme().statuses().values()) {
            boolean shown = saved.changes().stream().anyMatch(c -> c.address().equals(s.cert().address()) && c.after() != null
                    && s.pending() != null && s.pending().equals(c.after().path("pem").asText()));
            if (s.pending() != null && !shown) {
                throw stale(ws, label, "the ACME certificate " + s.cert().address() + " " + s.pending().replaceFirst("^will be ", "is to be ")
                        + " and the plan does not show it");
            }
        }
        cem.diag.Diagnostics issued = ws.acme().issuePending();
        if (issued.hasErrors()) {
            throw new DiagnosticsException(issued); // nothing was applied: the certificates bound stay bound
        }
        java.util.Set<String> replace = new java.util.TreeSet<>();
        actions.forEach((address, action) -> {
            if (action.isReplace()) {
                replace.add(address);
            }
        });
        Planner.Planned fresh = PlanRun.plan(ws, state, new cem.engine.PlanOptions(saved.mode(), actions.keySet(), java.util.Set.of(), replace,
                parallelism));
        if (!fresh.plan().applyable() || !actions(fresh.plan()).equals(actions)) {
            throw stale(ws, label, "with the certificate the CA issued, the plan takes other actions (" + actions(fresh.plan())
                    + " instead of " + actions + ")");
        }
        return ApplyRun.run(ws, fresh.plan(), fresh.workingState(), fresh.desired(), parallelism);
    }

    private static java.util.Map<String, cem.plan.Action> actions(Plan plan) {
        java.util.Map<String, cem.plan.Action> out = new java.util.TreeMap<>();
        plan.changes().stream().filter(c -> c.action() != cem.plan.Action.NO_OP || c.adopting()).forEach(c -> out.put(c.address(), c.action()));
        return out;
    }

    private static DiagnosticsException stale(Workspace ws, String label, String why) {
        return new DiagnosticsException(new Diagnostic(Severity.ERROR, EngineCodes.STALE_PLAN, "Saved plan is stale",
                "The plan in " + label + " no longer applies: " + why + ".",
                "Run `cem plan " + ws.session.shown(ws.config.directory()) + " -out " + label + "` again, review it, and apply the new file.", null, null));
    }

    /** A saved plan of several sites: each site's plan applied to it, under its lock, several sites at once. */
    private int applySavedSites(Path file, JsonNode root) {
        java.util.List<String> names = new java.util.ArrayList<>();
        root.get("sites").forEach(n -> names.add(n.path("site").asText()));
        try (Fleet fleet = Fleet.open(session, root.get("fleet").asText(), names, common.debug, planOptions.acceptNewHostKeys)) {
            java.util.Map<String, JsonNode> plans = new java.util.HashMap<>();
            root.get("sites").forEach(n -> plans.put(n.path("site").asText(), n.get("plan")));
            fleet.writeRendered(); // as `cem render` would (a stale plan is refused below all the same)
            java.util.List<SitesRun.Site> runs = fleet.members.stream().map(SitesRun.Site::new).toList();
            SitesRun.each(fleet, runs, planOptions.parallelism, site -> {
                if (!site.member.ok()) {
                    return;
                }
                String label = target + " (site " + site.name() + ")";
                try {
                    site.saved = PlanJson.read(SitesPlanFile.open(plans.get(site.name()), site.member.ws, label));
                    site.lock = site.member.ws.lock("apply", planOptions.lockTimeout(session));
                    site.outcome = applySaved(site.member.ws, site.saved, label, planOptions.parallelism);
                    if (!site.outcome.diagnostics().isEmpty()) {
                        site.addDiagnostics(site.member.ws.config.attach(site.outcome.diagnostics()));
                    }
                } catch (DiagnosticsException e) {
                    site.addDiagnostics(e.diagnostics());
                } finally {
                    site.close();
                }
            });
            return finishSites(runs);
        }
    }

    /** {@code cem apply FLEET --sites …}: plan every selected site, confirm once, apply them. */
    private int applySites() {
        try (Fleet fleet = Fleet.open(session, target, sites, common.debug, planOptions.acceptNewHostKeys)) {
            java.util.List<SitesRun.Site> runs = SitesRun.plan(fleet, planOptions.options(mode),
                    mode == PlanMode.DESTROY ? "destroy" : "apply", planOptions.lockTimeout(session), true);
            try {
                boolean color = common.color(session);
                SitesRun.printDiagnostics(session, runs, color);
                session.out().print(SitesRun.text(runs, color));
                session.out().flush();
                long failed = runs.stream().filter(SitesRun.Site::planFailed).count();
                if (failed > 0) {
                    // Sites are independent (a state each): one site's error does not hold the others back.
                    session.err().println(failed + " site(s) with errors (see above) will not be changed; the others are applied.");
                }
                if (runs.stream().noneMatch(r -> !r.planFailed() && r.plan().hasChanges())) {
                    return failed > 0 ? ExitCodes.ERROR : ExitCodes.OK;
                }
                if (!confirmed()) {
                    session.err().println("Apply cancelled.");
                    return ExitCodes.ERROR;
                }
                runs.forEach(r -> r.printed = r.diagnostics.list().size()); // said above; only what the apply adds is said again
                fleet.writeRendered();
                SitesRun.apply(fleet, runs, planOptions.options(mode));
            } finally {
                runs.forEach(SitesRun.Site::close);
            }
            return finishSites(runs);
        }
    }

    private int finishSites(java.util.List<SitesRun.Site> runs) {
        SitesRun.printDiagnostics(session, runs, common.color(session));
        session.out().println();
        session.out().print(SitesRun.table(runs));
        long failed = runs.stream().filter(r -> r.applyFailed() || r.diagnostics.hasErrors() || !r.member.ok()).count();
        long applied = runs.stream().filter(r -> r.outcome != null && !r.applyFailed()).count();
        session.out().println();
        session.out().println((failed > 0 ? "Apply incomplete! " : "Apply complete! ") + "Sites: " + applied + " applied, " + failed + " failed, "
                + (runs.size() - applied - failed) + " unchanged.");
        session.out().flush();
        return failed > 0 ? ExitCodes.ERROR : ExitCodes.OK;
    }

    private int finish(Workspace ws, Plan plan, Applier.Outcome outcome, boolean color) {
        if (!outcome.diagnostics().isEmpty()) {
            new DiagnosticPrinter(session, color, ws.config::lines).print(ws.shown(ws.config.attach(outcome.diagnostics())).sorted());
        }
        session.out().println();
        session.out().println(ApplyRun.summary(plan, outcome));
        session.out().flush();
        if (outcome.cancelled()) {
            return 130;
        }
        return outcome.failed() + outcome.skipped() > 0 || outcome.diagnostics().hasErrors() ? ExitCodes.ERROR : ExitCodes.OK;
    }

    private boolean confirmed() {
        return Confirm.ask(session, autoApprove, "Apply",
                mode == PlanMode.DESTROY ? "Do you really want to destroy all resources?" : "Do you want to perform these actions?",
                "Pass --auto-approve (in CI, apply a reviewed saved plan: `cem apply PLANFILE`).");
    }
}

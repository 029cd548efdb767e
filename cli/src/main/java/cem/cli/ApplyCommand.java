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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
            return applySaved(path);
        }
        try (Workspace ws = Workspace.open(session, target, common.debug, planOptions.acceptNewHostKeys)) {
            try (StateStore.Lock lock = ws.lock(mode == PlanMode.DESTROY ? "destroy" : "apply", planOptions.lockTimeout())) {
                State state = ws.readState();
                Planner.Planned planned = PlanRun.plan(ws, state, planOptions.options(mode));
                Plan plan = planned.plan();
                boolean color = common.color(session);
                PlanRun.diagnostics(ws, plan.diagnostics(), color);
                session.out().print(new PlanText(color).render(plan));
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
                Applier.Outcome outcome = ApplyRun.run(ws, plan, planned.workingState(), planned.desired(), planOptions.parallelism);
                return finish(ws, plan, outcome, color);
            }
        }
    }

    private int applySaved(Path file) {
        JsonNode json = PlanRun.readPlanFile(session, file, target);
        Plan plan = PlanJson.read(json);
        try (Workspace ws = Workspace.open(session, plan.configDirectory(), common.debug, planOptions.acceptNewHostKeys)) {
            try (StateStore.Lock lock = ws.lock("apply", planOptions.lockTimeout())) {
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
                    throw new DiagnosticsException(new Diagnostic(Severity.ERROR, EngineCodes.STALE_PLAN, "Saved plan is stale",
                            "The plan in " + target + " no longer applies: " + stale + ".",
                            "Run `cem plan -out " + target + "` again, review it, and apply the new file.", null, null));
                }
                var diags = cem.diag.Diagnostics.builder();
                var desired = DesiredState.of(ws.config, ws.registry, diags);
                State start = Planner.applyMovesAndForget(ws.config, state);
                Applier.Outcome outcome = ApplyRun.run(ws, plan, start, desired, planOptions.parallelism);
                return finish(ws, plan, outcome, common.color(session));
            }
        }
    }

    private int finish(Workspace ws, Plan plan, Applier.Outcome outcome, boolean color) {
        if (!outcome.diagnostics().isEmpty()) {
            new DiagnosticPrinter(session, color, ws.config::lines).print(ws.config.attach(outcome.diagnostics()).sorted());
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
        if (autoApprove) {
            return true;
        }
        if (!session.terminal()) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9005", "Apply needs confirmation",
                    "cem asks for \"yes\" before changing hosts, but there is no terminal to ask on.",
                    "Pass --auto-approve (in CI, apply a reviewed saved plan: `cem apply PLANFILE`).", null, null));
        }
        session.out().println();
        session.out().println((mode == PlanMode.DESTROY ? "Do you really want to destroy all resources?" : "Do you want to perform these actions?"));
        session.out().println("  cem will perform the actions described above.");
        session.out().println("  Only 'yes' will be accepted to approve.");
        session.out().print("\n  Enter a value: ");
        session.out().flush();
        try {
            String line = new BufferedReader(new InputStreamReader(session.in(), StandardCharsets.UTF_8)).readLine();
            return line != null && line.trim().equals("yes");
        } catch (IOException e) {
            return false;
        }
    }
}

package cem.cli;

import cem.engine.Applier;
import cem.engine.DesiredResource;
import cem.engine.Hosts;
import cem.engine.StateRecorder;
import cem.plan.Action;
import cem.plan.Plan;
import cem.state.State;
import java.util.Map;

/** Runs an apply with progress, and with Ctrl-C finishing the batches in flight and saving the state. */
final class ApplyRun {

    private ApplyRun() {}

    static Applier.Outcome run(Workspace ws, Plan plan, State start, Map<String, DesiredResource> desired, int parallelism) {
        StateRecorder recorder = new StateRecorder(ws.store, start, VersionCommand.version());
        ApplyProgress progress = new ApplyProgress(ws.session.err(), ws.session.terminal());
        cem.config.SecretResolver secrets = ws.secrets.with(ws.acme().variables()); // an ACME certificate's kept PEM, in memory
        Applier applier = new Applier(ws.registry, new Hosts(ws.config, secrets), secrets, recorder, progress, parallelism,
                ws.secretDigest());
        Thread onInterrupt = new Thread(() -> {
            ws.session.err().println("\nInterrupt received: finishing the changes in flight, then saving the state...");
            ws.session.err().flush();
            applier.cancel();
        }, "cem-interrupt");
        boolean hooked = registerHook(onInterrupt);
        if (!hooked) {
            // The JVM is already shutting down (Ctrl-C or SIGTERM while planning): change nothing.
            ws.session.err().println("\nInterrupt received before the apply began: nothing was changed.");
            ws.session.err().flush();
            applier.cancel();
        }
        try {
            return applier.apply(plan, desired);
        } finally {
            progress.close();
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onInterrupt);
                } catch (IllegalStateException e) {
                    // shutting down: the hook is running and returns now that we are done
                }
            }
        }
    }

    private static boolean registerHook(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static long done(Plan plan, Applier.Outcome outcome, Action... actions) {
        return plan.changes().stream()
                .filter(c -> java.util.List.of(actions).contains(c.action()) && !outcome.unfinished().contains(c.address())).count();
    }

    /** What was done, counted from the changes that succeeded (never the plan's totals when some failed). */
    static String summary(Plan plan, Applier.Outcome outcome) {
        long added = done(plan, outcome, Action.CREATE, Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE);
        long changed = done(plan, outcome, Action.UPDATE);
        long destroyed = done(plan, outcome, Action.DELETE, Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE);
        long forgotten = done(plan, outcome, Action.FORGET);
        long adopted = plan.changes().stream().filter(c -> c.adopting() && !outcome.unfinished().contains(c.address())).count();
        return (outcome.failed() + outcome.skipped() > 0 || outcome.cancelled() ? "Apply incomplete! " : "Apply complete! ")
                + "Resources: " + (adopted > 0 ? adopted + " adopted, " : "") + added + " added, " + changed + " changed, " + destroyed + " destroyed"
                + (forgotten > 0 ? ", " + forgotten + " forgotten" : "")
                + (outcome.failed() > 0 ? "; " + outcome.failed() + " failed" : "")
                + (outcome.skipped() > 0 ? "; " + outcome.skipped() + " skipped" : "") + ".";
    }
}

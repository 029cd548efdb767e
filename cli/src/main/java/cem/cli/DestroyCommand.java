package cem.cli;

import cem.plan.PlanMode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem destroy [DIR]}: delete everything cem manages, in reverse dependency order. */
@Command(name = "destroy", description = {
    "Delete everything cem manages for this configuration.",
    "Dependents go first. Asks for confirmation unless --auto-approve."})
final class DestroyCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
    String directory = ".";

    @Option(names = "--auto-approve", description = "Do not ask for confirmation.")
    boolean autoApprove;

    @Mixin
    PlanOptionsMixin planOptions;

    @Mixin
    CommonOptions common;

    DestroyCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        ApplyCommand apply = new ApplyCommand(session);
        apply.target = directory;
        apply.autoApprove = autoApprove;
        apply.planOptions = planOptions;
        apply.common = common;
        apply.mode = PlanMode.DESTROY;
        return apply.call();
    }
}

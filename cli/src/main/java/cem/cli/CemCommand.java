package cem.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** The top-level {@code cem} command. */
@Command(
        name = "cem",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT, // `cem COMMAND --help` on every command, as the footer promises
        versionProvider = VersionCommand.Provider.class,
        description = {
            "Declarative configuration of Symantec/Broadcom ITMS Cloud-Enabled Management.",
            "Gateways, certificates, IIS bindings, firewall rules and the CEM policy as code.",
            ""
        },
        subcommands = {ValidateCommand.class, PlanCommand.class, ApplyCommand.class, DestroyCommand.class, RenderCommand.class, RolloutCommand.class,
            ShowCommand.class,
            StateCommand.class, InitCommand.class, LockCommand.class, ImportCommand.class, ForceUnlockCommand.class, GraphCommand.class, TrustCommand.class,
            LabCommand.class, AgentCommand.class, ReportCommand.class, DoctorCommand.class, ProbeCommand.class, IgCommand.class, DocCommand.class, CompletionCommand.class, ManCommand.class,
            VersionCommand.class,
            picocli.CommandLine.HelpCommand.class},
        footer = {"", "Run `cem COMMAND --help` for a command's options. Docs: README.md."})
final class CemCommand implements java.util.concurrent.Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** A bare {@code cem} is a usage error, as in other CLIs: the usage on standard error, exit 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}

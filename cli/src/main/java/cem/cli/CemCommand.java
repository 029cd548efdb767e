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
            LabCommand.class, AgentCommand.class, ReportCommand.class, DoctorCommand.class, ProbeCommand.class, IgCommand.class, CompletionCommand.class, ManCommand.class,
            VersionCommand.class,
            picocli.CommandLine.HelpCommand.class},
        footer = {"", "Run `cem COMMAND --help` for a command's options. Docs: README.md."})
final class CemCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

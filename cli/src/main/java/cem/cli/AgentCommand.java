package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.Result;
import cem.diag.Severity;
import cem.engine.Hosts;
import cem.spi.ConnectionSpec;
import cem.spi.HostTarget;
import cem.spi.Transport;
import cem.spi.TransportException;
import cem.spi.Transports;
import cem.windows.AgentFiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem agent remove}: delete what cem left on Windows hosts. */
@Command(name = "agent", description = "cem's PowerShell agent on Windows hosts.", subcommands = {AgentCommand.Remove.class})
final class AgentCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "remove", description = {"Delete the agent module cem installed from the Windows hosts of a configuration.",
        "Removes %%ProgramData%%\\cem and the agent's document-encryption certificate, and changes nothing else; the next cem command installs the agent again."})
    static final class Remove implements Callable<Integer> {

        private final Session session;

        @Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
        String directory = ".";

        @Option(names = "--host", paramLabel = "NAME", description = "Only this host (repeatable).")
        List<String> only = new ArrayList<>();

        @Mixin
        CommonOptions common;

        Remove(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            int failures = 0;
            try (Workspace ws = Workspace.open(session, directory, common.debug)) {
                Hosts hosts = new Hosts(ws.config, ws.secrets);
                Transports transports = Transports.load();
                for (var h : ws.config.hosts().values()) {
                    if (!h.os().equals("windows") || (!only.isEmpty() && !only.contains(h.name()))) {
                        continue;
                    }
                    Result<HostTarget> target = hosts.target(h.name());
                    if (target.value() == null) {
                        new DiagnosticPrinter(session, common.color(session), ws.config::lines).print(target.diagnostics());
                        failures++;
                        continue;
                    }
                    var s = target.value().settings();
                    ConnectionSpec spec = new ConnectionSpec(h.name(), s.path("address").asText(), s.path("port").asInt(0), s,
                            target.value().secrets(), ws.config.directory(), false, Duration.ofSeconds(20));
                    try (Transport t = transports.open(s.path("transport").asText("winrm"), spec)) {
                        boolean removed = AgentFiles.remove(t);
                        session.out().println(h.name() + ": " + (removed ? "removed %ProgramData%\\cem" : "nothing to remove"));
                    } catch (TransportException e) {
                        new DiagnosticPrinter(session, common.color(session), ws.config::lines).print(cem.diag.Diagnostics.of(
                                cem.spi.Sessions.hostProblem(e.getMessage(), "", e.hint())));
                        failures++;
                    }
                }
            }
            session.out().flush();
            return failures == 0 ? 0 : 1;
        }
    }
}

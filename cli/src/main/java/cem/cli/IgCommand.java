package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Result;
import cem.diag.Severity;
import cem.engine.EngineCodes;
import cem.engine.Hosts;
import cem.spi.ConnectionSpec;
import cem.spi.HostAnswerException;
import cem.spi.HostTarget;
import cem.spi.Transport;
import cem.spi.TransportException;
import cem.spi.Transports;
import cem.windows.Probes;
import cem.windows.WindowsProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem ig restore}: put back an Internet Gateway's settings from a backup cem took before a change. */
@Command(name = "ig", description = "Internet Gateway operations.", subcommands = {IgCommand.Restore.class})
final class IgCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "restore", description = {"Restore an Internet Gateway's settings from a backup cem took, and restart its service.",
        "The listener, servers and options come from the backup cem took before its last change (or a named one).",
        "Run `cem plan` afterwards: the configuration still says what it wants."})
    static final class Restore implements Callable<Integer> {

        private final Session session;

        @Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
        String directory = ".";

        @Option(names = "--host", required = true, paramLabel = "NAME", description = "The gateway's host.")
        String host;

        @Option(names = "--backup", paramLabel = "NAME", description = "A backup's name (default: the newest).")
        String backup;

        @Mixin
        CommonOptions common;

        Restore(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            try (Workspace ws = Workspace.open(session, directory, common.debug)) {
                Result<HostTarget> target = new Hosts(ws.config, ws.secrets).target(host);
                if (target.value() == null) {
                    throw new DiagnosticsException(target.diagnostics());
                }
                JsonNode s = target.value().settings();
                ConnectionSpec spec = new ConnectionSpec(host, s.path("address").asText(), s.path("port").asInt(0), s,
                        target.value().secrets(), ws.config.directory(), false, Duration.ofSeconds(20));
                // The gateway's own [?] settings location, when its resource names one.
                JsonNode attributes = ws.config.ofType("internet_gateway").stream().filter(r -> host.equals(r.host())).findFirst()
                        .map(r -> r.body()).orElse(null);
                try (Transport t = Transports.load().open(s.path("transport").asText("winrm"), spec)) {
                    JsonNode result = WindowsProvider.runOps(t, List.of(Probes.gatewayRestore(attributes, backup))).path(0);
                    if (!result.path("ok").asBoolean()) {
                        throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "PRV4020", "Cannot restore the gateway on " + host,
                                result.path("error").path("message").asText(), "List the backups in %ProgramData%\\cem\\ig-backups on the host.",
                                null, null));
                    }
                    session.out().println(host + ": restored the Internet Gateway settings from backup "
                            + result.path("data").path("restored").asText() + ". Run `cem plan " + directory + "` to compare with the configuration.");
                } catch (TransportException e) {
                    throw new DiagnosticsException(cem.spi.Sessions.hostProblem(e.getMessage(), "", e.hint()));
                } catch (HostAnswerException e) {
                    throw new DiagnosticsException(EngineCodes.unreadableAnswer(host, e));
                }
            }
            session.out().flush();
            return 0;
        }
    }
}

package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Severity;
import cem.engine.DesiredResource;
import cem.engine.DesiredState;
import cem.engine.Hosts;
import cem.engine.Refresh;
import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import cem.state.ResourceState;
import cem.state.State;
import cem.state.StateException;
import cem.state.StateStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code cem import ADDR ID}: adopt an existing object into the state after reading it. */
@Command(name = "import", description = {
    "Adopt an object that already exists on its host into the state.",
    "The resource must be declared in the configuration; ID is its identity on the host",
    "(a thumbprint, a rule name …). The object is read, not changed."})
final class ImportCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(index = "0", paramLabel = "ADDR")
    String address;

    @Parameters(index = "1", paramLabel = "ID")
    String id;

    @Mixin
    StateCommand.Dir dir;

    @Mixin
    CommonOptions common;

    ImportCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        try (Workspace ws = Workspace.open(session, dir.dir, common.debug)) {
            var diags = cem.diag.Diagnostics.builder();
            DesiredResource d = DesiredState.of(ws.config, ws.registry, diags).get(address);
            if (d == null) {
                throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9024", "No resource " + address + " in the configuration",
                        "cem imports only resources the configuration declares.", "Declare it first, then import it.", null, null));
            }
            try (StateStore.Lock lock = ws.lock("import", PlanOptionsMixin.parseDuration(dir.lockTimeout))) {
                State state = ws.readState();
                if (state.resource(address).isPresent()) {
                    throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9025", address + " is already managed", "",
                            "Use `cem state rm " + address + "` first to import another object.", null, null));
                }
                var read = new Refresh(ws.registry, new Hosts(ws.config, ws.secrets), 1)
                        .read(Map.of(d.host(), List.of(new ResourceInstance(address, d.type(), id, d.attributes()))));
                LiveResource live = read.live().get(address);
                if (live == null || !live.exists()) {
                    if (!read.diagnostics().isEmpty()) {
                        throw new DiagnosticsException(read.diagnostics());
                    }
                    throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9026", "Nothing to import: " + address + " with ID " + id
                            + " does not exist on host " + d.host(), "", "Check the ID; `cem plan` would create the object instead.", null, null));
                }
                ws.store.write(state.with(new ResourceState(address, d.type(), d.host(), live.identity(), live.attributes(),
                        d.dependencies(), d.preventDestroy())).nextSerial(VersionCommand.version()));
            } catch (StateException e) {
                throw Workspace.stateError(e);
            }
        }
        session.out().println("Imported " + address + ". Run `cem plan` to see how it differs from the configuration.");
        session.out().flush();
        return 0;
    }
}

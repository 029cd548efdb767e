package cem.cli;

import cem.diag.Diagnostics;
import cem.engine.Planner;
import cem.engine.PlanOptions;
import cem.plan.Plan;
import cem.plan.PlanJson;
import cem.state.State;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Plans and shows a plan: shared by {@code plan}, {@code apply} and {@code destroy}. */
final class PlanRun {

    private PlanRun() {}

    static Planner.Planned plan(Workspace ws, State state, PlanOptions options) {
        return new Planner(ws.config, ws.registry, ws.secrets, ws.digest).plan(state, options);
    }

    /** Prints warnings of validation and the plan's diagnostics on stderr. */
    static void diagnostics(Workspace ws, Diagnostics diagnostics, boolean color) {
        Diagnostics all = ws.warnings.plus(diagnostics).sorted();
        if (!all.isEmpty()) {
            new DiagnosticPrinter(ws.session, color, ws.config::lines).print(all);
        }
    }

    static void writePlanFile(Session session, Plan plan, String out, cem.state.StateEncryption encryption) {
        Path file = session.resolve(out);
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            String text = PlanJson.write(plan, VersionCommand.version(), true).toPrettyString() + "\n";
            if (encryption != null) {
                // Sealed like the state; the configuration's directory stays readable so that apply finds the key.
                var sealed = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(encryption.seal(text, plan.lineage(), plan.serial()));
                sealed.put("config_directory", plan.configDirectory());
                text = sealed.toPrettyString() + "\n";
            }
            cem.state.OwnerOnly.write(file, text);
        } catch (IOException e) {
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9004",
                    "Cannot write the plan file " + out, e.getMessage(), "Choose a writable path for -out.", null, null));
        }
    }
}

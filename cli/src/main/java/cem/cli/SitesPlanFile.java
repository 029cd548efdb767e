package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Severity;
import cem.engine.EngineCodes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A saved plan of several sites ({@code cem plan FLEET -out FILE}): the fleet's directory and each
 * site's saved plan, each bound to its own state's lineage and serial and its rendered
 * configuration's digest, and sealed with its site's key when the site encrypts at rest.
 */
final class SitesPlanFile {

    static final String MARKER = "cem_sites_plan";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SitesPlanFile() {}

    static void write(Session session, Fleet fleet, List<SitesRun.Site> runs, String out) {
        try {
            ObjectNode root = JSON.createObjectNode();
            root.put(MARKER, 1);
            Path dir = fleet.inventory.directory();
            root.put("fleet", session.shown(dir).toString().replace('\\', '/'));
            var sites = root.putArray("sites");
            for (SitesRun.Site s : runs) {
                ObjectNode o = sites.addObject();
                o.put("site", s.name());
                o.set("plan", JSON.readTree(PlanRun.planFileText(s.plan(), s.member.ws)));
            }
            PlanRun.writeOwnerOnly(session, out, root.toPrettyString() + "\n");
        } catch (IOException e) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9004", "Cannot write the plan file " + out, e.getMessage(),
                    "Choose a writable path for -out.", null, null));
        }
    }

    /** The file's JSON when it is a saved plan of sites, else null (a one-configuration plan, or not JSON: the caller reports). */
    static JsonNode readIfSites(Path file) {
        try {
            if (Files.size(file) > 64L * 1024 * 1024) {
                return null;
            }
            JsonNode root = JSON.readTree(Files.readString(file));
            return root != null && root.has(MARKER) && root.path("sites").isArray() && root.path("fleet").isTextual() ? root : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** One site's plan JSON, opened with its site's key (which refuses a clear one when the site requires encryption). */
    static JsonNode open(JsonNode plan, Workspace ws, String label) {
        try {
            if (ws.encryption != null) {
                plan = JSON.readTree(ws.encryption.open(plan.toPrettyString(), cem.state.StateEncryption.Kind.PLAN, "The saved plan of " + label));
            } else if (plan.has("encrypted")) {
                throw new DiagnosticsException(new Diagnostic(Severity.ERROR, EngineCodes.STALE_PLAN, "The saved plan of " + label
                        + " is encrypted, and its configuration names no key", "", "Set backend.encryption.key.", null, null));
            }
        } catch (cem.state.StateException e) {
            throw Workspace.stateError(e);
        } catch (IOException e) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, EngineCodes.STALE_PLAN, "Cannot read the saved plan of " + label,
                    e.getMessage(), "Make a new one with `cem plan -out FILE`.", null, null));
        }
        return PlanRun.checked(plan, label, ws.integrity);
    }
}

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
        cem.acme.AcmeCertificates acme = ws.acme();
        return new Planner(ws.config, ws.registry, ws.secrets.with(acme.variables()), ws.digest).withOverlay(acme::overlay).plan(state, options);
    }

    /**
     * The lines every plan of this workspace starts with when trust is weakened: hosts reached
     * over plain HTTP (insecureHttp: true), whose identity nothing verifies. Empty otherwise.
     */
    static String trustHeader(Workspace ws) {
        StringBuilder out = new StringBuilder();
        for (cem.config.HostConfig h : ws.config.hosts().values()) {
            if (h.body().path("insecureHttp").asBoolean(false)) {
                out.append("Warning: ").append(h.name()).append(" is reached over plain HTTP (insecureHttp: true): nothing verifies that ")
                        .append(h.address()).append(" is that host.\n");
            }
        }
        return out.length() == 0 ? "" : out.append('\n').toString();
    }

    /** The insecure hosts for the JSON plan. */
    static com.fasterxml.jackson.databind.node.ArrayNode insecureHosts(Workspace ws) {
        var array = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        ws.config.hosts().values().stream().filter(h -> h.body().path("insecureHttp").asBoolean(false)).forEach(h -> array.add(h.name()));
        return array;
    }

    /** Prints warnings of validation and the plan's diagnostics on stderr. */
    static void diagnostics(Workspace ws, Diagnostics diagnostics, boolean color) {
        Diagnostics all = ws.shown(ws.warnings.plus(diagnostics)).sorted();
        if (!all.isEmpty()) {
            new DiagnosticPrinter(ws.session, color, ws.config::lines).print(all);
        }
    }

    static void writePlanFile(Session session, Plan plan, String out, cem.state.StateEncryption encryption) {
        try {
            writeOwnerOnly(session, out, planFileText(plan, encryption));
        } catch (IOException e) {
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9004",
                    "Cannot write the plan file " + out, e.getMessage(), "Choose a writable path for -out.", null, null));
        }
    }

    /** A saved plan as written: JSON, or sealed like the state when the configuration encrypts at rest. */
    static String planFileText(Plan plan, cem.state.StateEncryption encryption) throws IOException {
        String text = PlanJson.write(plan, VersionCommand.version(), true).toPrettyString() + "\n";
        if (encryption != null) {
            // Sealed like the state; the configuration's directory stays readable so that apply finds the key.
            var sealed = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(encryption.seal(text, plan.lineage(), plan.serial()));
            sealed.put("config_directory", plan.configDirectory());
            text = sealed.toPrettyString() + "\n";
        }
        return text;
    }

    static void writeOwnerOnly(Session session, String out, String text) throws IOException {
        Path file = session.resolve(out);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        cem.state.OwnerOnly.write(file, text);
    }

    /** A saved plan's JSON after checking that it is one, and that nobody edited it since cem wrote it. */
    static com.fasterxml.jackson.databind.JsonNode checked(com.fasterxml.jackson.databind.JsonNode json, String label) {
        if (json == null || !json.has("resource_changes") || !json.has("config_digest") || !json.has("lineage")) {
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, cem.engine.EngineCodes.STALE_PLAN,
                    "Not a cem plan file: " + label, "It lacks the fields a saved plan has.", "Make one with `cem plan -out FILE`.", null, null));
        }
        if (!json.has(cem.state.Checksum.FIELD) || !cem.state.Checksum.matches(json)) {
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, cem.engine.EngineCodes.STALE_PLAN,
                    "The saved plan " + label + " was changed after cem wrote it",
                    json.has(cem.state.Checksum.FIELD) ? "Its checksum does not match its content: it was edited, or damaged."
                            : "It has no checksum: cem writes one into every saved plan.",
                    "Do not edit saved plans: make a new one with `cem plan -out FILE`, review it, and apply that file.", null, null));
        }
        return json;
    }

    /**
     * A saved plan's JSON, opened with its configuration's key when it is sealed (the
     * configuration is parsed for its backend block only). Anything that is not a plan file is a
     * diagnostic.
     */
    static com.fasterxml.jackson.databind.JsonNode readPlanFile(Session session, Path file, String label) {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        try {
            String text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
            com.fasterxml.jackson.databind.JsonNode json = mapper.readTree(text);
            if (json != null && json.has("encrypted") && json.hasNonNull("config_directory")) {
                var loaded = new cem.config.ConfigLoader(new cem.config.SchemaCheck(), session.cwd())
                        .load(session.resolve(json.get("config_directory").asText()));
                if (loaded.value() == null) {
                    throw new cem.diag.DiagnosticsException(loaded.diagnostics());
                }
                cem.state.StateEncryption encryption = StateBackends.encryption(loaded.value(), new cem.config.SecretResolver(session.env()));
                if (encryption == null) {
                    throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, cem.engine.EngineCodes.STALE_PLAN,
                            "The saved plan " + label + " is encrypted, and its configuration names no key", "", "Set backend.encryption.key.",
                            null, null));
                }
                json = mapper.readTree(encryption.open(text, "The saved plan " + label));
            }
            return checked(json, label);
        } catch (cem.state.StateException e) {
            throw Workspace.stateError(e);
        } catch (IOException e) {
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, cem.engine.EngineCodes.STALE_PLAN,
                    "Cannot read the saved plan " + label, "It is not a cem plan file: " + e.getMessage(), "Make a new one with `cem plan -out FILE`.",
                    null, null));
        }
    }
}

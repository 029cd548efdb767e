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

    /** Plans; Ctrl-C or SIGTERM meanwhile abandons the host reads and ends the command with {@link Interruption#interrupted}. */
    static Planner.Planned plan(Workspace ws, State state, PlanOptions options) {
        try (Interruption interruption = Interruption.watch(ws.session, "the refresh")) {
            try {
                if (!interruption.received()) {
                    cem.acme.AcmeCertificates acme = ws.acme();
                    Planner.Planned planned = new Planner(ws.config, ws.registry, ws.secrets.with(acme.variables()), ws.digest,
                            ws.secretDigest()).withOverlay(acme::overlay).plan(state, options);
                    if (!interruption.received()) {
                        return new Planner.Planned(acme.withRequests(planned.plan()), planned.workingState(), planned.desired(),
                                planned.roundTrips());
                    }
                }
            } catch (RuntimeException e) {
                if (!interruption.received()) {
                    throw e; // an abandoned read fails as it can: after a signal, that is no error of its own
                }
            }
            throw Interruption.interrupted("Interrupted: the plan was not completed");
        }
    }

    /**
     * After the confirmation, for a normal plan whose ACME certificates are due: asks the CA (the plan
     * showed what), and plans again from {@code state} with what it issued. Null when nothing is due.
     *
     * @param issued what the CA refused, or what stopped a certificate from being asked for
     */
    record Issuance(Planner.Planned planned, Diagnostics issued) {}

    static Issuance issueThenPlan(Workspace ws, State state, PlanOptions options) {
        if (options.mode() != cem.plan.PlanMode.NORMAL || !ws.acme().anyPending()) {
            return null;
        }
        Diagnostics issued = ws.acme().issuePending();
        return new Issuance(plan(ws, state, options), issued);
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

    /** Whether the plan was made without credentials (from the state, no host read): every view says so first. */
    static boolean withoutCredentials(Plan plan) {
        return plan.diagnostics().list().stream().anyMatch(d -> d.code().equals(cem.engine.EngineCodes.PLANNED_WITHOUT_CREDENTIALS));
    }

    static final String WITHOUT_CREDENTIALS = "Planned without credentials (--no-credentials): no host was read; the configuration is "
            + "compared with the state, so changes made on hosts and changed secrets do not show.";

    /** Prints warnings of validation and the plan's diagnostics on stderr. */
    static void diagnostics(Workspace ws, Diagnostics diagnostics, boolean color) {
        Diagnostics all = ws.shown(ws.warnings.plus(diagnostics)).sorted();
        if (!all.isEmpty()) {
            new DiagnosticPrinter(ws.session, color, ws.config::lines).print(all);
        }
    }

    static void writePlanFile(Workspace ws, Plan plan, String out) {
        try {
            writeOwnerOnly(ws.session, out, planFileText(plan, ws));
        } catch (IOException e) {
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9004",
                    "Cannot write the plan file " + out, e.getMessage(), "Choose a writable path for -out.", null, null));
        }
    }

    /**
     * A saved plan as written: JSON with its checksum (and its MAC when CEM_MAC_KEY is set), sealed like the state
     * when the configuration encrypts at rest.
     */
    static String planFileText(Plan plan, Workspace ws) throws IOException {
        String text = ws.integrity.add(PlanJson.write(plan, VersionCommand.version(), true)).toPrettyString() + "\n";
        if (ws.encryption != null) {
            // Sealed like the state; the configuration's directory stays readable so that apply finds the key.
            var sealed = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(ws.encryption.seal(text, cem.state.StateEncryption.Kind.PLAN, plan.lineage(), plan.serial()));
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

    /** A saved plan's JSON after checking that it is one, and that nobody edited it since cem wrote it (nor made it without the MAC key). */
    static com.fasterxml.jackson.databind.JsonNode checked(com.fasterxml.jackson.databind.JsonNode json, String label, cem.state.Integrity integrity) {
        if (json == null || !json.has("resource_changes") || !json.has("config_digest") || !json.has("lineage")) {
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, cem.engine.EngineCodes.STALE_PLAN,
                    "Not a cem plan file: " + label, "It lacks the fields a saved plan has.", "Make one with `cem plan -out FILE`.", null, null));
        }
        String problem = integrity.problem(json);
        if (problem != null) {
            boolean mac = problem.contains("MAC");
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, cem.engine.EngineCodes.STALE_PLAN,
                    mac ? "The saved plan " + label + " was not made by a holder of the MAC key" : "The saved plan " + label + " was changed after cem wrote it",
                    "It " + problem + ".", mac ? "Make the plan where " + cem.state.Integrity.KEY_VARIABLE + " is set (the job that applies, not a"
                            + " pull request's job), review it, and apply that file."
                            : "Do not edit saved plans: make a new one with `cem plan -out FILE`, review it, and apply that file.", null, null));
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
            if (json != null && json.hasNonNull("config_directory")) {
                // Its configuration says whether plans are sealed: a clear plan is refused when it requires encryption.
                var loaded = new cem.config.ConfigLoader(new cem.config.SchemaCheck(), session.cwd())
                        .load(session.resolve(json.get("config_directory").asText()));
                if (loaded.value() == null) {
                    throw new cem.diag.DiagnosticsException(loaded.diagnostics());
                }
                cem.state.StateEncryption encryption = StateBackends.encryption(loaded.value(), new cem.config.SecretResolver(session.env()));
                if (encryption != null) {
                    json = mapper.readTree(encryption.open(text, cem.state.StateEncryption.Kind.PLAN, "The saved plan " + label));
                } else if (json.has("encrypted")) {
                    throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, cem.engine.EngineCodes.STALE_PLAN,
                            "The saved plan " + label + " is encrypted, and its configuration names no key", "", "Set backend.encryption.key.",
                            null, null));
                }
            }
            return checked(json, label, StateBackends.integrity(session));
        } catch (cem.state.StateException e) {
            throw Workspace.stateError(e);
        } catch (IOException | java.nio.file.InvalidPathException e) { // the latter: a config_directory no path can be
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, cem.engine.EngineCodes.STALE_PLAN,
                    "Cannot read the saved plan " + label, "It is not a cem plan file: " + e.getMessage(), "Make a new one with `cem plan -out FILE`.",
                    null, null));
        }
    }
}

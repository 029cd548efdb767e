package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Severity;
import cem.engine.PlanOptions;
import cem.engine.Planner;
import cem.plan.PlanMode;
import cem.sites.Inventory;
import cem.sites.Waves;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cem rollout [FLEET]}: applies the sites wave by wave, with a health gate after each wave
 * and a failure budget. Nothing of a later wave starts when a wave's failures exceed the budget;
 * {@code --resume} continues a stopped rollout at the wave that stopped it.
 */
@Command(name = "rollout", description = {
    "Apply the sites of a fleet in waves, with a health gate after each wave.",
    "A wave's sites are planned and applied (each under its own lock), then",
    "checked live as `cem doctor` does: gateway Online, gateway port, the TLS",
    "certificate presented, the CEM policy enabled with targets; with a gate",
    "entry {certificateDaysLeft: N}, at least N days left on each certificate. A site fails",
    "when its apply or its gate fails; when failures exceed the budget",
    "(rollout.maxFailures or maxFailurePercent), the rollout stops and no later",
    "wave starts. --resume continues at that wave. Before the first wave every site",
    "is rendered and validated: a site with errors stops the rollout before any",
    "host is changed, unless --skip-invalid-sites. Each site's rendered files are",
    "written to sites/NAME/ as `cem render` writes them. The report is kept in",
    ".cem/rollout.json. Exit 0 complete, 1 stopped or error."})
final class RolloutCommand implements Callable<Integer> {

    static final String RECORD = "rollout.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Session session;

    @Parameters(arity = "0..1", paramLabel = "FLEET", description = "The fleet's directory, holding sites.yaml (default: the current one).")
    String directory = ".";

    @Option(names = "--sites", paramLabel = "SELECTOR", split = ",", description = "Roll out only these sites (each stays in its wave).")
    List<String> sites = new ArrayList<>();

    @Option(names = "--resume", description = "Continue the last rollout at the wave that stopped it.")
    boolean resume;

    @Option(names = "--auto-approve", description = "Do not ask for confirmation.")
    boolean autoApprove;

    @Option(names = "--skip-invalid-sites",
            description = "Roll out the other sites when some have errors found without contacting a host (templates, validation); "
                    + "by default such a site stops the rollout before its first wave.")
    boolean skipInvalidSites;

    @Option(names = "--json", description = "Print the final report as JSON.")
    boolean json;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the final report (JSON) to FILE.")
    String report;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5", description = "Time limit of each network check of the gate (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Mixin
    PlanOptionsMixin planOptions;

    @Mixin
    CommonOptions common;

    /** Where progress goes: stdout, or stderr with --json. */
    private java.io.PrintWriter log;

    RolloutCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws Exception {
        log = json ? session.err() : session.out(); // with --json, stdout holds the report only
        Inventory inventory = Fleet.inventory(session, directory);
        Set<String> chosen = new java.util.HashSet<>(Fleet.select(inventory, sites).stream().map(Inventory.Site::name).toList());
        List<Waves.Wave> waves = Waves.plan(inventory).stream()
                .map(w -> new Waves.Wave(w.name(), w.sites().stream().filter(s -> chosen.contains(s.name())).toList()))
                .filter(w -> !w.sites().isEmpty()).toList();
        Waves.Budget budget = Waves.budget(inventory);
        Waves.Gate gate = Waves.gate(inventory);
        Path record = inventory.directory().resolve(".cem").resolve(RECORD);
        ObjectNode previous = read(record);

        int start = 0;
        ObjectNode run;
        if (resume) {
            if (previous == null || !previous.path("status").asText().equals("stopped")) {
                throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9070", "No stopped rollout to resume",
                        previous == null ? "There is no rollout record in " + session.shown(record) + "."
                                : "The last rollout (" + previous.path("id").asText() + ") is " + previous.path("status").asText() + ".",
                        "Start one with `cem rollout " + directory + "`.", null, null));
            }
            run = previous;
            start = previous.path("stoppedAtWave").asInt();
            if (!sameWaves(previous, waves)) {
                throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9071", "The waves changed since the rollout stopped",
                        "The inventory, its rollout section or --sites now make other waves than those of rollout " + previous.path("id").asText() + ".",
                        "Resume with the same inventory and --sites, or start a new rollout without --resume.", null, null));
            }
            log.println("Resuming rollout " + run.path("id").asText() + " at wave " + waves.get(start).name() + " ("
                    + (start + 1) + " of " + waves.size() + ").");
        } else {
            if (previous != null && previous.path("status").asText().equals("stopped")) {
                log.println("Note: rollout " + previous.path("id").asText() + " stopped at wave "
                        + previous.path("waves").path(previous.path("stoppedAtWave").asInt()).path("name").asText()
                        + "; this one starts again from the first wave (converged sites have nothing to do). Use --resume to continue it instead.");
            }
            run = newRecord(inventory, waves, budget, gate);
        }
        Set<String> invalid = preflight(inventory, waves.subList(start, waves.size()));
        log.println(describe(waves, budget, gate));
        if (!invalid.isEmpty()) {
            log.println("Skipping " + invalid.size() + " site(s) with errors (--skip-invalid-sites): " + String.join(", ", invalid) + ".");
        }
        log.flush();
        if (!confirmed()) {
            session.err().println("Rollout cancelled.");
            return ExitCodes.ERROR;
        }

        int failed = 0;
        int attempted = 0;
        for (int k = 0; k < start; k++) {
            for (JsonNode s : run.path("waves").path(k).path("sites")) {
                attempted += s.path("result").asText().equals("skipped") ? 0 : 1;
                failed += isFailure(s.path("result").asText()) ? 1 : 0;
            }
        }
        run.put("status", "running");
        write(record, run);
        boolean stopped = false;
        for (int k = start; k < waves.size(); k++) {
            Waves.Wave wave = waves.get(k);
            log.println("\nWave " + (k + 1) + " of " + waves.size() + ": " + wave.name() + " (" + wave.sites().size() + " site"
                    + (wave.sites().size() == 1 ? "" : "s") + ": " + names(wave) + ")");
            log.flush();
            ObjectNode waveRecord = (ObjectNode) run.path("waves").get(k);
            ArrayNode results = waveRecord.putArray("sites");
            waveRecord.put("started", Instant.now().toString());
            for (Result r : runWave(wave, gate, invalid)) {
                attempted += r.result.equals("skipped") ? 0 : 1; // a skipped site counts against no budget: it was left out on purpose
                failed += isFailure(r.result) ? 1 : 0;
                ObjectNode o = results.addObject().put("site", r.site).put("result", r.result).put("detail", r.detail);
                o.putObject("changes").put("add", r.add).put("change", r.change).put("destroy", r.destroy);
                ArrayNode findings = o.putArray("findings");
                r.findings.forEach(f -> f.into(findings.addObject()));
                log.println("  " + pad(r.site, 16) + " " + pad(r.result, 9) + " " + cem.diag.TerminalText.safe(r.detail)); // it may quote a host
            }
            boolean exceeded = budget.exceeded(failed, attempted);
            waveRecord.put("status", exceeded ? "failed" : "passed").put("finished", Instant.now().toString());
            log.println("Gate of wave " + wave.name() + ": " + (exceeded ? "FAILED" : "passed") + " (" + failed + " of " + attempted
                    + " site(s) failed so far; " + budget.describe() + ").");
            log.flush();
            if (exceeded) {
                run.put("status", "stopped").put("stoppedAtWave", k);
                stopped = true;
                write(record, run);
                break;
            }
            write(record, run);
        }
        if (!stopped) {
            run.put("status", "complete");
            run.remove("stoppedAtWave");
        }
        run.put("finished", Instant.now().toString());
        write(record, run);
        if (report != null) {
            PlanRun.writeOwnerOnly(session, report, JsonOutput.write(run) + "\n");
        }
        if (json) {
            session.out().println(JsonOutput.write(run));
        } else {
            session.out().print(summary(run, waves));
        }
        log.flush();
        return stopped ? ExitCodes.ERROR : ExitCodes.OK;
    }

    /** What happened to one site in its wave. */
    private static final class Result {
        final String site;
        String result = "unchanged";
        String detail = "";
        long add;
        long change;
        long destroy;
        List<Finding> findings = new ArrayList<>();

        Result(String site) {
            this.site = site;
        }
    }

    /**
     * Renders and validates every site of these waves, contacting no host. A site with errors
     * stops the rollout here, before its first wave, naming it (issue 20, item 5: the canary and
     * the next wave used to be applied first); with --skip-invalid-sites those sites are left out
     * and returned.
     */
    private Set<String> preflight(Inventory inventory, List<Waves.Wave> waves) {
        List<Fleet.Member> members = Fleet.render(session, inventory, waves.stream().flatMap(w -> w.sites().stream()).toList());
        List<Fleet.Member> bad = members.stream().filter(m -> m.config == null || m.diagnostics.hasErrors()).toList();
        if (bad.isEmpty()) {
            return Set.of();
        }
        new DiagnosticPrinter(session, common.color(session), Fleet.lines(bad)).print(Fleet.combined(bad));
        Map<String, String> waveOf = Fleet.waves(inventory);
        List<String> named = bad.stream().map(m -> m.name() + " (wave " + waveOf.get(m.name()) + ")").toList();
        if (!skipInvalidSites) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9073",
                    "The rollout did not start: " + bad.size() + " site(s) have errors: " + String.join(", ", named),
                    "Their templates or configuration have errors (above), found without contacting any host. A rollout that cannot "
                            + "finish does not start: no site was changed.",
                    "Fix them, or pass --skip-invalid-sites to roll out the other sites.", null, null));
        }
        Set<String> skipped = new java.util.LinkedHashSet<>();
        bad.forEach(m -> skipped.add(m.name()));
        return skipped;
    }

    /** Results: applied, unchanged, skipped (invalid, --skip-invalid-sites), failed (plan or apply), unhealthy (the gate). */
    private static boolean isFailure(String result) {
        return result.equals("failed") || result.equals("unhealthy");
    }

    /**
     * Plans and applies a wave's sites (several at once, each locked), then checks every site that
     * did not fail; those in {@code skipped} are reported as skipped.
     */
    private List<Result> runWave(Waves.Wave wave, Waves.Gate gate, Set<String> skipped) {
        List<String> names = wave.sites().stream().map(Inventory.Site::name).filter(n -> !skipped.contains(n)).toList();
        Map<String, Result> ordered = new LinkedHashMap<>();
        for (Inventory.Site s : wave.sites()) {
            Result r = new Result(s.name());
            if (skipped.contains(s.name())) {
                r.result = "skipped";
                r.detail = "not applied: it has errors (--skip-invalid-sites)";
            }
            ordered.put(s.name(), r);
        }
        if (!names.isEmpty()) {
            runWave(names, gate).forEach(r -> ordered.put(r.site, r));
        }
        return new ArrayList<>(ordered.values());
    }

    private List<Result> runWave(List<String> names, Waves.Gate gate) {
        try (Fleet fleet = Fleet.open(session, directory, names, common.debug, planOptions.acceptNewHostKeys)) {
            fleet.writeRendered();
            PlanOptions options = planOptions.options(PlanMode.NORMAL);
            List<SitesRun.Site> runs = SitesRun.plan(fleet, options, "rollout", planOptions.lockTimeout(session), true);
            try {
                SitesRun.apply(fleet, runs, options);
            } finally {
                runs.forEach(SitesRun.Site::close);
            }
            SitesRun.printDiagnostics(session, runs, common.color(session));
            Map<String, Result> results = new LinkedHashMap<>();
            for (SitesRun.Site s : runs) {
                Result r = new Result(s.name());
                results.put(s.name(), r);
                if (s.plan() != null && !s.planFailed()) {
                    r.add = s.plan().toAdd();
                    r.change = s.plan().toChange();
                    r.destroy = s.plan().toDestroy();
                }
                if (s.planFailed()) {
                    r.result = "failed";
                    r.detail = "not applied: " + s.status() + " (see above)";
                } else if (s.applyFailed()) {
                    r.result = "failed";
                    r.detail = "apply failed: " + s.outcome.failed() + " resource(s) failed, " + s.outcome.skipped() + " skipped";
                } else if (s.outcome != null) {
                    r.result = "applied";
                    r.detail = r.add + " added, " + r.change + " changed, " + r.destroy + " destroyed";
                } else {
                    r.detail = "no changes";
                }
            }
            SitesRun.each(fleet, runs, planOptions.parallelism, s -> {
                Result r = results.get(s.name());
                if (isFailure(r.result)) {
                    return;
                }
                // A site that changed is read again; one that had nothing to do was read moments ago by its plan.
                gate(s.member.ws, s.outcome == null ? s.planned : null, gate, r);
            });
            return new ArrayList<>(results.values());
        }
    }

    /** The health gate of one site: the doctor's checks of the gate's kinds; any failure makes the site unhealthy. */
    private void gate(Workspace ws, Planner.Planned fresh, Waves.Gate gate, Result r) {
        try {
            Planner.Planned read = fresh != null ? fresh : PlanRun.plan(ws, ws.readState(), PlanOptions.defaults());
            List<Finding> failures = new ArrayList<>();
            int checked = 0;
            for (Finding f : DoctorCommand.findings(ws, read, Duration.ofSeconds(timeoutSeconds), null)) {
                if (!gate.kinds().contains(kind(f.check()))) {
                    continue;
                }
                checked += f.status() == Finding.Status.SKIP ? 0 : 1;
                if (f.status() == Finding.Status.FAIL) {
                    failures.add(f);
                }
            }
            if (gate.certificateDaysLeft() > 0) {
                List<Finding> days = CertificateDays.check(ws, read.plan(), gate.certificateDaysLeft(), Instant.now());
                checked += days.size();
                days.stream().filter(f -> f.status() == Finding.Status.FAIL).forEach(failures::add);
            }
            if (!read.plan().unknownHosts().isEmpty()) {
                failures.add(Finding.fail(Finding.Symptom.IG_NOT_ONLINE, "host.read", String.join(", ", read.plan().unknownHosts()),
                        "could not be read after the apply", "the host or its transport failed", "See the error above; run `cem doctor`."));
            }
            r.findings = failures;
            if (!failures.isEmpty()) {
                Finding first = failures.get(0);
                r.result = "unhealthy";
                r.detail = "gate: " + first.check() + " " + first.subject() + ": " + first.evidence()
                        + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : "");
            } else {
                r.detail += "; gate passed (" + checked + " checks)";
            }
        } catch (DiagnosticsException e) {
            r.result = "unhealthy";
            r.detail = "gate: " + e.diagnostics().list().get(0).summary();
        } catch (Exception e) {
            r.result = "unhealthy";
            r.detail = "gate: " + e.getMessage();
        }
    }

    /** The gate kind a doctor check belongs to. */
    static String kind(String check) {
        if (check.startsWith("ig.")) {
            return "ig-online";
        }
        if (check.startsWith("policy.") || check.startsWith("target.")) {
            return "policy";
        }
        if (check.startsWith("ports.") || check.equals("tcp") || check.equals("dns")) {
            return "gateway-port";
        }
        if (check.startsWith("tls.") || check.startsWith("binding.") || check.startsWith("certificate.")) {
            return "tls";
        }
        return "other";
    }

    private static String describe(List<Waves.Wave> waves, Waves.Budget budget, Waves.Gate gate) {
        int total = waves.stream().mapToInt(w -> w.sites().size()).sum();
        StringBuilder out = new StringBuilder("Rollout of " + total + " site" + (total == 1 ? "" : "s") + " in " + waves.size() + " wave"
                + (waves.size() == 1 ? "" : "s") + ":\n");
        for (int k = 0; k < waves.size(); k++) {
            out.append("  ").append(k + 1).append(". ").append(waves.get(k).name()).append(": ").append(names(waves.get(k))).append('\n');
        }
        out.append("Failure budget: ").append(budget.describe()).append(". Health gate after each wave: ").append(gate.describe()).append('.');
        return out.toString();
    }

    private static String names(Waves.Wave wave) {
        List<String> n = wave.sites().stream().map(Inventory.Site::name).toList();
        return n.size() <= 8 ? String.join(", ", n) : String.join(", ", n.subList(0, 8)) + ", … (" + n.size() + ")";
    }

    private ObjectNode newRecord(Inventory inventory, List<Waves.Wave> waves, Waves.Budget budget, Waves.Gate gate) {
        ObjectNode run = JSON.createObjectNode();
        run.put("id", java.util.UUID.randomUUID().toString());
        run.put("fleet", session.shown(inventory.directory()).toString().replace('\\', '/'));
        run.put("started", Instant.now().toString());
        String job = Workspace.jobUrl(session);
        if (job != null) {
            run.put("job", job);
        }
        run.put("status", "running");
        run.put("budget", budget.describe());
        run.set("gate", JSON.valueToTree(gate.entries()));
        ArrayNode ws = run.putArray("waves");
        for (Waves.Wave w : waves) {
            ObjectNode o = ws.addObject().put("name", w.name()).put("status", "not started");
            ArrayNode planned = o.putArray("planned");
            w.sites().forEach(s -> planned.add(s.name()));
        }
        return run;
    }

    private static boolean sameWaves(ObjectNode previous, List<Waves.Wave> waves) {
        JsonNode recorded = previous.path("waves");
        if (recorded.size() != waves.size()) {
            return false;
        }
        for (int k = 0; k < waves.size(); k++) {
            List<String> names = new ArrayList<>();
            recorded.get(k).path("planned").forEach(n -> names.add(n.asText()));
            if (!recorded.get(k).path("name").asText().equals(waves.get(k).name())
                    || !names.equals(waves.get(k).sites().stream().map(Inventory.Site::name).toList())) {
                return false;
            }
        }
        return true;
    }

    private static String summary(ObjectNode run, List<Waves.Wave> waves) {
        StringBuilder out = new StringBuilder("\n");
        int applied = 0;
        int failed = 0;
        int unchanged = 0;
        int skipped = 0;
        int notStarted = 0;
        for (JsonNode w : run.path("waves")) {
            if (w.path("status").asText().equals("not started")) {
                notStarted += w.path("planned").size();
                continue;
            }
            for (JsonNode s : w.path("sites")) {
                switch (s.path("result").asText()) {
                    case "applied" -> applied++;
                    case "unchanged" -> unchanged++;
                    case "skipped" -> skipped++;
                    default -> failed++;
                }
            }
        }
        boolean stopped = run.path("status").asText().equals("stopped");
        out.append(stopped ? "Rollout stopped" : "Rollout complete").append("! Sites: ").append(applied).append(" applied, ").append(unchanged)
                .append(" unchanged, ").append(failed).append(" failed")
                .append(skipped > 0 ? ", " + skipped + " skipped (errors)" : "").append(notStarted > 0 ? ", " + notStarted + " not started" : "").append(".\n");
        if (stopped) {
            int k = run.path("stoppedAtWave").asInt();
            out.append("Wave ").append(waves.get(k).name()).append(" exceeded the failure budget; no later wave was started.\n")
                    .append("Fix the failed sites (see above; `cem doctor` shows the checks), then run `cem rollout --resume`.\n");
        }
        return out.toString();
    }

    private ObjectNode read(Path record) {
        try {
            return Files.isRegularFile(record) ? (ObjectNode) JSON.readTree(Files.readString(record)) : null;
        } catch (IOException | ClassCastException e) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9072", "Cannot read the rollout record " + session.shown(record),
                    e.getMessage(), "Move it aside to start a new rollout.", null, null));
        }
    }

    private static void write(Path record, ObjectNode run) throws IOException {
        Files.createDirectories(record.getParent());
        Path temp = record.resolveSibling(RECORD + ".tmp");
        Files.writeString(temp, run.toPrettyString() + "\n");
        Files.move(temp, record, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }


    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private boolean confirmed() {
        return Confirm.ask(session, autoApprove, "Rollout", "Do you want to roll out these sites, wave by wave?", "Pass --auto-approve.");
    }
}

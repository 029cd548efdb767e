package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code cem rollout} over 20 lab sites: waves, a health gate that fails in wave 2, --resume; and per-site locks across processes. */
class RolloutTest {

    @TempDir
    Path tmp;

    /** A fleet of {@code n} lab sites: a canary, 10%, then the rest. */
    static Path fleet(Path tmp, int n) {
        return cem.testkit.Fleets.write(tmp.resolve("fleet"), n, CliRun.REPO);
    }

    @Test
    @Timeout(600)
    void aFailedGateInWaveTwoStopsTheRolloutAndResumeFinishesIt() throws IOException {
        Path fleet = fleet(tmp, 20);
        // s02 is in wave 2 (10% of 20 = s01, s02). Its gateway exists and cannot reach its NS: apply cannot fix that.
        assertEquals(0, FleetTest.cem(fleet, "apply", "--sites", "s02", "--auto-approve").exitCode());
        CliRun fault = FleetTest.cem(fleet, "lab", "fault", "--host", "s02-ig", "--gateway-offline");
        assertEquals(0, fault.exitCode(), fault.err());

        CliRun stopped = FleetTest.cem(fleet, "rollout", "--auto-approve", "--report", "report.json");
        assertEquals(1, stopped.exitCode(), stopped.out() + stopped.err());
        assertTrue(stopped.out().contains("Rollout of 20 sites in 3 waves:\n  1. canary: s00\n  2. ten-percent: s01, s02\n  3. rest: s03,"), stopped.out());
        assertTrue(stopped.out().contains("s02              unhealthy gate: ig.online internet_gateway.gateway: the NS does not report it Online"),
                stopped.out());
        assertTrue(stopped.out().contains("Gate of wave ten-percent: FAILED (1 of 3 site(s) failed so far; no site may fail)."), stopped.out());
        assertTrue(stopped.out().contains("Rollout stopped! Sites: 2 applied, 0 unchanged, 1 failed, 17 not started."), stopped.out());
        JsonNode report = new ObjectMapper().readTree(Files.readString(fleet.resolve("report.json")));
        assertEquals("stopped", report.path("status").asText());
        assertEquals(List.of("passed", "failed", "not started"), statuses(report));
        // Nothing of wave 3 ran: no state, no lab host touched.
        for (int i = 3; i < 20; i++) {
            String name = String.format("s%02d", i);
            assertFalse(Files.exists(fleet.resolve("sites").resolve(name).resolve(".cem/state.json")), name + " has no state");
            assertFalse(Files.exists(fleet.resolve(".cem/lab").resolve(name + "-ns.json")), name + "'s NS was never contacted");
        }

        CliRun nothing = FleetTest.cem(fleet, "rollout", "--auto-approve", "--resume", "--sites", "s00");
        assertEquals(1, nothing.exitCode());
        assertTrue(nothing.err().contains("The waves changed since the rollout stopped"), nothing.err());

        assertEquals(0, FleetTest.cem(fleet, "lab", "fault", "--host", "s02-ig", "--clear").exitCode());
        CliRun resumed = FleetTest.cem(fleet, "rollout", "--auto-approve", "--resume", "--json");
        assertEquals(0, resumed.exitCode(), resumed.out() + resumed.err());
        JsonNode done = resumed.json();
        assertEquals("complete", done.path("status").asText());
        assertEquals(List.of("passed", "passed", "passed"), statuses(done));
        assertEquals(17, done.path("waves").get(2).path("sites").size());
        done.path("waves").get(2).path("sites").forEach(s -> assertEquals("applied", s.path("result").asText(), s.toString()));

        CliRun converged = FleetTest.cem(fleet, "plan", "--detailed-exitcode");
        assertEquals(0, converged.exitCode(), converged.out() + converged.err());
        assertTrue(converged.out().contains("Plan (20 sites): 0 to add, 0 to change, 0 to destroy."), converged.out());

        CliRun again = FleetTest.cem(fleet, "rollout", "--auto-approve", "--resume");
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("No stopped rollout to resume"), again.err());
    }

    /**
     * Issue 20, item 5: a site whose configuration has an error found without touching a host
     * stopped the rollout only in its own wave, after the canary and the next wave were applied.
     * Now it stops the rollout before the first wave, naming the site; --skip-invalid-sites rolls
     * out the others.
     */
    @Test
    @Timeout(300)
    void aSiteWithErrorsStopsTheRolloutBeforeItsFirstWaveUnlessSkipped() throws IOException {
        Path fleet = fleet(tmp, 4); // canary s00, ten-percent s01, rest s02 s03
        Files.createDirectories(fleet.resolve("overrides/s02"));
        Files.writeString(fleet.resolve("overrides/s02/extra.yaml"), """
                version: 1
                resources:
                  - type: windows_firewall_rule
                    name: extra-in
                    host: s02-ns
                    direction: inbound
                    action: allow
                    localPorts: [70000]
                """);
        CliRun stopped = FleetTest.cem(fleet, "rollout", "--auto-approve");
        assertEquals(1, stopped.exitCode(), stopped.out() + stopped.err());
        assertTrue(stopped.err().contains("overrides/s02/extra.yaml:8:18"), "the error is shown where it is: " + stopped.err());
        assertTrue(stopped.err().contains("The rollout did not start: 1 site(s) have errors: s02 (wave rest) [ENV9073]"), stopped.err());
        assertTrue(stopped.err().contains("pass --skip-invalid-sites"), stopped.err());
        assertFalse(stopped.out().contains("Wave 1"), stopped.out());
        for (String site : List.of("s00", "s01", "s02", "s03")) {
            assertFalse(Files.exists(fleet.resolve("sites").resolve(site).resolve(".cem/state.json")), site + " was not applied");
            assertFalse(Files.exists(fleet.resolve(".cem/lab").resolve(site + "-ns.json")), site + "'s NS was never contacted");
        }

        CliRun skipping = FleetTest.cem(fleet, "rollout", "--auto-approve", "--skip-invalid-sites");
        assertEquals(0, skipping.exitCode(), skipping.out() + skipping.err());
        assertTrue(skipping.out().contains("Skipping 1 site(s) with errors (--skip-invalid-sites): s02."), skipping.out());
        assertTrue(skipping.out().contains("s02              skipped   not applied: it has errors (--skip-invalid-sites)"), skipping.out());
        assertTrue(skipping.out().contains("Rollout complete! Sites: 3 applied, 0 unchanged, 0 failed, 1 skipped (errors)."), skipping.out());
        assertFalse(Files.exists(fleet.resolve("sites/s02/.cem/state.json")), "s02 was not applied");
        assertTrue(Files.exists(fleet.resolve("sites/s03/.cem/state.json")), "the others were");
    }

    /**
     * Issue 20, item 5: a rollout rendered in memory and left sites/NAME/.cem/ without
     * sites/NAME/*.yaml, so `cem render --check` failed afterwards. It writes what it applies.
     */
    @Test
    @Timeout(300)
    void aRolloutWritesWhatItAppliesSoThatRenderCheckAgrees() throws IOException {
        Path fleet = fleet(tmp, 2);
        CliRun rollout = FleetTest.cem(fleet, "rollout", "--auto-approve");
        assertEquals(0, rollout.exitCode(), rollout.out() + rollout.err());
        assertTrue(Files.isRegularFile(fleet.resolve("sites/s00/site.yaml")), "the applied configuration lies beside its state");
        CliRun check = FleetTest.cem(fleet, "render", "--check");
        assertEquals(0, check.exitCode(), check.out() + check.err());
        assertTrue(check.out().contains("The rendered files of 2 site(s) in sites are up to date."), check.out());
        CliRun plan = FleetTest.cem(fleet.resolve("sites/s01"), "plan", "--detailed-exitcode");
        assertEquals(0, plan.exitCode(), "the rendered site plans as a configuration, with the state the rollout left: " + plan.out() + plan.err());
    }

    /**
     * Issue 26, item 5: a gate entry {certificateDaysLeft: N} makes a site whose certificate has
     * fewer days left after its apply unhealthy, though every doctor check of the gate passes (a
     * certificate 9 days from expiry is only a warning there); the site with years left passes.
     */
    @Test
    @Timeout(300)
    void aGateCanRequireTheCertificatesDaysLeft() throws IOException {
        Path fleet = fleet(tmp, 2); // canary s00, ten-percent s01
        Files.writeString(fleet.resolve("sites.yaml"), Files.readString(fleet.resolve("sites.yaml"))
                + "  gate: [ig-online, tls, {certificateDaysLeft: 21}]\n");
        assertEquals(0, FleetTest.cem(fleet, "apply", "--sites", "s01", "--auto-approve").exitCode());
        // s01's gateway holds a certificate that expires in 10 days: its lab store's entry says so.
        cem.lab.Certificates.Issued soon = cem.lab.Certificates.selfSigned("CN=gw-s01.example.com").dns("gw-s01.example.com")
                .validity(java.time.Instant.now().minus(java.time.Duration.ofDays(1)), java.time.Instant.now().plus(java.time.Duration.ofDays(10)))
                .build();
        new cem.lab.WindowsState(fleet.resolve(".cem/lab/s01-ig.json"), List.of(), java.util.Map.of()).change(st -> {
            for (JsonNode c : st.path("certificates")) {
                if (!c.path("friendlyName").asText().startsWith("ECC certificate")) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) c).put("rawData", java.util.Base64.getEncoder().encodeToString(der(soon)));
                }
            }
        });

        CliRun stopped = FleetTest.cem(fleet, "rollout", "--auto-approve", "--json");
        assertEquals(1, stopped.exitCode(), stopped.out() + stopped.err());
        assertTrue(stopped.err().contains("Health gate after each wave: ig-online, tls, at least 21 days left on each certificate."), stopped.err());
        assertTrue(stopped.err().contains("s01              unhealthy gate: certificate.daysLeft certificate.gateway-cert: 9 days left (as host s01-ig "
                + "holds it), the rollout's gate asks for at least 21"), stopped.err());
        JsonNode report = stopped.json();
        assertEquals("[\"ig-online\",\"tls\",{\"certificateDaysLeft\":21}]", report.path("gate").toString());
        JsonNode canary = report.path("waves").get(0).path("sites").get(0);
        assertEquals("applied", canary.path("result").asText(), canary.toString());
        assertTrue(canary.path("detail").asText().contains("gate passed"), "s00's certificates have years left: " + canary);
    }

    private static byte[] der(cem.lab.Certificates.Issued issued) {
        try {
            return issued.certificate().getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Timeout(300)
    void sitesLockIndependentlyAcrossProcesses() throws Exception {
        Path fleet = fleet(tmp, 3);
        // Two processes apply two sites at once, each under its own lock, through one lab directory.
        Process a = start(fleet, "apply", "--sites", "s00", "--auto-approve");
        Process b = start(fleet, "apply", "--sites", "s01", "--auto-approve");
        assertEquals(0, a.waitFor(), output(a));
        assertEquals(0, b.waitFor(), output(b));
        assertTrue(output(a).contains("Apply complete! Sites: 1 applied"), output(a));

        // While a slow process holds s02's lock, s00 and s01 can still be planned; s02 says who holds it.
        Process slow = start(fleet, "apply", "--sites", "s02", "--auto-approve");
        Path lock = fleet.resolve("sites/s02/.cem/state.lock");
        for (int i = 0; i < 300 && !Files.exists(lock); i++) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(lock), "the slow apply holds s02's lock: " + (slow.isAlive() ? "still running" : output(slow)));
        CliRun plan = CliRun.run(java.util.Map.of("CI_JOB_URL", "https://ci.example.com/jobs/42"), fleet, "plan", "--lock-timeout", "0s");
        assertEquals(1, plan.exitCode());
        assertTrue(plan.out().matches("(?s).*s00\\s+canary\\s+0\\s+0\\s+0\\s+0\\s+0\\s+no changes.*"), plan.out());
        assertTrue(plan.out().matches("(?s).*s02\\s+rest\\s+-\\s+-\\s+-\\s+-\\s+-\\s+error \\(1\\).*"), plan.out());
        assertTrue(plan.err().contains("State is locked"), plan.err());
        assertEquals(0, slow.waitFor(), output(slow));
    }

    private Process start(Path fleet, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "cem.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(fleet.toFile());
        pb.environment().put("CEM_LAB_LATENCY_MS", "150");
        pb.redirectErrorStream(true);
        Path log = tmp.resolve("out-" + args[2] + ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        logs.put(p, log);
        return p;
    }

    private final java.util.Map<Process, Path> logs = new java.util.HashMap<>();

    private String output(Process p) throws IOException {
        Path log = logs.get(p);
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    private static List<String> statuses(JsonNode report) {
        List<String> out = new ArrayList<>();
        report.path("waves").forEach(w -> out.add(w.path("status").asText()));
        return out;
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Revoking an agent's CEM certificate on a lab NS: the plan says it is one-way; removing it from the YAML forgets it. */
class RevocationTest {

    @TempDir
    Path tmp;

    @Test
    void revocationIsOneWay() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        String config = """
                version: 1
                hosts:
                  ns1: {address: smp.example.net, os: windows, lab: true}
                resources:
                  - {type: cem_certificate, name: lost-laptop, host: ns1, computer: LAPTOP-042}
                """;
        Files.writeString(site.resolve("estate.yaml"), config);
        CliRun plan = CliRun.run(Map.of(), tmp, "plan", "--detailed-exitcode", "site");
        assertEquals(2, plan.exitCode(), plan.err() + plan.out());
        assertTrue(plan.out().contains("# cem_certificate.lost-laptop will be REVOKED — one-way"), plan.out());
        assertEquals(0, CliRun.run(Map.of(), tmp, "apply", "--auto-approve", "site").exitCode());
        assertEquals(0, CliRun.run(Map.of(), tmp, "plan", "--detailed-exitcode", "site").exitCode());
        CliRun report = CliRun.run(Map.of(), tmp, "report", "site");
        assertTrue(report.out().contains("Revoked agent certificates\n  lost-laptop: LAPTOP-042"), report.out());
        Files.writeString(site.resolve("estate.yaml"), config.replace("  - {type: cem_certificate, name: lost-laptop, host: ns1, computer: LAPTOP-042}\n",
                "  []\n").replace("resources:\n  []", "resources: []"));
        CliRun forget = CliRun.run(Map.of(), tmp, "plan", "site");
        assertTrue(forget.out().contains("will be removed from the cem state; the revocation stays"), forget.out() + forget.err());
        assertEquals(0, CliRun.run(Map.of(), tmp, "apply", "--auto-approve", "site").exitCode());
        assertTrue(Files.readString(site.resolve(".cem/lab/ns1.json")).contains("LAPTOP-042"), "still revoked on the NS");
    }
}

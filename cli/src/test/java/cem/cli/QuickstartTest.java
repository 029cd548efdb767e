package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walk-through on a copy of examples/quickstart: plan → apply → plan (no changes) →
 * lab drift → plan (exactly the drift) → apply → plan (no changes), over the lab's real WinRM and
 * SSH servers.
 */
class QuickstartTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(300)
    void planApplyDriftRepair() throws IOException {
        Path site = CliRun.copyExample(tmp, "quickstart");
        Map<String, String> env = Map.of();
        CliRun plan = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart");
        assertEquals(2, plan.exitCode(), plan.err() + plan.out());
        assertTrue(plan.out().contains("# internet_gateway.ig1 will be created"), plan.out()); // installed from its package
        assertTrue(plan.out().contains("Plan: 2 to adopt, 13 to add, 1 to change, 0 to destroy."), plan.out());

        CliRun apply = CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart");
        assertEquals(0, apply.exitCode(), apply.err() + apply.out());
        assertEquals(0, CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart").exitCode());
        CliRun destroy = CliRun.run(env, tmp, "plan", "--destroy", "quickstart");
        assertTrue(destroy.out().contains("# cem_policy.default will be destroyed: CEM is turned off in the policy"),
                "the plan says what a destroy does to the policy: " + destroy.out());

        CliRun report = CliRun.run(env, tmp, "report", "quickstart");
        assertEquals(0, report.exitCode(), report.err());
        assertTrue(report.out().contains("registered with the NS"), report.out());
        assertTrue(report.out().contains("default on ns1: enabled, cloud communication allowed"), report.out());
        var json = CliRun.run(env, tmp, "report", "--json", "quickstart").json();
        assertEquals(443, json.at("/gateways/0/listenerPort").asInt());
        assertEquals("cloud-laptops", json.at("/policies/0/targets/0").asText());
        assertEquals(2, json.get("certificates").size());
        assertTrue(report.out().contains("target cloud-laptops: 12 computer(s)"), report.out());
        assertTrue(report.out().contains("gateway ig1 port 443: Online"), report.out());
        assertTrue(json.at("/gateways/0/versionMatchesNs").asBoolean());
        Path ig = site.resolve(".cem/lab/ig1.json");
        Files.writeString(ig, Files.readString(ig).replace("\"Version\" : \"8.8.1\"", "\"Version\" : \"8.8.0\""));
        CliRun mismatch = CliRun.run(env, tmp, "report", "quickstart");
        assertTrue(mismatch.out().contains("version 8.8.0: the NS and the gateway must both be on 8.8.1 or later"), mismatch.out());
        Files.writeString(ig, Files.readString(ig).replace("\"Version\" : \"8.8.0\"", "\"Version\" : \"8.8.1\""));

        CliRun drift = CliRun.run(env, tmp, "lab", "drift", "quickstart");
        assertEquals(0, drift.exitCode(), drift.err());
        long changes = drift.out().lines().filter(l -> l.startsWith("drift: ")).count();
        assertTrue(changes >= 11, drift.out());

        CliRun offline = CliRun.run(env, tmp, "report", "quickstart");
        assertTrue(offline.out().contains("gateway ig1 port 443: not reported Online by the NS"), offline.out());

        CliRun seen = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart");
        assertEquals(2, seen.exitCode(), seen.out());
        assertTrue(seen.out().contains("Note: Objects have changed outside of cem"), seen.out());
        assertTrue(seen.out().contains("~ certificate = \"ns-cert\" -> \"(certificate "), seen.out());
        String spaced = seen.out().replaceAll(" +", " ");
        assertTrue(spaced.contains("~ listenerPort = 8443 -> 443"), seen.out());
        assertTrue(spaced.contains("~ enabled = false -> true"), seen.out());
        assertTrue(seen.out().contains("# resource_target.cloud-laptops must be replaced"), seen.out());
        assertTrue(seen.out().contains("# certificate.gateway-cert will be created (it was deleted outside cem)"), seen.out());
        assertTrue(seen.out().contains("# offline_package.cem-offline will be created (it was deleted outside cem)"), seen.out());
        assertTrue(seen.out().contains("# nft_rule.nothing-else-to-dmz will be created (it was deleted outside cem)"), seen.out());
        assertTrue(seen.out().contains("# site_server.sitesrv has changed"), seen.out());
        assertTrue(seen.out().contains("Plan: 4 to add, 8 to change, 1 to destroy."), seen.out());

        assertEquals(0, CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart").exitCode());
        CliRun repaired = CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart");
        assertEquals(0, repaired.exitCode(), repaired.out());
        assertFalse(Files.readString(site.resolve(".cem/state.json")).contains("example-only"), "no secret in the state");

        assertTrue(Files.exists(site.resolve(".cem/cem-offline-package.zip")), "the offline package is written");
        CliRun restore = CliRun.run(env, tmp, "ig", "restore", "quickstart", "--host", "ig1");
        assertEquals(0, restore.exitCode(), restore.err());
        assertTrue(restore.out().contains("ig1: restored the Internet Gateway settings"), restore.out());
        assertEquals(2, CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart").exitCode(), "the backup differs from the configuration");
        assertEquals(0, CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart").exitCode());

        // Moving the gateway to 8443 in every place (listener, policy, perimeter, the gateway host's Windows Firewall) makes the
        // offline package stale: it is generated again.
        Files.writeString(site.resolve("estate.yaml"), Files.readString(site.resolve("estate.yaml"))
                .replace("dport: [443]\n    daddr: [192.0.2.20]", "dport: [8443]\n    daddr: [192.0.2.20]").replace("listenerPort: 443", "listenerPort: 8443")
                .replace("    localPorts: [443]\n", "    localPorts: [8443]\n")
                .replace("      - gateway: ig1\n        port: 443", "      - gateway: ig1\n        port: 8443"));
        CliRun moved = CliRun.run(env, tmp, "plan", "quickstart");
        assertTrue(moved.out().contains("# offline_package.cem-offline will be updated in-place"), moved.out() + moved.err());
        assertEquals(0, CliRun.run(env, tmp, "apply", "--auto-approve", "quickstart").exitCode());
        assertTrue(Files.readString(site.resolve(".cem/cem-offline-package.zip")).contains("8443"), "generated for the new port");
        assertEquals(0, CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart").exitCode());

        CliRun removed = CliRun.run(env, tmp, "agent", "remove", "quickstart");
        assertEquals(0, removed.exitCode(), removed.err());
        assertTrue(removed.out().contains("ns1: removed %ProgramData%\\cem") && removed.out().contains("ig1: removed"), removed.out());
        assertTrue(CliRun.run(env, tmp, "agent", "remove", "quickstart").out().contains("ns1: nothing to remove"));
        assertEquals(0, CliRun.run(env, tmp, "plan", "--detailed-exitcode", "quickstart").exitCode(), "the next command reinstalls it");
    }
}

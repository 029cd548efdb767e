package cem.bigip;

import static cem.bigip.LabF5.vip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Execution;
import cem.spi.ApplyResponse;
import cem.spi.LiveResource;
import cem.spi.ReadResponse;
import cem.spi.ResourceInstance;
import cem.testkit.Golden;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider against the lab's BIG-IP, through a transport that hands it each command line as SSH would. */
class BigipProviderTest {

    @TempDir
    Path tmp;

    LabF5 f5;

    final ResourceInstance ig1 = vip("ig1", "203.0.113.11", 443, "172.16.10.15");
    final ResourceInstance ig2 = vip("ig2", "203.0.113.12", 80, "172.16.10.16");

    @BeforeEach
    void lab() {
        f5 = new LabF5(tmp);
        LabTransportFactory.SENT.clear();
    }

    @AfterEach
    void close() {
        f5.close();
    }

    private static String errors(cem.diag.Diagnostics d) {
        return d.toString();
    }

    /** What a tmsh-shell account's read prints, from /. */
    private String listing() {
        Execution e = f5.device.run("admin", String.join("; ", Tmsh.readLines()), new byte[0]);
        return e.stdout() + e.stderr();
    }

    @Test
    void vipsOnWellKnownPortsListedByServiceNameAreReadAndApplied() {
        ApplyResponse applied = f5.create(ig1, ig2);
        assertFalse(applied.diagnostics().hasErrors(), errors(applied.diagnostics()));
        assertEquals(443, applied.results().get("bigip_gateway_vip.ig1").attributes().path("destination").path("port").asInt());
        Golden.assertMatches(listing(), Path.of("src/test/resources/golden/listing-service-names.txt"));
        ReadResponse read = f5.read(ig1, ig2);
        assertFalse(read.diagnostics().hasErrors(), errors(read.diagnostics()));
        LiveResource live = read.resources().get("bigip_gateway_vip.ig2");
        assertEquals(80, live.attributes().path("destination").path("port").asInt());
        assertEquals(80, live.attributes().path("member").path("port").asInt());
        assertEquals("172.16.10.16", live.attributes().path("member").path("address").asText());
        assertEquals(List.of(), LabF5.JSON.convertValue(live.attributes().path("otherMembers"), List.class));
    }

    @Test
    void routeDomainAddressesAreReadBack() {
        ResourceInstance rd = vip("rd", "203.0.113.21%1", 443, "172.16.10.21%1");
        assertFalse(f5.create(rd).diagnostics().hasErrors());
        Golden.assertMatches(listing(), Path.of("src/test/resources/golden/listing-route-domain.txt"));
        LiveResource live = f5.read(rd).resources().get("bigip_gateway_vip.rd");
        assertEquals("203.0.113.21%1", live.attributes().path("destination").path("address").asText());
        assertEquals("172.16.10.21%1", live.attributes().path("member").path("address").asText());
    }

    @Test
    void aTmshShellAccountIsDetectedOnceAndWorkedIn() {
        f5.create(ig1);
        LabTransportFactory.SENT.clear();
        ReadResponse read = f5.read(ig1);
        assertTrue(read.resources().get("bigip_gateway_vip.ig1").exists(), errors(read.diagnostics()));
        assertTrue(LabTransportFactory.SENT.stream().noneMatch(c -> c.startsWith("tmsh")), "the shell is remembered: " + LabTransportFactory.SENT);
        // A fresh provider: one "tmsh -q", answered with a syntax error, then the same commands for tmsh.
        try (LabF5 other = new LabF5(tmp)) {
            LabTransportFactory.SENT.clear();
            assertTrue(other.read(ig1).resources().get("bigip_gateway_vip.ig1").exists());
            Execution first = other.device.run("admin", "tmsh -q", "list auth partition\n".getBytes(StandardCharsets.UTF_8));
            String transcript = LabTransportFactory.SENT.stream().map(c -> "$ " + c).collect(Collectors.joining("\n")) + "\n\n"
                    + "# the first answer (exit status " + first.exitCode() + ", standard error; standard input ignored):\n" + first.stderr();
            Golden.assertMatches(transcript, Path.of("src/test/resources/golden/tmsh-shell-session.txt"));
        }
    }

    @Test
    void aBashAccountSendsItsCommandsOnStandardInput() {
        f5.user = "ops";
        f5.device.loginShell("ops", "bash");
        assertFalse(f5.create(ig1).diagnostics().hasErrors());
        assertTrue(f5.read(ig1).resources().get("bigip_gateway_vip.ig1").exists());
        assertTrue(LabTransportFactory.SENT.stream().allMatch("tmsh -q"::equals), LabTransportFactory.SENT.toString());
    }

    @Test
    void aPoolThatExistsAlreadyIsReportedNotHidden() {
        f5.byHand("create auth partition cem", "create ltm pool /cem/cem-ig1-pool members replace-all-with { /Common/10.9.9.9:443 "
                + "{ address 10.9.9.9 } } monitor /Common/tcp");
        ApplyResponse r = f5.create(ig1);
        assertTrue(r.diagnostics().hasErrors());
        assertTrue(errors(r.diagnostics()).contains("01020066:3: The requested Pool (/cem/cem-ig1-pool) already exists"), errors(r.diagnostics()));
        assertTrue(errors(r.diagnostics()).contains("The F5 refused bigip_gateway_vip.ig1"), errors(r.diagnostics()));
    }

    @Test
    void thePartitionIsCreatedOnceAndTheStateIsReadBySeparateCommand() {
        assertFalse(f5.create(ig1).diagnostics().hasErrors());
        int before = f5.device.received().size();
        LabTransportFactory.SENT.clear();
        ApplyResponse second = f5.create(ig2);
        assertFalse(second.diagnostics().hasErrors(), errors(second.diagnostics()));
        List<String> sent = f5.device.received().subList(before, f5.device.received().size());
        assertTrue(sent.stream().noneMatch(l -> l.contains("auth partition cem")), sent.toString());
        assertEquals(2, LabTransportFactory.SENT.size(), "the change, then a separate read: " + LabTransportFactory.SENT);
        assertTrue(LabTransportFactory.SENT.get(0).endsWith("submit cli transaction; save sys config"), LabTransportFactory.SENT.get(0));
        assertTrue(LabTransportFactory.SENT.get(1).startsWith("cd /; list auth partition"), LabTransportFactory.SENT.get(1));
        assertEquals(2, second.roundTrips());
    }

    @Test
    void anAddressAndPortTakenIsTheF5sOwnErrorAndChangesNothing() {
        f5.device.addForeignVirtual("/Common/someone-else", "203.0.113.12:80");
        ApplyResponse r = f5.create(ig1, ig2);
        String all = errors(r.diagnostics());
        assertTrue(all.contains("01070333:3: Virtual Server /cem/cem-ig2 illegally shares destination address, source address, service port, "
                + "ip-protocol, and vlan with Virtual Server /Common/someone-else."), all);
        assertTrue(all.contains("Not applied: bigip_gateway_vip.ig1"), all);
        assertEquals(1, f5.device.snapshot().path("virtuals").size(), "only the foreign virtual");
    }

    @Test
    void snatIsAnAttributeShownAndSet() {
        assertTrue(BigipProvider.SCHEMA.toString().contains("snat"), BigipProvider.SCHEMA.toString());
        assertFalse(f5.create(ig1, vip("ig2", "203.0.113.12", 80, "172.16.10.16", "snat", "none")).diagnostics().hasErrors());
        assertEquals("automap", f5.device.snapshot().path("virtuals").path("/cem/cem-ig1").path("source-address-translation").asText());
        Map<String, LiveResource> live = f5.read(ig1, ig2).resources();
        assertEquals("automap", live.get("bigip_gateway_vip.ig1").attributes().path("snat").asText());
        assertEquals("none", live.get("bigip_gateway_vip.ig2").attributes().path("snat").asText());
        ApplyResponse changed = f5.update(vip("ig2", "203.0.113.12", 80, "172.16.10.16", "snat", "automap"));
        assertFalse(changed.diagnostics().hasErrors(), errors(changed.diagnostics()));
        assertEquals("automap", changed.results().get("bigip_gateway_vip.ig2").attributes().path("snat").asText());
    }

    @Test
    void membersNameTheirNodesInCommonAndAreReadFromAnyFolder() {
        assertFalse(f5.create(ig1).diagnostics().hasErrors());
        assertTrue(f5.device.snapshot().path("nodes").has("/Common/172.16.10.15"), f5.device.snapshot().toString());
        assertFalse(f5.device.snapshot().path("nodes").has("/cem/172.16.10.15"));
        String fromCem = f5.device.run("admin", "cd /cem; list ltm pool cem-ig1-pool one-line", new byte[0]).stdout();
        assertTrue(fromCem.contains("ltm pool cem-ig1-pool { members { /Common/172.16.10.15:https"), fromCem);
        f5.device.addMember("/cem/cem-ig1-pool", "172.16.10.99:443");
        LiveResource live = f5.read(ig1).resources().get("bigip_gateway_vip.ig1");
        assertEquals("[\"172.16.10.99:443\"]", live.attributes().path("otherMembers").toString());
    }

    @Test
    void theProbeReadsOnlyAndSaysWhatTheDeviceConfirms() throws Exception {
        f5.create(ig1);
        String before = f5.device.snapshot().toString();
        var transport = new LabTransportFactory().open(new cem.spi.ConnectionSpec("f5", f5.host().settings().path("address").asText(), 22,
                f5.host().settings(), Map.of(), tmp, false, java.time.Duration.ofSeconds(1), null, Map.of()));
        Map<String, BigipProbe.Finding> tmsh = BigipProbe.probe(transport).stream().collect(Collectors.toMap(BigipProbe.Finding::check, f -> f));
        assertEquals(before, f5.device.snapshot().toString(), "the probe changed nothing");
        assertEquals(BigipProbe.Status.CONFIRMED, tmsh.get("bigip.login-shell").status());
        assertTrue(tmsh.get("bigip.login-shell").evidence().contains("tmsh"), tmsh.toString());
        assertEquals(BigipProbe.Status.CONFIRMED, tmsh.get("bigip.read").status(), tmsh.toString());
        assertEquals(BigipProbe.Status.CONFIRMED, tmsh.get("bigip.service-names").status(), tmsh.toString());
        assertEquals(BigipProbe.Status.CONFIRMED, tmsh.get("bigip.failing-read.tmsh-shell").status(), tmsh.toString());
        assertEquals("confirmed", tmsh.get("bigip.read").status().toString());
        f5.device.loginShell("admin", "bash");
        Map<String, BigipProbe.Finding> bash = BigipProbe.probeLabVe(transport).stream()
                .collect(Collectors.toMap(BigipProbe.Finding::check, f -> f));
        assertEquals(BigipProbe.Status.CONFIRMED, bash.get("bigip.failing-read.stdin").status(), bash.toString());
        assertEquals(BigipProbe.Status.CONFIRMED, bash.get("bigip.failed-submit").status(), bash.toString());
        assertFalse(f5.device.snapshot().path("virtuals").has("/Common/cem-probe-vs"));
    }
}

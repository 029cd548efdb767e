package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.BigipHost;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/multi-gateway end to end: two gateways behind the lab's F5 (tmsh over SSH) and the
 * lab's Linux firewall — plan, apply, no changes, drift on the F5 and its repair, and a
 * transaction the F5 refuses, which changes nothing. The lab's account starts with tmsh as its
 * login shell (as {@code admin} and remote users have) and is then given bash: cem works in both.
 */
class MultiGatewayF5Test {

    @TempDir
    Path tmp;

    Path site;

    @BeforeEach
    void copy() {
        site = CliRun.copyExample(tmp, "multi-gateway");
    }

    private CliRun cem(String... args) {
        return CliRun.run(Map.of(), tmp, args);
    }

    private BigipHost device() {
        return new BigipHost("f5", site.resolve(".cem/lab/f5-bigip.json"));
    }

    @Test
    @Timeout(300)
    void planApplyDriftAndRepairOnTheF5() {
        CliRun plan = cem("plan", "--no-color", "multi-gateway");
        assertEquals(0, plan.exitCode(), plan.out() + plan.err());
        assertTrue(plan.out().contains("# bigip_gateway_vip.ig1 will be created"), plan.out());
        assertTrue(plan.out().replaceAll(" +", " ").contains("+ snat = \"automap\""), "the plan shows the source address translation: " + plan.out());
        CliRun apply = cem("apply", "--auto-approve", "--no-color", "multi-gateway");
        assertEquals(0, apply.exitCode(), apply.out() + apply.err());
        assertTrue(device().snapshot().path("virtuals").has("/cem/cem-ig2"), device().snapshot().toString());
        assertEquals("/cem/cem-ig1-pool", device().snapshot().path("virtuals").path("/cem/cem-ig1").path("pool").asText());
        assertTrue(device().saves() >= 1, "the configuration is saved after the transaction");
        assertEquals(0, cem("plan", "--detailed-exitcode", "multi-gateway").exitCode());
        assertTrue(device().snapshot().path("nodes").has("/Common/172.16.10.15"), "members name their nodes in /Common");

        device().loginShell("cem-lab+f5", "bash"); // the same account, now with the advanced shell
        device().addMember("/cem/cem-ig2-pool", "172.16.10.99:443"); // a second gateway in one pool, by hand
        CliRun drift = cem("plan", "--no-color", "--detailed-exitcode", "multi-gateway");
        assertEquals(2, drift.exitCode(), drift.out() + drift.err());
        assertTrue(drift.out().contains("# bigip_gateway_vip.ig2 will be updated in-place"), drift.out());
        assertTrue(drift.out().replaceAll(" +", " ").contains("~ otherMembers = [\"172.16.10.99:443\"] -> []"), drift.out());
        assertEquals(0, cem("apply", "--auto-approve", "multi-gateway").exitCode());
        assertEquals(0, cem("plan", "--detailed-exitcode", "multi-gateway").exitCode());
    }

    @Test
    @Timeout(300)
    void aTransactionTheF5RefusesChangesNoVirtualServerOrPool() {
        // Someone already serves 203.0.113.12:443 from another partition.
        device().addForeignVirtual("/Common/someone-else", "203.0.113.12:443");
        String before = device().snapshot().path("virtuals").toString() + device().snapshot().path("pools");
        CliRun apply = cem("apply", "--auto-approve", "--no-color", "multi-gateway");
        assertEquals(1, apply.exitCode(), apply.out() + apply.err());
        String all = apply.out() + apply.err();
        assertTrue(all.contains("The F5 refused bigip_gateway_vip.ig2"), all);
        assertTrue(all.contains("01070333:3: Virtual Server /cem/cem-ig2 illegally shares destination address, source address, service port, "
                + "ip-protocol, and vlan with Virtual Server /Common/someone-else."), all);
        assertTrue(all.contains("Not applied: bigip_gateway_vip.ig1"), "ig1 was in the same transaction: " + all);
        assertEquals(before, device().snapshot().path("virtuals").toString() + device().snapshot().path("pools"),
                "the device's virtual servers and pools are exactly as before");
    }
}

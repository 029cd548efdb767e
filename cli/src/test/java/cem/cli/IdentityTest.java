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
 * Object identity through the real providers and the lab (issue 20, items 1 and 2): a move keeps
 * objects whose names derive from the resource's name, a rename without a move is hinted at, and a
 * new resource that names an object the state already holds is refused.
 */
class IdentityTest {

    private static final Map<String, String> ENV = Map.of();

    @TempDir
    Path tmp;

    private CliRun cem(String... args) {
        return CliRun.run(ENV, tmp, args);
    }

    private Path applied(String example) {
        Path site = CliRun.copyExample(tmp, example);
        CliRun apply = cem("apply", "--auto-approve", example);
        assertEquals(0, apply.exitCode(), apply.err() + apply.out());
        return site;
    }

    private static void edit(Path site, String from, String to) throws IOException {
        Path file = site.resolve("estate.yaml");
        String text = Files.readString(file);
        assertTrue(text.contains(from), from);
        Files.writeString(file, text.replace(from, to));
    }

    private static void append(Path site, String text) throws IOException {
        Files.writeString(site.resolve("estate.yaml"), Files.readString(site.resolve("estate.yaml")) + "\n" + text);
    }

    private static String lab(Path site, String host) throws IOException {
        return Files.readString(site.resolve(".cem/lab/" + host + ".json"));
    }

    /** The plan after renaming windows_firewall_rule.ig-agents-in to gw-agents-in, without a moved entry. */
    private CliRun planRenamed(Path site, String extraAttributes) throws IOException {
        edit(site, "name: ig-agents-in\n", "name: gw-agents-in\n" + extraAttributes);
        return cem("plan", "quickstart");
    }

    /** The names of the firewall rules of a lab host. */
    private static java.util.List<String> rules(Path site, String host) throws IOException {
        java.util.List<String> out = new java.util.ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(lab(site, host)).path("firewall").fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    @Timeout(300)
    void aMoveKeepsTheObjectsNamedAfterTheResource() throws IOException {
        Path site = applied("quickstart");
        edit(site, "name: ig-agents-in\n", "name: gw-agents-in\n");
        edit(site, "name: agents-to-gateway\n", "name: agents-in\n");
        edit(site, "name: cloud-laptops\n", "name: laptops\n");
        edit(site, "targets: [cloud-laptops]", "targets: [laptops]");
        append(site, """
                moved:
                  - {from: windows_firewall_rule.ig-agents-in, to: windows_firewall_rule.gw-agents-in}
                  - {from: nft_rule.agents-to-gateway, to: nft_rule.agents-in}
                  - {from: resource_target.cloud-laptops, to: resource_target.laptops}
                """);
        CliRun plan = cem("plan", "--detailed-exitcode", "quickstart");
        assertEquals(2, plan.exitCode(), plan.err() + plan.out());
        for (String moved : new String[] {"windows_firewall_rule.gw-agents-in", "nft_rule.agents-in", "resource_target.laptops"}) {
            assertTrue(plan.out().contains("# " + moved + " has moved from "), plan.out());
        }
        assertFalse(plan.out().contains("will be created") || plan.out().contains("will be destroyed"), plan.out());
        assertTrue(plan.err().contains("windows_firewall_rule.gw-agents-in keeps its object's name \"cem-ig-agents-in\" [APL5012]"), plan.err());
        assertTrue(plan.err().contains("nft_rule.agents-in keeps its object's name \"agents-to-gateway\" [APL5012]"), plan.err());
        assertTrue(plan.err().contains("resource_target.laptops keeps its object's name \"cloud-laptops\" [APL5012]"), plan.err());

        CliRun apply = cem("apply", "--auto-approve", "quickstart");
        assertEquals(0, apply.exitCode(), apply.err() + apply.out());
        assertEquals(java.util.List.of("cem-ig-agents-in"), rules(site, "ig1"), "one rule, still named as before");
        assertTrue(lab(site, "edge-fw-nftables").contains("cem:agents-to-gateway"), lab(site, "edge-fw-nftables"));
        assertFalse(lab(site, "edge-fw-nftables").contains("cem:agents-in"), lab(site, "edge-fw-nftables"));
        assertFalse(lab(site, "ns1").contains("\"laptops\""), "no second target: " + lab(site, "ns1"));

        // Converged, and it stays so once the moved entries are gone: the state keeps the names.
        assertEquals(0, cem("plan", "--detailed-exitcode", "quickstart").exitCode());
        edit(site, Files.readString(site.resolve("estate.yaml")).substring(Files.readString(site.resolve("estate.yaml")).indexOf("\nmoved:")), "\n");
        CliRun after = cem("plan", "--detailed-exitcode", "quickstart");
        assertEquals(0, after.exitCode(), after.err() + after.out());
        assertTrue(cem("state", "show", "-d", "quickstart", "windows_firewall_rule.gw-agents-in").out().contains("ruleName = \"cem-ig-agents-in\""),
                "the kept name is in the state");
    }

    @Test
    @Timeout(300)
    void aMoveKeepsTheVirtualServerAndPoolNamedAfterTheResource() throws IOException {
        Path site = applied("multi-gateway");
        String before = lab(site, "f5-bigip");
        String name = "ig1";
        assertTrue(before.contains("cem-" + name + "-pool"), before);
        edit(site, "type: bigip_gateway_vip\n    name: ig1\n", "type: bigip_gateway_vip\n    name: agents-vip-1\n");
        append(site, "moved:\n  - {from: bigip_gateway_vip." + name + ", to: bigip_gateway_vip.agents-vip-1}\n");
        CliRun plan = cem("plan", "--detailed-exitcode", "multi-gateway");
        assertTrue(plan.out().contains("# bigip_gateway_vip.agents-vip-1 has moved from bigip_gateway_vip." + name), plan.out());
        assertFalse(plan.out().contains("will be created") || plan.out().contains("will be destroyed"), plan.out());
        assertTrue(plan.err().contains("keeps its object's name \"" + name + "\" [APL5012]"), plan.err());
        assertEquals(0, cem("apply", "--auto-approve", "multi-gateway").exitCode());
        assertFalse(lab(site, "f5-bigip").contains("cem-agents-vip-1"), lab(site, "f5-bigip"));
        assertTrue(lab(site, "f5-bigip").contains("cem-" + name + "-pool"), lab(site, "f5-bigip"));
        assertEquals(0, cem("plan", "--detailed-exitcode", "multi-gateway").exitCode());
    }

    @Test
    @Timeout(300)
    void aRenameWithoutMovedIsHintedAtWithTheBlockToWrite() throws IOException {
        CliRun plan = planRenamed(applied("quickstart"), "");
        assertEquals(0, plan.exitCode(), plan.err());
        assertTrue(plan.err().contains("windows_firewall_rule.gw-agents-in looks like windows_firewall_rule.ig-agents-in renamed [APL5011]"),
                plan.err());
        assertTrue(plan.err().contains("moved:\n  - from: windows_firewall_rule.ig-agents-in\n    to: windows_firewall_rule.gw-agents-in"),
                plan.err());
    }

    @Test
    @Timeout(300)
    void aNewResourceThatNamesAnObjectOfTheStateIsRefused() throws IOException {
        Path site = applied("quickstart");
        // Renamed, with the old rule name written out: one rule, claimed by a new address and by the state.
        CliRun plan = planRenamed(site, "    ruleName: cem-ig-agents-in\n");
        assertEquals(1, plan.exitCode(), plan.out());
        assertTrue(plan.err().contains("windows_firewall_rule.gw-agents-in would manage the object of windows_firewall_rule.ig-agents-in [SEM3306]"),
                plan.err());
        assertTrue(plan.err().contains("estate.yaml:"), "it points at the resource: " + plan.err());
        assertTrue(plan.err().contains("to: windows_firewall_rule.gw-agents-in"), "the hint is the moved block: " + plan.err());
        assertEquals(1, cem("apply", "--auto-approve", "quickstart").exitCode());
        assertEquals(java.util.List.of("cem-ig-agents-in"), rules(site, "ig1"));
    }

    @Test
    @Timeout(300)
    void aChangedRuleNameOrTargetNameReplacesTheObjectInsteadOfLeavingItBehind() throws IOException {
        Path site = applied("quickstart");
        edit(site, "name: ig-agents-in\n", "name: ig-agents-in\n    ruleName: gw-agents-443\n");
        edit(site, "name: cloud-laptops\n", "name: cloud-laptops\n    targetName: laptops-cem\n");
        CliRun plan = cem("plan", "--detailed-exitcode", "quickstart");
        assertEquals(2, plan.exitCode(), plan.err() + plan.out());
        assertTrue(plan.out().contains("# windows_firewall_rule.ig-agents-in must be replaced"), plan.out());
        assertTrue(plan.out().contains("# resource_target.cloud-laptops must be replaced"), plan.out());
        assertTrue(plan.out().matches("(?s).*ruleName\\s+= .*\"gw-agents-443\".*# forces replacement.*"), plan.out());
        assertTrue(plan.out().matches("(?s).*targetName\\s+= \"cloud-laptops\" -> \"laptops-cem\".*# forces replacement.*"), plan.out());
        assertFalse(plan.out().contains("will be created"), "nothing new beside the old objects: " + plan.out());
        assertFalse(plan.out().contains("changed outside of cem"), "the policy still names the target by its old name: " + plan.out());
        assertTrue(plan.out().contains("# apply also points targets at the new resource_target.cloud-laptops"), plan.out());

        CliRun apply = cem("apply", "--auto-approve", "quickstart");
        assertEquals(0, apply.exitCode(), apply.err() + apply.out());
        assertEquals(java.util.List.of("gw-agents-443"), rules(site, "ig1"), "the old rule is gone, the new one is there");
        assertTrue(lab(site, "ns1").contains("\"laptops-cem\""), lab(site, "ns1"));
        assertFalse(lab(site, "ns1").contains("\"cloud-laptops\""), "the old target is gone: " + lab(site, "ns1"));
        CliRun again = cem("plan", "--detailed-exitcode", "quickstart");
        assertEquals(0, again.exitCode(), again.err() + again.out());
    }

    @Test
    @Timeout(300)
    void aChangedPolicyNameIsRefusedRatherThanTurningCemOffInTheOldPolicy() throws IOException {
        Path site = applied("quickstart");
        edit(site, "name: default\n    host: ns1\n", "name: default\n    host: ns1\n    policyName: CEM Settings for Laptops\n");
        CliRun plan = cem("plan", "quickstart");
        assertEquals(1, plan.exitCode(), plan.err() + plan.out());
        assertTrue(plan.err().contains("cem_policy.default cannot move from policy \"Cloud-enabled Management Settings\" to \"CEM Settings for "
                + "Laptops\" [PRV4011]"), plan.err());
        assertTrue(plan.err().contains("cem state rm cem_policy.default"), "the hint says how to leave the old policy as it is: " + plan.err());
        String before = lab(site, "ns1");
        assertEquals(1, cem("apply", "--auto-approve", "quickstart").exitCode());
        assertEquals(before, lab(site, "ns1"), "nothing changed on the NS");
    }

    @Test
    void twoSitesThatManageOneObjectOfAServerAreRefused() throws IOException {
        Path fleet = FleetTest.copyGitops(tmp);
        Path inventory = fleet.resolve("sites.yaml");
        // ber's NS is ams's server under another host name: both sites would manage its CEM policy.
        Files.writeString(inventory, Files.readString(inventory).replace("nsAddress: smp.ber.example.net", "nsAddress: smp.ams.example.net"));
        CliRun validate = cem("validate", "gitops", "--sites", "all");
        assertEquals(1, validate.exitCode(), validate.out() + validate.err());
        assertTrue(validate.err().contains("cem_policy.default and cem_policy.default of site ams manage one object [SEM3306]"), validate.err());
        assertTrue(validate.err().contains("templates/site/"), "mapped to the template line: " + validate.err());
        CliRun plan = cem("plan", "gitops", "--sites", "ber");
        assertEquals(0, plan.exitCode(), "one site alone claims nothing twice: " + plan.err());
    }
}

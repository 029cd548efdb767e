package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.Namespaces;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nft_rule against the real thing: a network namespace per firewall, OpenSSH's sshd and the
 * kernel's nftables inside it, cem driven through its command line over SSH. Skipped (with the
 * reason) when not root; CI runs it as root.
 */
class NftNamespaceTest {

    @TempDir
    Path tmp;

    Namespaces.Host fw;
    Path site;

    @BeforeEach
    void start() throws Exception {
        String why = Namespaces.unavailable();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        Namespaces.prepareUsers();
        fw = Namespaces.start("fw1", 41, tmp.resolve("fw1"));
        site = Files.createDirectories(tmp.resolve("site"));
    }

    @AfterEach
    void stop() {
        if (fw != null) {
            fw.close();
        }
    }

    private static final String RULES = """
              - type: nft_rule
                name: gateway-in
                host: fw1
                hook: input
                protocol: tcp
                dport: [8081]
                action: accept
                counter: true
              - type: nft_rule
                name: block-8082
                host: fw1
                hook: input
                dport: [8082]
                action: reject
              - type: nft_rule
                name: dns-from-lan
                host: fw1
                hook: input
                protocol: udp
                dport: [53]
                saddr: [10.0.0.0/8, 192.0.2.7]
                action: accept
            """;

    private void write(String user, boolean sudo, String resources) throws Exception {
        Files.writeString(site.resolve("estate.yaml"), """
                version: 1
                hosts:
                  fw1:
                    address: %s
                    os: linux
                    transport: ssh
                    auth: {scheme: publickey, username: %s, keyFile: %s}
                    ssh: {knownHosts: %s, sudo: %s}
                resources:
                %s""".formatted(fw.address(), user, fw.clientKey(), fw.knownHosts(), sudo, resources));
    }

    private CliRun cem(String... args) {
        return CliRun.run(Map.of(), site, args);
    }

    private CliRun apply() {
        CliRun r = cem("apply", "--auto-approve", "--no-color", ".");
        assertEquals(0, r.exitCode(), r.out() + r.err());
        return r;
    }

    /** The comments of the rules in chain input of table inet cem, in order. */
    private List<String> order() {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("comment \"(cem:[^\"]+)\"").matcher(fw.nft("list", "chain", "inet", "cem", "input"));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private JsonNode planJson() {
        CliRun r = cem("plan", "--json", ".");
        assertEquals(0, r.exitCode(), r.out() + r.err());
        return r.json();
    }

    private static String action(JsonNode plan, String address) {
        for (JsonNode c : plan.path("resource_changes")) {
            if (c.path("address").asText().equals(address)) {
                return c.path("change").path("actions").toString();
            }
        }
        for (JsonNode c : plan.path("changes")) {
            if (c.path("address").asText().equals(address)) {
                return c.path("action").asText();
            }
        }
        throw new AssertionError("no " + address + " in " + plan);
    }

    @Test
    void createsUpdatesReordersAndDeletesRulesInOneTransactionPerHost() throws Exception {
        write(Namespaces.USER, true, RULES);
        CliRun first = apply();
        assertTrue(first.out().contains("3 added"), first.out());
        assertEquals(List.of("cem:gateway-in", "cem:block-8082", "cem:dns-from-lan"), order());
        String listed = fw.nft("list", "table", "inet", "cem");
        assertTrue(listed.contains("hook input priority filter; policy accept;"), listed);
        assertTrue(listed.contains("ip saddr { 10.0.0.0/8, 192.0.2.7 }"), listed);

        CliRun again = cem("plan", "--detailed-exitcode", "--no-color", ".");
        assertEquals(0, again.exitCode(), "a converged firewall plans no changes: " + again.out() + again.err());

        write(Namespaces.USER, true, RULES.replace("dport: [8081]", "dport: [8081, 8443]"));
        CliRun update = cem("plan", "--no-color", ".");
        assertTrue(update.out().contains("nft_rule.gateway-in will be updated in-place"), update.out());
        assertTrue(update.out().contains("nftables on fw1: cem rewrites only the chains it changes in table inet cem, in one transaction; no other table is touched."), update.out());
        assertTrue(update.out().contains("1 to change"), update.out());
        apply();
        assertTrue(fw.nft("list", "chain", "inet", "cem", "input").contains("tcp dport { 8081, 8443 } counter"));

        // Move dns-from-lan to the top: only it moves; the two others keep their relative order.
        String[] blocks = RULES.replace("dport: [8081]", "dport: [8081, 8443]").split("(?m)^(?=  - type)");
        write(Namespaces.USER, true, blocks[2] + blocks[0] + blocks[1]);
        CliRun reorder = cem("plan", "--no-color", ".");
        assertTrue(reorder.out().contains("nft_rule.dns-from-lan will be moved within its chain"), reorder.out());
        assertTrue(reorder.out().contains("1 to change"), "only the moved rule changes: " + reorder.out());
        assertTrue(reorder.out().contains("position"), reorder.out());
        apply();
        assertEquals(List.of("cem:dns-from-lan", "cem:gateway-in", "cem:block-8082"), order());

        write(Namespaces.USER, true, blocks[2] + blocks[1]);
        CliRun delete = cem("plan", "--no-color", ".");
        assertTrue(delete.out().contains("nft_rule.gateway-in will be destroyed"), delete.out());
        apply();
        assertEquals(List.of("cem:dns-from-lan", "cem:block-8082"), order());
        assertEquals(0, cem("plan", "--detailed-exitcode", ".").exitCode());
    }

    @Test
    void aRejectRuleReallyBlocksAndAnAcceptedPortStillConnects() throws Exception {
        fw.listen(8081, 8082);
        assertTrue(fw.connects(8082, Duration.ofSeconds(2)), "before apply 8082 is open");
        write(Namespaces.USER, true, RULES);
        apply();
        assertTrue(fw.connects(8081, Duration.ofSeconds(2)), "8081 is accepted");
        assertFalse(fw.connects(8082, Duration.ofSeconds(2)), "8082 is rejected by the rule cem wrote");
    }

    @Test
    void driftMadeWithNftIsDetectedAndRepaired() throws Exception {
        write(Namespaces.USER, true, RULES);
        apply();
        String handles = fw.nft("-a", "list", "chain", "inet", "cem", "input");
        fw.nft("delete", "rule", "inet", "cem", "input", "handle", handle(handles, "cem:block-8082"));
        fw.nft("replace", "rule", "inet", "cem", "input", "handle", handle(handles, "cem:gateway-in"),
                "tcp", "dport", "9999", "accept", "comment", "\"cem:gateway-in\"");

        JsonNode plan = planJson();
        assertTrue(plan.toString().contains("changed_outside_cem") || plan.toString().contains("deleted_outside_cem"), plan.toString());
        CliRun text = cem("plan", "--no-color", ".");
        assertTrue(text.out().contains("nft_rule.block-8082 will be created"), text.out());
        assertTrue(text.out().contains("nft_rule.gateway-in will be updated in-place"), text.out());
        apply();
        assertEquals(List.of("cem:gateway-in", "cem:block-8082", "cem:dns-from-lan"), order());
        assertTrue(fw.nft("list", "chain", "inet", "cem", "input").contains("tcp dport 8081 counter"));
        assertEquals(0, cem("plan", "--detailed-exitcode", ".").exitCode());
    }

    @Test
    void aTransactionNftRefusesLeavesTheRulesetExactlyAsItWas() throws Exception {
        write(Namespaces.USER, true, RULES);
        apply();
        String before = fw.nft("-a", "list", "ruleset");
        write(Namespaces.USER, true, RULES.replace("dport: [8081]", "dport: [8081, 8444]") + """
                  - type: nft_rule
                    name: from-blocklist
                    host: fw1
                    hook: input
                    saddr: ["@blocklist"]
                    action: drop
                """);
        CliRun failed = cem("apply", "--auto-approve", "--no-color", ".");
        assertEquals(1, failed.exitCode(), failed.out() + failed.err());
        String all = failed.out() + failed.err();
        assertTrue(all.contains("nft refused nft_rule.from-blocklist"), all);
        assertTrue(all.contains("No such file or directory"), "nft's own message is attached: " + all);
        assertEquals(before, fw.nft("-a", "list", "ruleset"), "nothing changed, not even handles");
    }

    @Test
    void tablesCemDoesNotOwnSurviveEveryOperationAsRoot() throws Exception {
        fw.exec("", "nft", "add table ip other; add chain ip other c { type filter hook input priority 5; }; "
                + "add rule ip other c tcp dport 22 accept comment \"not cem's\"");
        String other = fw.nft("-a", "list", "table", "ip", "other");
        write("root", false, RULES);
        apply();
        assertEquals(other, fw.nft("-a", "list", "table", "ip", "other"));
        write("root", false, RULES.replace("dport: [53]", "dport: [53, 5353]"));
        apply();
        assertEquals(other, fw.nft("-a", "list", "table", "ip", "other"));
        CliRun destroy = cem("destroy", "--auto-approve", "--no-color", ".");
        assertEquals(0, destroy.exitCode(), destroy.out() + destroy.err());
        assertEquals(other, fw.nft("-a", "list", "table", "ip", "other"));
        assertFalse(fw.nft("list", "ruleset").contains("cem:"), "destroy removed cem's rules");
    }

    @Test
    void sudoThatAsksForAPasswordIsAClearError() throws Exception {
        write(Namespaces.USER_WITHOUT_SUDO, true, RULES);
        CliRun r = cem("plan", "--no-color", ".");
        assertEquals(1, r.exitCode(), r.out() + r.err());
        String all = r.out() + r.err();
        assertTrue(all.contains("sudo asked for a password on host fw1"), all);
        assertTrue(all.contains("NOPASSWD: /usr/sbin/nft"), all);
    }

    private static String handle(String listing, String comment) {
        Matcher m = Pattern.compile("comment \"" + Pattern.quote(comment) + "\" # handle (\\d+)").matcher(listing);
        assertTrue(m.find(), listing);
        return m.group(1);
    }
}

package cem.nftables;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NftRuleTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void onlyRulesOutOfTheirRelativeOrderMove() {
        // Declared order 0 1 2 3; live order 3 0 1 2: only the rule at the front moves.
        assertArrayEquals(new boolean[] {false, true, true, true}, NftProvider.Positions.longestIncreasing(new int[] {3, 0, 1, 2}));
        // A reversed chain: all but one move.
        boolean[] reversed = NftProvider.Positions.longestIncreasing(new int[] {2, 1, 0});
        int kept = 0;
        for (boolean b : reversed) {
            kept += b ? 1 : 0;
        }
        assertEquals(1, kept);
        assertArrayEquals(new boolean[] {}, NftProvider.Positions.longestIncreasing(new int[] {}));
    }

    @Test
    void addressesCompareAsNftStoresThem() {
        assertEquals(NftRule.canonical("10.0.0.0/8"), NftRule.canonical("10.1.2.3/8"));
        assertEquals(NftRule.canonical("192.0.2.7"), NftRule.canonical("192.0.2.7/32"));
        assertEquals(NftRule.canonical("2001:db8::"), NftRule.canonical("2001:DB8:0:0::/128"));
        assertFalse(NftRule.canonical("10.0.0.0/8").equals(NftRule.canonical("10.0.0.0/16")));
        assertEquals("gateway.example.com", NftRule.canonical("gateway.example.com"), "a name is never resolved");
    }

    @Test
    void aRuleSurvivesTheRoundTripThroughNftJson() throws Exception {
        JsonNode attributes = JSON.readTree("{\"hook\":\"input\",\"protocol\":\"udp\",\"dport\":[53],\"saddr\":[\"10.0.0.0/8\"],"
                + "\"counter\":true,\"log\":true,\"action\":\"drop\"}");
        NftRule rule = NftRule.of("dns", attributes);
        assertEquals("inet cem input cem:dns", rule.identity());
        NftRule back = NftRule.parse(rule.toJson(), "input", 0);
        assertEquals(rule, back);
        assertThrows(IllegalArgumentException.class,
                () -> NftRule.of("mixed", JSON.readTree("{\"saddr\":[\"10.0.0.1\",\"2001:db8::1\"],\"action\":\"drop\"}")).toJson());
    }

    @Test
    void anExpressionCemDoesNotModelIsKeptAsAChange() throws Exception {
        JsonNode listed = JSON.readTree("{\"family\":\"inet\",\"table\":\"cem\",\"chain\":\"input\",\"comment\":\"cem:x\",\"expr\":["
                + "{\"match\":{\"op\":\"in\",\"left\":{\"ct\":{\"key\":\"state\"}},\"right\":[\"established\"]}},{\"accept\":null}]}");
        NftRule rule = NftRule.parse(listed, "input", 0);
        assertEquals(1, rule.other().size());
        assertEquals("accept", rule.action());
    }

    @Test
    void noValueEverReachesTheCommandLine() {
        String evil = "x'; rm -rf / #$(reboot)`id`";
        var read = NftCommands.read(false, List.of("inet cem"));
        var apply = NftCommands.apply(true, List.of("inet cem"), "{\"nftables\":[]}", Map.of("nft_rule." + evil, "{}"));
        assertEquals(NftCommands.commandLine(NftCommands.READ_SCRIPT, false), read.commandLine());
        assertEquals(NftCommands.commandLine(NftCommands.APPLY_SCRIPT, true), apply.commandLine());
        assertFalse(apply.commandLine().contains(evil));
        assertTrue(new String(apply.stdin(), StandardCharsets.UTF_8).contains(evil), "values travel in standard input");
        // A table name is checked before anything is built (issue 24, item 1: nft parses ';' in its arguments).
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> NftCommands.read(false, List.of("inet " + evil)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> NftCommands.read(false, List.of("inet cem; delete table inet filter")));
    }

    @Test
    void outputSectionsAreSplitByTheirHeaders() {
        var sections = NftCommands.sections("noise from a login script\n### check - 1\ninternal:0:0-0: Error: x\n### rule nft_rule.a 1\n"
                + "Error: y\n### table inet cem 0\n{\"nftables\":[]}\n");
        assertEquals(3, sections.size());
        assertEquals("check", sections.get(0).kind());
        assertEquals("nft_rule.a", sections.get(1).subject());
        assertEquals("Error: x", NftProvider.clean(sections.get(0).body()));
        assertEquals("inet cem", sections.get(2).subject());
    }
}

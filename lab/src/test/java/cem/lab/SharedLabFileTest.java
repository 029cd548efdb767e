package cem.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 3: two cem processes running a lab on one directory (a second apply waiting for
 * the first one's lock) each hold a twin of every lab host. Each twin answers from the host's file
 * as it is now, and their changes never overwrite each other's.
 */
class SharedLabFileTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private WindowsState twin(Path file) {
        return new WindowsState(file, List.of("Default Web Site"), Map.of("W3SVC", "running"));
    }

    private static ObjectNode rule(String name) {
        ObjectNode a = JSON.createObjectNode().put("name", name).put("group", "cem").put("displayName", name).put("direction", "Inbound")
                .put("action", "Allow").put("enabled", "True").put("profile", "Any").put("protocol", "TCP");
        a.putArray("localPort").add("443");
        a.putNull("remotePort");
        a.putArray("remoteAddress").add("Any");
        return a;
    }

    private static List<String> rules(WindowsState s) {
        List<String> out = new ArrayList<>();
        s.run("windows_firewall_rule.read", JSON.createObjectNode().put("group", "cem")).forEach(r -> out.add(r.path("name").asText()));
        return out;
    }

    @Test
    void aTwinStartedBeforeAnotherOneChangedTheHostSeesTheChange() {
        Path file = tmp.resolve("ns1.json");
        WindowsState first = twin(file);
        WindowsState second = twin(file); // started while the first waited at its prompt
        assertEquals(List.of(), rules(second));
        first.run("windows_firewall_rule.set", rule("cem-agents-443"));
        assertEquals(List.of("cem-agents-443"), rules(second), "the second process reads the host as the first one left it");
        assertTrue(second.snapshot().path("firewall").has("cem-agents-443"));
        second.run("windows_service.set", JSON.createObjectNode().put("name", "W3SVC").putNull("startMode").put("state", "stopped"));
        assertFalse(first.running("W3SVC"));
        assertEquals(List.of("cem-agents-443"), rules(first), "the second one's write kept the first one's rule");
    }

    @Test
    void changesOfTwoTwinsAtOnceAreAllKept() throws Exception {
        Path file = tmp.resolve("ns1.json");
        WindowsState a = twin(file);
        WindowsState b = twin(file);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String n = String.valueOf(i);
                done.add(pool.submit(() -> a.run("windows_firewall_rule.set", rule("a-" + n))));
                done.add(pool.submit(() -> b.run("windows_firewall_rule.set", rule("b-" + n))));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(40, rules(twin(file)).size(), "no change was lost");
    }

    @Test
    void aFirewallTwinSeesTablesAnotherOneApplied() throws Exception {
        Path file = tmp.resolve("edge-fw-nftables.json");
        NftTables first = new NftTables(file);
        NftTables second = new NftTables(file);
        first.addForeignTable("inet", "theirs");
        JsonNode listed = JSON.readTree(second.list("inet", "theirs"));
        assertEquals("theirs", listed.at("/nftables/1/table/name").asText());
        second.deleteRule("inet", "theirs", "not cem's");
        assertEquals(0, first.snapshot().get("inet theirs").at("/chains/0/rules").size());
    }
}

package cem.bigip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cem.lab.BigipHost;
import cem.testkit.Golden;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TmshTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static Vip vip(String name, String destination, String member) throws Exception {
        return Vip.of(name, JSON.readTree("{\"destination\":{\"address\":\"" + destination + "\",\"port\":443},"
                + "\"member\":{\"address\":\"" + member + "\",\"port\":443}}"));
    }

    @Test
    void theExactTmshCommandsOfAnApplyArePinned() throws Exception {
        List<String> lines = Tmsh.applyLines(List.of(vip("old", "203.0.113.9", "172.16.10.9")),
                List.of(vip("ig1", "203.0.113.11", "172.16.10.15")), List.of(vip("ig2", "2001:db8::12", "2001:db8:10::16")));
        Golden.assertMatches(String.join("\n", lines) + "\n", Path.of("src/test/resources/golden/apply.tmsh"));
        var read = Tmsh.read(List.of(vip("ig1", "203.0.113.11", "172.16.10.15")));
        Golden.assertMatches("$ " + read.commandLine() + "\n" + new String(read.stdin(), StandardCharsets.UTF_8),
                Path.of("src/test/resources/golden/read.tmsh"));
    }

    @Test
    void theLabAnswersAListingTheProviderReads() throws Exception {
        BigipHost device = new BigipHost("f5", tmp.resolve("f5.json"));
        Vip v = vip("ig1", "203.0.113.11", "172.16.10.15");
        String out = device.run("admin", Tmsh.COMMAND_LINE, Tmsh.apply(Tmsh.applyLines(List.of(), List.of(v), List.of())).stdin()).stdout();
        Map<String, Map<String, Object>> objects = Tmsh.objects(out);
        assertEquals(2, objects.size(), out);
        assertEquals("/cem/203.0.113.11:443", objects.get("ltm virtual /cem/cem-ig1").get("destination"), out);
        assertEquals(List.of(), Tmsh.errors(out).stream().filter(e -> !e.startsWith("01020066")).toList(), out);
    }

    @Test
    void valuesThatCouldEndATmshCommandAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> vip("ig1", "203.0.113.11 } delete ltm pool all", "172.16.10.15"));
        assertThrows(IllegalArgumentException.class, () -> vip("ig1\nsave", "203.0.113.11", "172.16.10.15"));
        assertThrows(IllegalArgumentException.class, () -> Vip.of("x", JSON.readTree("{\"destination\":{\"address\":\"203.0.113.1\",\"port\":443},"
                + "\"member\":{\"address\":\"172.16.10.1\",\"port\":443},\"profiles\":[\"tcp }\"]}")));
        assertEquals("tmsh -q", Tmsh.read(List.of()).commandLine());
        assertEquals("quit\n", new String(Tmsh.read(List.of()).stdin(), StandardCharsets.UTF_8).replace("\n\n", "\n").strip() + "\n");
    }

    @Test
    void theLabRefusesAVirtualServerWithoutItsPoolAndChangesNothing() {
        BigipHost device = new BigipHost("f5", tmp.resolve("f5.json"));
        String before = device.snapshot().toString();
        String lines = String.join("\n", "create auth partition cem", "create cli transaction",
                "create ltm virtual /cem/cem-x destination 203.0.113.9:443 ip-protocol tcp pool /cem/cem-x-pool profiles replace-all-with { tcp }",
                "submit cli transaction", "quit") + "\n";
        String out = device.run("admin", Tmsh.COMMAND_LINE, lines.getBytes(StandardCharsets.UTF_8)).stdout();
        assertEquals(List.of("01020036:3: The requested Pool (/cem/cem-x-pool) was not found."), Tmsh.errors(out), out);
        assertEquals(0, device.snapshot().path("virtuals").size(), "the transaction changed nothing");
        assertEquals(true, !before.equals(device.snapshot().toString()), "only the partition, created outside the transaction, was added");
    }
}

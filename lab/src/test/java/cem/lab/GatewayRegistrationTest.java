package cem.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A lab gateway registers only when a host of its network really serves the port of its server entry. */
class GatewayRegistrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = InternetGateway.DEFAULT_KEY;

    private static ObjectNode set(String server) {
        ObjectNode set = JSON.createObjectNode().put("settingsKey", KEY).put("serviceDisplayName", WindowsState.IG_SERVICE)
                .put("backupDirectory", "C:\\ProgramData\\cem\\ig-backups").put("keepBackups", 2).put("listenerPort", 443)
                .put("autoRefresh", 1).put("statusReporting", 1).put("restartService", true);
        set.putArray("servers").add(server);
        return set;
    }

    private static List<String> lines(WindowsState s) {
        List<String> out = new java.util.ArrayList<>();
        s.snapshot().path("files").path(InternetGateway.LOG_DIRECTORY).path("a.log").path("lines").forEach(l -> out.add(l.asText()));
        return out;
    }

    @Test
    void registersOnlyWhenTheServerServesTheListedPort() {
        WindowsState ns = new WindowsState(null, List.of("Default Web Site", "CEM Agent"), Map.of("W3SVC", "running"));
        WindowsState ig = new WindowsState(null, List.of(), Map.of(WindowsState.IG_SERVICE, "stopped"));
        List<WindowsState> network = List.of(ns, ig);
        ns.peers(() -> network);
        ig.peers(() -> network);
        ns.change(s -> ((com.fasterxml.jackson.databind.node.ArrayNode) s.path("sites").path("CEM Agent").path("bindings")).addObject()
                .put("protocol", "https").put("bindingInformation", "*:4726:").put("sslFlags", 0));

        ig.run("internet_gateway.set", set("smp.example.net:4727"));
        assertFalse(InternetGateway.registered(ig.snapshot()), "the NS serves 4726, not 4727: " + lines(ig));
        assertTrue(lines(ig).get(lines(ig).size() - 1).contains("Failed to register with Notification Server smp.example.net:4727"), lines(ig).toString());
        ig.run("internet_gateway.read", JSON.createObjectNode());
        assertEquals(1, lines(ig).stream().filter(l -> l.contains("Failed to register")).count(), "the failure is logged once");

        ig.run("internet_gateway.set", set("smp.example.net:4726"));
        assertTrue(InternetGateway.registered(ig.snapshot()), lines(ig).toString());
    }

    @Test
    void aGatewayStartedBeforeTheBindingRegistersOnceTheNsServesIt() {
        WindowsState ns = new WindowsState(null, List.of("Default Web Site", "CEM Agent"), Map.of("W3SVC", "running"));
        WindowsState ig = new WindowsState(null, List.of(), Map.of(WindowsState.IG_SERVICE, "stopped"));
        List<WindowsState> network = List.of(ns, ig);
        ns.peers(() -> network);
        ig.peers(() -> network);
        ig.run("internet_gateway.set", set("smp.example.net:4726"));
        assertFalse(InternetGateway.registered(ig.snapshot()));
        ns.change(s -> ((com.fasterxml.jackson.databind.node.ArrayNode) s.path("sites").path("CEM Agent").path("bindings")).addObject()
                .put("protocol", "https").put("bindingInformation", "*:4726:").put("sslFlags", 0));
        JsonNode read = ig.run("internet_gateway.read", JSON.createObjectNode().put("settingsKey", KEY).put("serviceDisplayName", WindowsState.IG_SERVICE)
                .put("logDirectory", InternetGateway.LOG_DIRECTORY).put("registrationLine", WindowsState.REGISTERED));
        assertTrue(read.at("/logs/0/hasRegistrationLine").asBoolean(), "it keeps trying, and succeeds: " + lines(ig));
        ns.change(s -> ((ObjectNode) s.path("services").path("W3SVC")).put("state", "Stopped"));
        ig.run("windows_service.set", JSON.createObjectNode().put("name", WindowsState.IG_SERVICE).putNull("startMode").put("state", "stopped"));
        ig.run("windows_service.set", JSON.createObjectNode().put("name", WindowsState.IG_SERVICE).putNull("startMode").put("state", "running"));
        assertFalse(InternetGateway.registered(ig.snapshot()), "IIS stopped on the NS: nothing answers 4726");
    }
}

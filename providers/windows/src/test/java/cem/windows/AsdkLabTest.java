package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Execution;
import cem.lab.WindowsHost;
import cem.lab.WindowsState;
import cem.spi.ApplyRequest;
import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ASDK requests and readings end to end against the lab's NS, whose endpoint accepts exactly
 * the published services, methods and fields and answers in the documented XML shapes: round trips
 * are counted as the provider makes them (a first batch, a follow-up only when answers call for one).
 */
class AsdkLabTest {

    private final WindowsHost ns = new WindowsHost("ns1", new WindowsState(null, List.of("Default Web Site"), Map.of("W3SVC", "running")));
    private final HostTarget host = new HostTarget("ns1", Agent.JSON.createObjectNode().put("address", "smp.example.net"), Map.of(), Path.of("."));
    private final Map<String, JsonNode> known = new HashMap<>();
    private int trips;

    private JsonNode run(Agent agent) {
        trips++;
        Execution e = ns.powershell(agent.script());
        assertEquals(0, e.exitCode(), e.stderr());
        return Agent.results(e.stdout());
    }

    /** A refresh as WindowsProvider.read makes it. */
    private LiveResource read(ResourceInstance r) {
        Agent agent = new Agent();
        Reads reads = Reads.add(agent, List.of(r), host);
        JsonNode results = run(agent);
        reads.take(results);
        Agent more = new Agent();
        if (reads.followUp(List.of(r), more)) {
            reads.take(run(more));
        }
        known.putAll(reads.asdkAnswers());
        return reads.live(r, results, host);
    }

    private JsonNode apply(ApplyRequest.Operation operation, ResourceInstance r) throws Exception {
        Agent agent = new Agent();
        WindowsProvider.Known k = new WindowsProvider.Known(null, null, null, known);
        Integer last = Ops.add(agent, new ApplyRequest.Change(operation, r), host, k);
        JsonNode results = run(agent);
        for (JsonNode result : results) {
            assertEquals(200, result.path("data").path("status").asInt(), result.toString());
        }
        return results.path(last);
    }

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) Agent.JSON.readTree(text.replace('\'', '"'));
    }

    private static ResourceInstance target(String identity) throws Exception {
        return new ResourceInstance("resource_target.laptops", "resource_target", identity,
                json("{'filters':[{'type':'resourceCollection','operation':'union','ref':'All Windows Computers'}]}"));
    }

    @Test
    void aTargetIsCreatedFromDocumentedCallsAndReadBackInOneRoundTripOnceKnown() throws Exception {
        assertFalse(read(target(null)).exists());
        assertEquals(1, trips, "nothing named so: no follow-up");
        JsonNode created = apply(ApplyRequest.Operation.CREATE, target(null));
        String guid = Asdk.value(created.path("data").path("body").asText());
        trips = 0;
        LiveResource live = read(target(null));
        assertEquals(2, trips, "a GUID cem had not recorded: one follow-up for the export and the members");
        assertEquals(guid, live.identity());
        assertEquals(target(null).attributes().path("filters"), live.attributes().path("filters"), "the export holds the filters cem set");
        assertEquals(12, live.attributes().path("memberCount").asInt());
        trips = 0;
        LiveResource again = read(target(guid));
        assertEquals(1, trips, "converged: the recorded GUID still holds");
        assertEquals(live.attributes(), again.attributes());
        apply(ApplyRequest.Operation.DELETE, target(guid));
        assertFalse(read(target(guid)).exists());
    }

    @Test
    void thePolicyIsFoundByItsTypeNameBehindAFolderOfTheSameNameAndSet() throws Exception {
        read(target(null));
        apply(ApplyRequest.Operation.CREATE, target(null));
        read(target(null));
        JsonNode related = json("{'filters':[]}");
        ResourceInstance policy = new ResourceInstance("cem_policy.default", "cem_policy", null,
                json("{'gateways':[{'gateway':'gw.example.com','port':443}],'targets':['laptops'],'preferCem':true}"),
                Map.of("resource_target.laptops", related));
        trips = 0;
        LiveResource before = read(policy);
        assertEquals(2, trips);
        assertTrue(before.exists());
        assertFalse(before.attributes().path("enabled").asBoolean());
        apply(ApplyRequest.Operation.UPDATE, policy);
        trips = 0;
        LiveResource after = read(new ResourceInstance(policy.address(), policy.type(), before.identity(), policy.attributes(), policy.related()));
        assertEquals(1, trips, "converged: the policy's GUID still holds");
        assertEquals(before.identity(), after.identity());
        assertEquals("{\"enabled\":true,\"allowCloudCommunication\":true,\"preferCem\":true,\"gateways\":[{\"gateway\":\"(gw.example.com)\",\"port\":443}],"
                + "\"gatewaysOnline\":[],\"targets\":[\"laptops\"],\"nsVersion\":\"8.8.1\"}", after.attributes().toString());
    }

    private JsonNode call(String service, String method, String... fields) {
        ObjectNode args = WindowsProvider.object().put("baseUrl", "https://smp.example.net/Altiris/ASDK.NS/").put("service", service).put("method", method);
        var list = args.putArray("fields");
        for (int i = 0; i < fields.length; i += 2) {
            list.addObject().put("name", fields[i]).put("value", fields[i + 1]);
        }
        Agent agent = new Agent();
        agent.add("asdk.call", args);
        return run(agent).path(0).path("data");
    }

    @Test
    void theLabRefusesWhatAspNetRefuses() {
        JsonNode unknown = call("ItemManagementService", "ImportItemXml", "xml", "<item/>");
        assertEquals(500, unknown.path("status").asInt());
        assertTrue(unknown.path("body").asText().startsWith("System.InvalidOperationException: ImportItemXml Web Service method name is not valid."), unknown.toString());
        JsonNode misnamed = call("ItemManagementService", "GetItemsByNameAndType", "name", "x", "typeName", "ResourceTarget");
        assertEquals(500, misnamed.path("status").asInt());
        assertTrue(misnamed.path("body").asText().startsWith("System.InvalidOperationException: Missing parameter: type."), misnamed.toString());
        JsonNode byType = call("ItemManagementService", "GetItemsByNameAndType", "name", "All%", "type", "%ResourceCollection");
        assertEquals(200, byType.path("status").asInt());
        assertEquals(3, Asdk.guids(byType.path("body").asText()).size(), byType.toString());
        assertEquals(404, call("NoSuchService", "GetItemsByName", "itemName", "x").path("status").asInt());
        JsonNode badGuid = call("ItemManagementService", "GetItemByGuid", "itemGuid", "not-a-guid");
        assertEquals(500, badGuid.path("status").asInt());
    }
}

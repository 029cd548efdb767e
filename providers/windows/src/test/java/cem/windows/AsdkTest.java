package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ASDK requests cem builds and its reading of answers in their documented shapes (see {@link AsdkShapes}). */
class AsdkTest {

    private static final String BASE = "https://smp.example.net/Altiris/ASDK.NS/";

    /** The published parameters of each method cem calls (S21 SMPWebServiceDiff data/8.5.5713.json). */
    private static final Map<String, List<String>> PUBLISHED = Map.ofEntries(
            Map.entry("ItemManagementService.GetItemsByName", List.of("itemName")),
            Map.entry("ItemManagementService.GetItemByGuid", List.of("itemGuid")),
            Map.entry("ItemManagementService.ExportItemXmlString", List.of("itemGuid")),
            Map.entry("ItemManagementService.ImportItemXmlString", List.of("xml")),
            Map.entry("ItemManagementService.EnablePolicyItem", List.of("policyItemGuid")),
            Map.entry("ItemManagementService.DisablePolicyItem", List.of("policyItemGuid")),
            Map.entry("ItemManagementService.DeleteItem", List.of("itemGuid")),
            Map.entry("ScopingManagementService.CreateResourceTarget", List.of("configXml")),
            Map.entry("ScopingManagementService.GetResourceTargetMembership", List.of("resourceTargetGuid")),
            Map.entry("ScopingManagementService.AssignResourceTargetsToPolicy", List.of("policyItemGuid", "resourceTargetsGuids")));

    @Test
    void everyCallSendsExactlyThePublishedFields() {
        String g = AsdkShapes.POLICY_GUID;
        List<Asdk.Call> calls = List.of(Asdk.getItemsByName(BASE, "x"), Asdk.getItemByGuid(BASE, g), Asdk.exportItemXmlString(BASE, g),
                Asdk.importItemXmlString(BASE, "<item/>"), Asdk.enablePolicyItem(BASE, g, true), Asdk.enablePolicyItem(BASE, g, false),
                Asdk.deleteItem(BASE, g), Asdk.createResourceTarget(BASE, "<resourceTarget/>"), Asdk.getResourceTargetMembership(BASE, g),
                Asdk.assignResourceTargetsToPolicy(BASE, g, List.of(g, g)));
        for (Asdk.Call c : calls) {
            String method = c.service() + "." + c.method();
            assertEquals(PUBLISHED.get(method), List.copyOf(c.fields().keySet()), method);
            assertEquals(List.of(), OpContracts.violations("asdk.call", "args", c.args()), method);
        }
        assertEquals(g + "," + g, Asdk.assignResourceTargetsToPolicy(BASE, g, List.of(g, g)).fields().get("resourceTargetsGuids"));
        assertEquals("", Asdk.assignResourceTargetsToPolicy(BASE, g, List.of()).fields().get("resourceTargetsGuids"), "the empty string removes all");
    }

    @Test
    void anItemIsPickedByItsTypeNameNeverTheFirstHit() {
        List<Asdk.Item> items = Asdk.items(AsdkShapes.itemArray(
                AsdkShapes.details(AsdkShapes.FOLDER_GUID, "Cloud-enabled Management Settings", "Folder", false, ""),
                AsdkShapes.details("{" + AsdkShapes.POLICY_GUID.toUpperCase() + "}", "Cloud-enabled Management Settings", Asdk.POLICY_TYPE, true,
                        "{" + AsdkShapes.TARGET_GUID + "}, " + AsdkShapes.GROUP_GUID)));
        assertEquals(2, items.size());
        Asdk.Item policy = Asdk.ofType(items, Asdk.POLICY_TYPE).orElseThrow();
        assertEquals(AsdkShapes.POLICY_GUID, policy.guid());
        assertTrue(policy.enabled());
        assertEquals(List.of(AsdkShapes.TARGET_GUID, AsdkShapes.GROUP_GUID), policy.appliedToResourceTargets());
        assertEquals(List.of(), Asdk.items(AsdkShapes.head() + "<ItemDetails xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:nil=\"true\" xmlns=\""
                + AsdkShapes.NS + "\" />"), "a null ItemDetails is no item");
    }

    @Test
    void valuesAndListsAreReadByLocalNameInTheDefaultNamespace() {
        assertEquals(AsdkShapes.TARGET_GUID, Asdk.value(AsdkShapes.head() + "<guid xmlns=\"" + AsdkShapes.NS + "\">" + AsdkShapes.TARGET_GUID + "</guid>"));
        assertEquals(List.of(AsdkShapes.TARGET_GUID, AsdkShapes.GROUP_GUID), Asdk.guids(AsdkShapes.guidArray(AsdkShapes.TARGET_GUID, AsdkShapes.GROUP_GUID)));
        assertEquals(List.of(), Asdk.guids(AsdkShapes.guidArray()));
        // XML reads CR LF as LF (XML 1.0 §2.11).
        assertEquals(AsdkShapes.policyXml().replace("\r\n", "\n"), Asdk.value(AsdkShapes.string(AsdkShapes.policyXml())));
    }

    @Test
    void aRefusalIsAFailureWithAspNetsFirstLine() {
        Asdk.Call c = Asdk.getItemsByName(BASE, "x");
        com.fasterxml.jackson.databind.node.ObjectNode r = WindowsProvider.object().put("ok", true);
        r.putObject("data").put("status", 500).put("body", "System.InvalidOperationException: Missing parameter: itemName.\r\n   at System.Web...");
        Asdk.Failure f = assertThrows(Asdk.Failure.class, () -> Asdk.body(c, r));
        assertEquals("ItemManagementService.GetItemsByName answered HTTP 500: System.InvalidOperationException: Missing parameter: itemName.", f.getMessage());
        assertThrows(Asdk.Failure.class, () -> Asdk.value("not xml"));
        assertThrows(Asdk.Failure.class, () -> Asdk.value("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"), "no DTDs");
    }

    @Test
    void createResourceTargetTakesTheDocumentedConfigXml() throws Exception {
        String xml = ItemXml.configXml("cem <laptops>", "computers", null, List.of(
                new ItemXml.Filter("organizationalGroup", "intersect", List.of(AsdkShapes.GROUP_GUID)),
                new ItemXml.Filter("resourceCollection", "union", List.of(AsdkShapes.COLLECTION_GUID)),
                new ItemXml.Filter("individualResources", "except", List.of(AsdkShapes.TARGET_GUID, AsdkShapes.POLICY_GUID))));
        assertEquals("<resourceTarget><name>cem &lt;laptops&gt;</name><mode>Computers</mode><targetFilters>"
                + "<targetFilter><type>Organizational Group</type><operation>Intersect</operation><organizationalGroupGuid>" + AsdkShapes.GROUP_GUID
                + "</organizationalGroupGuid></targetFilter>"
                + "<targetFilter><type>Resource Collection</type><operation>Union</operation><resourceCollectionGuid>" + AsdkShapes.COLLECTION_GUID
                + "</resourceCollectionGuid></targetFilter>"
                + "<targetFilter><type>Individual Resources</type><operation>Except</operation><resourceGuids><resourceGuid>" + AsdkShapes.TARGET_GUID
                + "</resourceGuid><resourceGuid>" + AsdkShapes.POLICY_GUID + "</resourceGuid></resourceGuids></targetFilter></targetFilters></resourceTarget>", xml);
        assertTrue(ItemXml.configXml("t", "users", AsdkShapes.GROUP_GUID, List.of())
                .contains("<mode>Users</mode><baseOrganizationalGroupGuid>" + AsdkShapes.GROUP_GUID + "</baseOrganizationalGroupGuid>"));
    }

    @Test
    void anExportedTargetsFiltersAreReadBack() {
        List<ItemXml.Filter> filters = ItemXml.filters(Asdk.value(AsdkShapes.string(AsdkShapes.targetXml())));
        assertEquals(List.of(new ItemXml.Filter("resourceCollection", "union", List.of(AsdkShapes.COLLECTION_GUID)),
                new ItemXml.Filter("resourceCollection", "intersect", List.of("eb3a1a12-e1c7-4431-b060-f0333e4e488c"))), filters);
    }

    @Test
    void thePolicySettingsAreChangedInTheExportedXmlAndNothingElse() {
        com.fasterxml.jackson.databind.node.ArrayNode gateways = WindowsProvider.array();
        gateways.addObject().put("fqdn", "gw2.example.com").put("port", 8443);
        String changed = ItemXml.withSettings(AsdkShapes.policyXml(), true, true, false, gateways);
        assertTrue(changed.contains("guid=\"{" + AsdkShapes.POLICY_GUID + "}\""), "the item keeps its guid: " + changed);
        assertTrue(changed.contains("<!-- Type: Altiris.X.Policy -->"), changed);
        assertEquals("{\"allowCloudCommunication\":true,\"preferCem\":true,\"preferCemOnVpn\":false,\"gateways\":[{\"fqdn\":\"gw2.example.com\",\"port\":8443}]}",
                ItemXml.settings(changed).toString());
    }

    @Test
    void hostileXmlIsAFailureNeverAStackOverflowAnEntityOrAFile() {
        // 20,000 levels overflowed DOM's recursive getTextContent; the parse now stops at Asdk.MAX_DEPTH
        String deep = "<string>" + "<a>".repeat(20_000) + "x" + "</a>".repeat(20_000) + "</string>";
        assertTrue(assertThrows(Asdk.Failure.class, () -> Asdk.value(deep)).getMessage().contains("not XML"));
        assertEquals("x", Asdk.value("<string>" + "<a>".repeat(90) + "x" + "</a>".repeat(90) + "</string>"));
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                + "<string>&b;&b;&b;</string>";
        assertThrows(Asdk.Failure.class, () -> Asdk.value(laughs));
        String external = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><string>&e;</string>";
        assertThrows(Asdk.Failure.class, () -> Asdk.value(external));
    }
}

package cem.windows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ASDK answers in their documented shapes, for tests: XmlSerializer's form of each return value
 * (S20 return types; PoshAltiris reads {@code ArrayOfItemDetails.ItemDetails} and
 * {@code .guid.'#text'}), in the services' default namespace (S22). The item XML of a target follows
 * S22's exported target; the policy's settings are cem's [?] assumption.
 */
final class AsdkShapes {

    static final String NS = "http://Altiris.ASDK.NS.com";
    static final String POLICY_GUID = "5b402270-3757-4852-9ad4-9c5b67db1060";
    static final String FOLDER_GUID = "7070fb1c-cf5c-49f9-8764-593124e78c1d";
    static final String TARGET_GUID = "e506ee1a-fa1b-4c86-a885-99e16636381f";
    static final String GROUP_GUID = "95102da7-5f13-4016-893d-eea162250146";
    static final String COLLECTION_GUID = "e3a71b08-1612-44a6-9f71-7d359d5475b4";

    private AsdkShapes() {}

    static String head() {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n";
    }

    static String details(String guid, String name, String typeName, boolean enabled, String applied) {
        return "<ItemDetails><AppliedToResourceTargets>" + applied + "</AppliedToResourceTargets><Attributes>Normal</Attributes><Enabled>" + enabled
                + "</Enabled><Guid>" + guid + "</Guid><IsSchedulableItem>false</IsSchedulableItem><LongTypeName>Altiris.X." + typeName
                + "</LongTypeName><Name>" + name + "</Name><TypeName>" + typeName + "</TypeName></ItemDetails>";
    }

    static String itemArray(String... details) {
        return head() + "<ArrayOfItemDetails xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns=\""
                + NS + "\">" + String.join("", details) + "</ArrayOfItemDetails>";
    }

    static String guidArray(String... guids) {
        StringBuilder x = new StringBuilder(head()).append("<ArrayOfGuid xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns=\"").append(NS).append("\">");
        for (String g : guids) {
            x.append("<guid>").append(g).append("</guid>");
        }
        return x.append("</ArrayOfGuid>").toString();
    }

    static String string(String text) {
        return head() + "<string xmlns=\"" + NS + "\">" + ItemXml.escape(text) + "</string>";
    }

    /** S22 "SMP - Resource Target - Operations.md": an exported target's filters (one kept, and the mode's own filter). */
    static String targetXml() {
        return "<item classGuid=\"{00000000-0000-0000-0000-000000000001}\" guid=\"{" + TARGET_GUID + "}\">\r\n<targetFilters>\r\n"
                + " <targetFilter guid=\"{657df9f3-f6a5-4d1f-afd4-27e845c96d24}\" type=\"Altiris.NS.StandardItems.Targeting.ResourceCollectionTargetFilter\" "
                + "assembly=\"Altiris.NS.StandardItems\" offset=\"0\">\r\n  <operation>Union</operation>\r\n  <resourceCollectionGuid>{" + COLLECTION_GUID
                + "}</resourceCollectionGuid>\r\n </targetFilter>\r\n"
                + " <targetFilter guid=\"{947f3bc8-c74b-4ded-b041-444137a5875e}\" type=\"Altiris.NS.StandardItems.Targeting.ResourceCollectionTargetFilter\" "
                + "assembly=\"Altiris.NS.StandardItems\" offset=\"1\">\r\n  <operation>Intersect</operation>\r\n  <resourceCollectionGuid>{eb3a1a12-e1c7-4431-b060-f0333e4e488c}"
                + "</resourceCollectionGuid>\r\n </targetFilter>\r\n</targetFilters>\r\n</item>";
    }

    /** [?] cem's assumed CEM settings policy XML, inside the item element of S22's exported policy. */
    static String policyXml() {
        return "<item classGuid=\"{00000000-0000-0000-0000-000000000002}\" guid=\"{" + POLICY_GUID + "}\">\r\n<!-- Type: Altiris.X.Policy -->\r\n"
                + "<cloudEnabledManagementSettings><allowCloudCommunication>true</allowCloudCommunication><preferCem>false</preferCem>"
                + "<preferCemOnVpn>false</preferCemOnVpn><gateways><gateway fqdn=\"gw.example.com\" port=\"443\" /></gateways></cloudEnabledManagementSettings>\r\n</item>";
    }

    static JsonNode ok(String body) {
        com.fasterxml.jackson.databind.node.ObjectNode r = WindowsProvider.object().put("ok", true);
        r.putObject("data").put("status", 200).put("body", body);
        return r;
    }

    /** What a read of an NS left known: the policy (behind a folder of its name), its XML, a target "laptops", a group. */
    static Map<String, JsonNode> knownNs(String base) {
        Map<String, JsonNode> m = new HashMap<>();
        m.put(Asdk.getItemsByName(base, WindowsSchemas.DEFAULT_POLICY).key(), ok(itemArray(
                details(FOLDER_GUID, WindowsSchemas.DEFAULT_POLICY, "Folder", false, ""),
                details(POLICY_GUID, WindowsSchemas.DEFAULT_POLICY, Asdk.POLICY_TYPE, true, "{" + TARGET_GUID + "}"))));
        m.put(Asdk.exportItemXmlString(base, POLICY_GUID).key(), ok(string(policyXml())));
        m.put(Asdk.getItemsByName(base, "laptops").key(), ok(itemArray(details(TARGET_GUID, "laptops", Asdk.TARGET_TYPE, false, ""))));
        m.put(Asdk.getItemsByName(base, "All Discovered Resources").key(), ok(itemArray(
                details(GROUP_GUID, "All Discovered Resources", Asdk.GROUP_TYPE, false, ""))));
        return m;
    }

    static List<String> none() {
        return List.of();
    }
}

package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The lab NS's ASDK web services, as the agent's asdk.call reaches them: a form POST to
 * {@code <base>/<Service>.asmx/<Method>}, answered with an HTTP status and a body.
 *
 * <p>Services, methods and form fields: exactly those of SMPWebServiceDiff {@code data/8.5.5713.json}
 * (S21) that cem needs. Return types: the ASDK 8.0 help (S20, {@code M_Altiris_ASDK_NS_*.htm}).
 * Answers are XmlSerializer's form of the return value in the namespace
 * {@code http://Altiris.ASDK.NS.com} (S22 shows it for ReportManagementService; [I] for these two
 * services): {@code <guid>}, {@code <string>}, {@code ArrayOfGuid/guid},
 * {@code ArrayOfItemDetails/ItemDetails}. Refusals are ASP.NET's for the HTTP POST protocol
 * (.NET Framework System.Web.Services: HttpServerProtocol throws "X Web Service method name is not
 * valid.", ValueCollectionParameterReader "Missing parameter: x."; seen by clients as HTTP 500 with
 * that text, e.g. "System.InvalidOperationException: Missing parameter: UnsubscribePage."). A form
 * field the method does not take is ignored, as that reader only reads the method's parameters.
 */
final class AsdkEndpoint {

    static final String NS = "http://Altiris.ASDK.NS.com";

    /** Each service's methods and their form fields, in order (S21 data/8.5.5713.json). */
    static final Map<String, Map<String, List<String>>> METHODS = Map.of(
            "ItemManagementService", Map.of(
                    "GetItemsByName", List.of("itemName"),
                    "GetItemsByNameAndType", List.of("name", "type"),
                    "GetItemByGuid", List.of("itemGuid"),
                    "ExportItemXmlString", List.of("itemGuid"),
                    "ImportItemXmlString", List.of("xml"),
                    "EnablePolicyItem", List.of("policyItemGuid"),
                    "DisablePolicyItem", List.of("policyItemGuid"),
                    "DeleteItem", List.of("itemGuid")),
            "ScopingManagementService", Map.of(
                    "CreateResourceTarget", List.of("configXml"),
                    "GetResourceTargetMembership", List.of("resourceTargetGuid"),
                    "AssignResourceTargetsToPolicy", List.of("policyItemGuid", "resourceTargetsGuids"),
                    "GetResourceTargets", List.of("policyItemGuid")));

    /**
     * [?] The lab's item types: TypeName (short) and the fully-qualified name GetItemsByNameAndType
     * matches. Undocumented, except the filter class Altiris.NS.StandardItems.Targeting.* (S22);
     * the folder sharing the policy's name is there so that the first hit of GetItemsByName is wrong.
     */
    static final String TARGET = "ResourceTarget";
    static final String COLLECTION = "ResourceCollection";
    static final String GROUP = "OrganizationalGroup";
    static final String POLICY = "CloudEnabledManagementSettingsPolicy";
    static final String FOLDER = "Folder";

    /**
     * The lab NS's collections and groups, each holding the twelve computers it knows: a fixture
     * (built-in names, and the collections the examples' sites name), not a documented list.
     */
    static final List<String> COLLECTIONS = List.of("All Computers", "All Windows Computers", "Windows Computers", "All Resources",
            "Remote Laptops", "Remote Workers");
    static final List<String> GROUPS = List.of("All Discovered Resources", "All Computers");
    static final int COMPUTERS = 12;

    private AsdkEndpoint() {}

    /** One call. */
    static JsonNode call(ObjectNode ns, JsonNode args) {
        String base = args.path("baseUrl").asText();
        String service = args.path("service").asText();
        String method = args.path("method").asText();
        Map<String, String> form = new LinkedHashMap<>();
        for (JsonNode f : args.path("fields")) {
            form.putIfAbsent(f.path("name").asText(), f.path("value").asText());
        }
        if (!base.matches("(?i)https?://[^/]+/Altiris/ASDK\\.NS/") || !METHODS.containsKey(service)) {
            // Base URL: domain §8.1/§12 (S20, S21). [?] The 404 body is ASP.NET's usual text from memory, no document; cem only relays the status.
            return answer(404, "The resource cannot be found.");
        }
        List<String> parameters = METHODS.get(service).get(method);
        if (parameters == null) {
            return answer(500, "System.InvalidOperationException: " + method + " Web Service method name is not valid.\r\n"
                    + "   at System.Web.Services.Protocols.HttpServerProtocol.Initialize()");
        }
        for (String p : parameters) {
            if (!form.containsKey(p)) {
                return answer(500, "System.InvalidOperationException: Missing parameter: " + p + ".\r\n"
                        + "   at System.Web.Services.Protocols.ValueCollectionParameterReader.Read(NameValueCollection collection)");
            }
        }
        try {
            return answer(200, run(ns, method, form));
        } catch (IllegalArgumentException e) {
            return answer(500, e.getMessage());
        }
    }

    private static ObjectNode answer(int status, String body) {
        return WindowsState.object().put("status", status).put("body", body);
    }

    private static String run(ObjectNode ns, String method, Map<String, String> f) {
        return switch (method) {
            case "GetItemsByName" -> itemArray(items(ns).stream().filter(i -> i.path("Name").asText().equalsIgnoreCase(f.get("itemName"))).toList());
            case "GetItemsByNameAndType" -> guidArray(items(ns).stream().filter(i -> like(i.path("Name").asText(), f.get("name"))
                    && like(i.path("LongTypeName").asText(), f.get("type"))).map(i -> i.path("Guid").asText()).toList());
            case "GetItemByGuid" -> item(ns, guid(f.get("itemGuid"))).map(AsdkEndpoint::itemXml).map(x -> declaration() + x)
                    .orElse(declaration() + "<ItemDetails xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:nil=\"true\" xmlns=\"" + NS + "\" />");
            case "ExportItemXmlString" -> declaration() + "<string xmlns=\"" + NS + "\">" + escape(export(ns, guid(f.get("itemGuid")))) + "</string>";
            case "ImportItemXmlString" -> NsItems.importXml(ns, f.get("xml"));
            case "EnablePolicyItem", "DisablePolicyItem" -> {
                // [?] An empty 200 body for these methods (and for AssignResourceTargetsToPolicy, ImportItemXmlString, DeleteItem):
                // the lab's reading of a void ASMX method; S20 gives the methods, not the wire answer. Mirrors what cem's Asdk expects.
                NsItems.policyByGuid(ns, guid(f.get("policyItemGuid"))).put("enabled", method.equals("EnablePolicyItem"));
                yield "";
            }
            case "DeleteItem" -> NsItems.delete(ns, guid(f.get("itemGuid")));
            case "CreateResourceTarget" -> declaration() + "<guid xmlns=\"" + NS + "\">" + NsItems.createTarget(ns, f.get("configXml")) + "</guid>";
            case "GetResourceTargetMembership" -> guidArray(NsItems.members(ns, guid(f.get("resourceTargetGuid"))));
            case "AssignResourceTargetsToPolicy" -> {
                ArrayNode guids = WindowsState.array();
                for (String g : f.get("resourceTargetsGuids").split(",")) {
                    if (!g.isBlank()) {
                        guids.add(guid(g));
                    }
                }
                NsItems.policyByGuid(ns, guid(f.get("policyItemGuid"))).set("targets", guids);
                yield "";
            }
            case "GetResourceTargets" -> {
                List<String> out = new ArrayList<>();
                NsItems.policyByGuid(ns, guid(f.get("policyItemGuid"))).path("targets").forEach(g -> out.add(g.asText()));
                yield guidArray(out);
            }
            default -> throw new IllegalStateException(method);
        };
    }

    /**
     * A GUID as .NET's Guid parses it (braces allowed), in its lower-case form; else the FormatException ASP.NET reports.
     * [?] The FormatException's wording is .NET Framework's from memory, not in the documentation we have.
     */
    static String guid(String text) {
        String t = text.trim().replace("{", "").replace("}", "");
        if (!t.matches("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")) {
            throw new IllegalArgumentException("System.FormatException: Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
        }
        return t.toLowerCase(Locale.ROOT);
    }

    static String fixedGuid(String kind, String name) {
        return UUID.nameUUIDFromBytes((kind + "/" + name).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Every item of the lab NS as ItemDetails fields. */
    static List<ObjectNode> items(ObjectNode ns) {
        List<ObjectNode> out = new ArrayList<>();
        // First: a folder that shares the policy's name (any "first hit" reader picks it).
        ns.path("policies").fieldNames().forEachRemaining(n -> out.add(details(fixedGuid(FOLDER, n), n, FOLDER, "Altiris.NS.ItemManagement.Folder", false, "")));
        COLLECTIONS.forEach(n -> out.add(details(fixedGuid(COLLECTION, n), n, COLLECTION, "Altiris.NS.ItemManagement.ResourceCollection", false, "")));
        GROUPS.forEach(n -> out.add(details(fixedGuid(GROUP, n), n, GROUP, "Altiris.NS.ItemManagement.OrganizationalGroup", false, "")));
        ns.path("policies").fields().forEachRemaining(e -> {
            List<String> targets = new ArrayList<>();
            e.getValue().path("targets").forEach(t -> targets.add(t.asText()));
            out.add(details(e.getValue().path("guid").asText(), e.getKey(), POLICY, "Altiris.NS.CloudEnabledManagement." + POLICY,
                    e.getValue().path("enabled").asBoolean(), String.join(",", targets)));
        });
        ns.path("targets").fields().forEachRemaining(e -> out.add(details(e.getValue().path("guid").asText(), e.getKey(), TARGET,
                "Altiris.NS.StandardItems.Targeting." + TARGET, false, "")));
        return out;
    }

    static java.util.Optional<ObjectNode> item(ObjectNode ns, String guid) {
        return items(ns).stream().filter(i -> i.path("Guid").asText().equals(guid)).findFirst();
    }

    private static ObjectNode details(String guid, String name, String type, String longType, boolean enabled, String applied) {
        return WindowsState.object().put("Guid", guid).put("Name", name).put("TypeName", type).put("LongTypeName", longType)
                .put("TypeGuid", fixedGuid("type", longType)).put("Enabled", enabled).put("AppliedToResourceTargets", applied)
                .put("IsSchedulableItem", false);
    }

    /** SQL LIKE with % (S20 GetItemsByNameAndType: "Wildcards (%) are permitted"), case-insensitive as SQL Server's default collation [I]. */
    private static boolean like(String value, String pattern) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toLowerCase(Locale.ROOT).toCharArray()) {
            re.append(c == '%' ? ".*" : c == '_' ? "." : java.util.regex.Pattern.quote(String.valueOf(c)));
        }
        return value.toLowerCase(Locale.ROOT).matches(re.toString());
    }

    private static String export(ObjectNode ns, String guid) {
        ObjectNode item = item(ns, guid).orElseThrow(() -> new IllegalArgumentException(
                "System.Exception: Item " + guid + " does not exist. [?] the NS's text for an unknown GUID"));
        return NsItems.exportXml(ns, item);
    }

    static String declaration() {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n";
    }

    private static String itemXml(ObjectNode d) {
        StringBuilder x = new StringBuilder("<ItemDetails xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns=\"" + NS + "\">");
        itemFields(x, d);
        return x.append("</ItemDetails>").toString();
    }

    private static void itemFields(StringBuilder x, ObjectNode d) {
        d.fields().forEachRemaining(e -> x.append('<').append(e.getKey()).append('>').append(escape(e.getValue().asText()))
                .append("</").append(e.getKey()).append('>'));
    }

    private static String itemArray(List<ObjectNode> items) {
        StringBuilder x = new StringBuilder(declaration()).append("<ArrayOfItemDetails xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns=\"" + NS + "\">");
        for (ObjectNode d : items) {
            x.append("<ItemDetails>");
            itemFields(x, d);
            x.append("</ItemDetails>");
        }
        return x.append("</ArrayOfItemDetails>").toString();
    }

    /** Guid[]: ArrayOfGuid/guid; a null array (GetItemsByNameAndType with no match, S20) is xsi:nil [I]. */
    private static String guidArray(List<String> guids) {
        StringBuilder x = new StringBuilder(declaration()).append("<ArrayOfGuid xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"").append(guids.isEmpty() ? " xsi:nil=\"true\"" : "").append(" xmlns=\"").append(NS).append("\">");
        guids.forEach(g -> x.append("<guid>").append(g).append("</guid>"));
        return x.append("</ArrayOfGuid>").toString();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static int computers() {
        return COMPUTERS;
    }
}

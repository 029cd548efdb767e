package cem.windows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * The ASDK web services cem calls, as form POSTs to {@code <base>/<Service>.asmx/<Method>} (the
 * call style of PoshAltiris' generated cmdlets, S19), and the reading of their XML answers. The
 * agent only passes a call through ({@code asdk.call}: service, method, fields in; HTTP status and
 * raw body out), so every request and every parse is here, where tests run.
 *
 * <p>Methods and parameter names: SMPWebServiceDiff {@code data/8.5.5713.json} (S21), the published
 * WSDL method lists. Return types: the ASDK 8.0 help decompiled in PoshAltiris (S20,
 * {@code DecompiledASDKChm/html/M_Altiris_ASDK_NS_*.htm}). An ASMX answer to a form POST is the
 * return value serialized by XmlSerializer under the service's namespace: a {@code Guid} is
 * {@code <guid xmlns="…">…</guid>}, which PoshAltiris reads as {@code .guid.'#text'}; an
 * {@code ItemDetails[]} is {@code ArrayOfItemDetails/ItemDetails} (PoshAltiris
 * {@code ConvertTo-Function.ps1}). Every parse here goes by local name, so the namespace never matters.
 */
final class Asdk {

    /**
     * The ASDK.NS services' XML namespace: {@code http://Altiris.ASDK.NS.com}, shown for
     * ReportManagementService's SOAP messages in S22 ("SMP - ASDK - Web Service - Report With
     * Parameter.md"). [I] that ItemManagementService and ScopingManagementService, same component
     * and folder, use it too. Only the lab writes it: cem reads by local name.
     */
    static final String NAMESPACE = "http://Altiris.ASDK.NS.com";

    static final String ITEMS = "ItemManagementService";
    static final String SCOPING = "ScopingManagementService";

    /**
     * [?] The ItemDetails.TypeName of a resource target, a resource collection ("filter" in the
     * console), an organizational group and the CEM settings policy. The help documents the field
     * ("The Resource type classification of the item") and shows one value, "Report" (S20,
     * GetItemsByName); the values below are not documented. Probe on a real NS:
     * {@code Get-ItemsByName -itemName 'Cloud-enabled Management Settings'} (PoshAltiris) lists each
     * item's TypeName. A wrong value makes cem report what it found, never pick another item.
     */
    static final String TARGET_TYPE = "ResourceTarget";
    static final String COLLECTION_TYPE = "ResourceCollection";
    static final String GROUP_TYPE = "OrganizationalGroup";
    static final String POLICY_TYPE = "CloudEnabledManagementSettingsPolicy";

    /**
     * The base URL of an NS's ASDK: {@code https://<NS FQDN>/Altiris/ASDK.NS/} (the path: S21's
     * service URLs; HTTPS: SSL is a CEM prerequisite, KB 217904, and SIM can require it, KB 204413).
     */
    static String defaultBaseUrl(String nsFqdn) {
        return "https://" + nsFqdn + "/Altiris/ASDK.NS/";
    }

    /** One ASDK call: service, method and its form fields in the documented order. */
    record Call(String baseUrl, String service, String method, Map<String, String> fields) {

        Call {
            fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }

        /** What identifies the call's answer within a run. */
        String key() {
            return baseUrl + " " + service + "." + method + " " + fields;
        }

        /** The args of the agent's {@code asdk.call} op. */
        ObjectNode args() {
            ObjectNode args = WindowsProvider.object().put("baseUrl", baseUrl).put("service", service).put("method", method);
            ArrayNode list = args.putArray("fields");
            fields.forEach((k, v) -> list.addObject().put("name", k).put("value", v));
            return args;
        }
    }

    private static Call call(String base, String service, String method, String... pairs) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put(pairs[i], pairs[i + 1]);
        }
        return new Call(base, service, method, fields);
    }

    /** ItemManagementService.GetItemsByName(itemName) → ItemDetails[]; exact name, no wildcards (S20, S21). */
    static Call getItemsByName(String base, String itemName) {
        return call(base, ITEMS, "GetItemsByName", "itemName", itemName);
    }

    /** ItemManagementService.GetItemByGuid(itemGuid) → ItemDetails (S20, S21). */
    static Call getItemByGuid(String base, String guid) {
        return call(base, ITEMS, "GetItemByGuid", "itemGuid", guid);
    }

    /** ItemManagementService.ExportItemXmlString(itemGuid) → string, the item's XML (S20, S21). */
    static Call exportItemXmlString(String base, String guid) {
        return call(base, ITEMS, "ExportItemXmlString", "itemGuid", guid);
    }

    /** ItemManagementService.ImportItemXmlString(xml) → void (S20, S21). [?] whether it updates the item in place. */
    static Call importItemXmlString(String base, String xml) {
        return call(base, ITEMS, "ImportItemXmlString", "xml", xml);
    }

    /** ItemManagementService.EnablePolicyItem / DisablePolicyItem(policyItemGuid) → void (S20, S21). */
    static Call enablePolicyItem(String base, String guid, boolean enable) {
        return call(base, ITEMS, enable ? "EnablePolicyItem" : "DisablePolicyItem", "policyItemGuid", guid);
    }

    /** ItemManagementService.DeleteItem(itemGuid) → void (S20, S21). */
    static Call deleteItem(String base, String guid) {
        return call(base, ITEMS, "DeleteItem", "itemGuid", guid);
    }

    /** ScopingManagementService.CreateResourceTarget(configXml) → Guid (S20, S21). */
    static Call createResourceTarget(String base, String configXml) {
        return call(base, SCOPING, "CreateResourceTarget", "configXml", configXml);
    }

    /** ScopingManagementService.GetResourceTargetMembership(resourceTargetGuid) → Guid[] (S20, S21). */
    static Call getResourceTargetMembership(String base, String guid) {
        return call(base, SCOPING, "GetResourceTargetMembership", "resourceTargetGuid", guid);
    }

    /**
     * ScopingManagementService.AssignResourceTargetsToPolicy(policyItemGuid, resourceTargetsGuids) →
     * void: the comma-separated list replaces the policy's targets; the empty string removes them all (S20, S21).
     */
    static Call assignResourceTargetsToPolicy(String base, String policyGuid, List<String> targetGuids) {
        return call(base, SCOPING, "AssignResourceTargetsToPolicy", "policyItemGuid", policyGuid, "resourceTargetsGuids",
                String.join(",", targetGuids));
    }

    /** A failed call: the ASP.NET error's first line (e.g. "System.InvalidOperationException: Missing parameter: itemName."). */
    static final class Failure extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    /**
     * The body of a successful answer of the agent's {@code asdk.call} (a result {ok, data: {status, body}}).
     *
     * @throws Failure when the agent could not call or the service refused (any status but 200)
     */
    static String body(Call call, JsonNode result) {
        if (result == null || !result.path("ok").asBoolean(false)) {
            String why = result == null ? "no answer" : result.path("error").path("message").asText("the call failed");
            throw new Failure(call.service() + "." + call.method() + ": " + why);
        }
        int status = result.path("data").path("status").asInt();
        String body = result.path("data").path("body").asText("");
        if (status != 200) {
            String first = body.strip().lines().findFirst().orElse("(no message)");
            throw new Failure(call.service() + "." + call.method() + " answered HTTP " + status + ": " + first);
        }
        return body;
    }

    /** An ItemDetails (S20 Fields_T_Altiris_ASDK_NS_ItemDetails.htm), the fields cem reads. */
    record Item(String guid, String name, String typeName, boolean enabled, List<String> appliedToResourceTargets) {}

    /** The items of an {@code ArrayOfItemDetails} (or of one {@code ItemDetails}); none for an empty or nil answer. */
    static List<Item> items(String body) {
        List<Item> out = new ArrayList<>();
        if (body.isBlank()) {
            return out;
        }
        Document doc = parse(body);
        for (Element e : byLocalName(doc.getDocumentElement(), "ItemDetails", true)) {
            if (e.getAttributeNS("http://www.w3.org/2001/XMLSchema-instance", "nil").equals("true") || text(e, "Guid").isBlank()) {
                continue; // a null ItemDetails (an unknown GUID) [I]
            }
            List<String> targets = new ArrayList<>();
            for (String g : text(e, "AppliedToResourceTargets").split(",")) {
                if (!g.isBlank()) {
                    targets.add(normalGuid(g));
                }
            }
            out.add(new Item(normalGuid(text(e, "Guid")), text(e, "Name"), text(e, "TypeName"),
                    text(e, "Enabled").trim().equalsIgnoreCase("true"), List.copyOf(targets)));
        }
        return out;
    }

    /** The GUIDs of an {@code ArrayOfGuid} answer (Guid[]); none for an empty or nil answer. */
    static List<String> guids(String body) {
        List<String> out = new ArrayList<>();
        if (body.isBlank()) {
            return out;
        }
        for (Element e : byLocalName(parse(body).getDocumentElement(), "guid", false)) {
            out.add(normalGuid(e.getTextContent()));
        }
        return out;
    }

    /** The text of a one-value answer: {@code <guid xmlns="…">…</guid>}, {@code <string xmlns="…">…</string>}. */
    static String value(String body) {
        return parse(body).getDocumentElement().getTextContent();
    }

    /** The item of the type cem looks for among items of one name (never the first hit: a folder can share the name). */
    static java.util.Optional<Item> ofType(List<Item> items, String typeName) {
        return items.stream().filter(i -> i.typeName().equalsIgnoreCase(typeName)).findFirst();
    }

    /** Lower case, without braces: how cem compares and stores GUIDs. */
    static String normalGuid(String guid) {
        return guid.trim().replace("{", "").replace("}", "").toLowerCase(Locale.ROOT);
    }

    static boolean isGuid(String text) {
        return normalGuid(text).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }

    /**
     * Elements nested deeper than this end the parse: the ASDK's answers and item XML go a dozen deep,
     * and DOM's getTextContent recurses once per level (20,000 levels overflowed the stack).
     */
    static final int MAX_DEPTH = 100;

    /** Errors end the parse with their exception (the Failure says what); nothing is printed. */
    private static final org.xml.sax.ErrorHandler SILENT = new org.xml.sax.ErrorHandler() {
        @Override
        public void warning(org.xml.sax.SAXParseException e) {}

        @Override
        public void error(org.xml.sax.SAXParseException e) throws SAXException {
            throw e;
        }

        @Override
        public void fatalError(org.xml.sax.SAXParseException e) throws SAXException {
            throw e;
        }
    };

    /** Parses XML with no DTDs (so no entities to expand, no external ones to fetch) and no deeper than {@link #MAX_DEPTH}. */
    static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setAttribute("http://www.oracle.com/xml/jaxp/properties/maxElementDepth", MAX_DEPTH); // the JDK's jdk.xml.maxElementDepth
            f.setExpandEntityReferences(false);
            javax.xml.parsers.DocumentBuilder builder = f.newDocumentBuilder();
            builder.setErrorHandler(SILENT); // the default handler prints "[Fatal Error] …" with the host's text on stderr
            return builder.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException | SAXException | java.io.IOException e) {
            throw new Failure("the answer is not XML: " + e.getMessage());
        }
    }

    /** Elements of a local name under (and including, when {@code self}) an element, in document order. */
    static List<Element> byLocalName(Element root, String localName, boolean self) {
        List<Element> out = new ArrayList<>();
        if (self && localName.equals(root.getLocalName())) {
            out.add(root);
        }
        NodeList all = root.getElementsByTagNameNS("*", localName);
        for (int i = 0; i < all.getLength(); i++) {
            out.add((Element) all.item(i));
        }
        return out;
    }

    /** The text of the first child element of that local name, or "". */
    static String text(Element parent, String localName) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName.equals(e.getLocalName())) {
                return e.getTextContent();
            }
        }
        return "";
    }
}

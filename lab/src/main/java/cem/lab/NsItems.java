package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The lab NS's items behind its ASDK: resource targets made by CreateResourceTarget, the CEM
 * settings policy, and their item XML. State: {@code ns.targets.<name>} and {@code ns.policies.<name>}.
 */
final class NsItems {

    private NsItems() {}

    static ObjectNode policyByGuid(ObjectNode ns, String guid) {
        for (JsonNode p : ns.path("policies")) {
            if (p.path("guid").asText().equals(guid)) {
                return (ObjectNode) p;
            }
        }
        throw new IllegalArgumentException("System.Exception: " + guid + " is not a policy item. [?] the NS's text");
    }

    /** DeleteItem: the lab deletes targets only ([?] what the NS says for an item it will not delete). */
    static String delete(ObjectNode ns, String guid) {
        var it = ns.with("targets").fields();
        while (it.hasNext()) {
            if (it.next().getValue().path("guid").asText().equals(guid)) {
                it.remove();
                for (JsonNode p : ns.path("policies")) {
                    ArrayNode kept = WindowsState.array();
                    p.path("targets").forEach(t -> {
                        if (!t.asText().equals(guid)) {
                            kept.add(t);
                        }
                    });
                    ((ObjectNode) p).set("targets", kept);
                }
                return "";
            }
        }
        throw new IllegalArgumentException("System.Exception: Item " + guid + " cannot be deleted. [?] the NS's text");
    }

    static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new IllegalArgumentException("System.Xml.XmlException: " + e.getMessage());
        }
    }

    private static String text(Element parent, String name) {
        NodeList l = parent.getElementsByTagNameNS("*", name);
        return l.getLength() == 0 ? "" : l.item(0).getTextContent().trim();
    }

    /**
     * CreateResourceTarget's configXml (S20): name, description, mode, baseOrganizationalGroupGuid
     * (none: "All Discovered Resources"), targetFilters/targetFilter (type, operation, and the GUID
     * element the type needs). Mode "Computers"/"Users" adds a filter of all computers/users (S20);
     * [I] after the others, as an Intersect (S22's exported target ends with such a filter).
     */
    static String createTarget(ObjectNode ns, String configXml) {
        Element root = parse(configXml).getDocumentElement();
        String name = text(root, "name");
        if (!"resourceTarget".equals(root.getLocalName()) || name.isEmpty()) {
            throw new IllegalArgumentException("System.ArgumentException: configXml has no resourceTarget/name. [?] the NS's text");
        }
        if (ns.path("targets").has(name)) {
            throw new IllegalArgumentException("System.ArgumentException: a resource target named " + name + " exists. [?] whether the NS allows two");
        }
        String group = text(root, "baseOrganizationalGroupGuid");
        ArrayNode filters = WindowsState.array();
        NodeList list = root.getElementsByTagNameNS("*", "targetFilter");
        for (int i = 0; i < list.getLength(); i++) {
            Element f = (Element) list.item(i);
            String type = text(f, "type");
            String element = switch (type) {
                case "Organizational Group" -> "organizationalGroupGuid";
                case "Resource Collection" -> "resourceCollectionGuid";
                case "Individual Resources" -> "resourceGuid";
                default -> throw new IllegalArgumentException("System.ArgumentException: unknown filter type " + type + ". [?] the NS's text");
            };
            String op = text(f, "operation");
            if (!List.of("Union", "Intersect", "Except").contains(op)) {
                throw new IllegalArgumentException("System.ArgumentException: unknown operation " + op + ". [?] the NS's text");
            }
            ObjectNode filter = filters.addObject().put("type", type).put("operation", op);
            ArrayNode guids = filter.putArray("guids");
            NodeList refs = f.getElementsByTagNameNS("*", element);
            if (refs.getLength() == 0) {
                throw new IllegalArgumentException("System.ArgumentException: a " + type + " filter needs " + element + ". [?] the NS's text");
            }
            for (int j = 0; j < refs.getLength(); j++) {
                guids.add(AsdkEndpoint.guid(refs.item(j).getTextContent()));
            }
        }
        String mode = text(root, "mode");
        if (!mode.isEmpty()) {
            String all = mode.equalsIgnoreCase("Users") ? "All Resources" : "All Computers";
            filters.addObject().put("type", "Resource Collection").put("operation", "Intersect").putArray("guids")
                    .add(AsdkEndpoint.fixedGuid(AsdkEndpoint.COLLECTION, all));
        }
        String guid = UUID.randomUUID().toString();
        ObjectNode t = ns.with("targets").putObject(name);
        t.put("name", name).put("guid", guid).put("mode", mode.isEmpty() ? "computers" : mode.toLowerCase(Locale.ROOT))
                .put("baseGroup", group.isEmpty() ? AsdkEndpoint.fixedGuid(AsdkEndpoint.GROUP, "All Discovered Resources") : AsdkEndpoint.guid(group));
        t.set("filters", filters);
        return guid;
    }

    /**
     * The lab NS's twelve computers, when a target's filters let them through (a Union of a collection or group).
     * [?] A simplification of the lab, not documented membership evaluation (S22 gives the operations, not their arithmetic).
     */
    static List<String> members(ObjectNode ns, String guid) {
        for (JsonNode t : ns.path("targets")) {
            if (t.path("guid").asText().equals(guid)) {
                boolean any = false;
                for (JsonNode f : t.path("filters")) {
                    any |= f.path("operation").asText().equals("Union");
                }
                List<String> out = new ArrayList<>();
                for (int i = 0; any && i < AsdkEndpoint.computers(); i++) {
                    out.add(AsdkEndpoint.fixedGuid("computer", "LAB-PC" + i));
                }
                return out;
            }
        }
        throw new IllegalArgumentException("System.Exception: " + guid + " is not a resource target. [?] the NS's text");
    }

    /**
     * An item's XML as ExportItemXmlString returns it: {@code <item classGuid guid>} and a Type
     * comment (S22, an exported policy); a target's {@code targetFilters/targetFilter} with its
     * filter class, operation and GUID element (S22, an exported target); [?] the rest of a target,
     * and all of the CEM settings policy, whose shape the lab assumes as cem does (domain §8.3).
     */
    static String exportXml(ObjectNode ns, ObjectNode item) {
        String guid = item.path("Guid").asText();
        StringBuilder x = new StringBuilder("<item classGuid=\"{").append(item.path("TypeGuid").asText()).append("}\" guid=\"{").append(guid)
                .append("}\">\r\n<!-- Type: ").append(item.path("LongTypeName").asText()).append(" -->\r\n");
        String name = item.path("Name").asText();
        switch (item.path("TypeName").asText()) {
            case AsdkEndpoint.TARGET -> {
                JsonNode t = ns.path("targets").path(name);
                x.append("<targetFilters>");
                int offset = 0;
                for (JsonNode f : t.path("filters")) {
                    String kind = switch (f.path("type").asText()) {
                        case "Organizational Group" -> "OrganizationalGroup";
                        case "Individual Resources" -> "Resource";
                        default -> "ResourceCollection";
                    };
                    x.append("<targetFilter guid=\"{").append(AsdkEndpoint.fixedGuid("filter", guid + offset)).append("}\" type=\"Altiris.NS.StandardItems.Targeting.")
                            .append(kind).append("TargetFilter\" assembly=\"Altiris.NS.StandardItems\" offset=\"").append(offset++).append("\">");
                    x.append("<operation>").append(f.path("operation").asText()).append("</operation>");
                    switch (kind) {
                        case "OrganizationalGroup" -> x.append("<organizationalGroupGuid>{").append(f.path("guids").path(0).asText()).append("}</organizationalGroupGuid>");
                        case "Resource" -> {
                            x.append("<resourceGuids>");
                            f.path("guids").forEach(g -> x.append("<resourceGuid>{").append(g.asText()).append("}</resourceGuid>"));
                            x.append("</resourceGuids>");
                        }
                        default -> x.append("<resourceCollectionGuid>{").append(f.path("guids").path(0).asText()).append("}</resourceCollectionGuid>");
                    }
                    x.append("</targetFilter>");
                }
                x.append("</targetFilters>");
            }
            case AsdkEndpoint.POLICY -> {
                JsonNode p = ns.path("policies").path(name);
                x.append("<cloudEnabledManagementSettings>");
                for (String flag : new String[] {"allowCloudCommunication", "preferCem", "preferCemOnVpn"}) {
                    x.append('<').append(flag).append('>').append(p.path(flag).asBoolean()).append("</").append(flag).append('>');
                }
                x.append("<gateways>");
                p.path("gateways").forEach(g -> x.append("<gateway fqdn=\"").append(AsdkEndpoint.escape(g.path("fqdn").asText()))
                        .append("\" port=\"").append(g.path("port").asInt()).append("\" />"));
                x.append("</gateways></cloudEnabledManagementSettings>");
            }
            default -> {
            }
        }
        return x.append("\r\n</item>").toString();
    }

    /**
     * ImportItemXmlString: [?] whether an import updates the item of the XML's guid in place is not
     * documented (domain §12); the lab assumes it does, for the policy, from the settings shape cem assumes.
     */
    static String importXml(ObjectNode ns, String xml) {
        Element root = parse(xml).getDocumentElement();
        String guid = AsdkEndpoint.guid(root.getAttribute("guid"));
        ObjectNode p = policyByGuid(ns, guid);
        NodeList settings = root.getElementsByTagNameNS("*", "cloudEnabledManagementSettings");
        if (settings.getLength() == 0) {
            throw new IllegalArgumentException("System.Exception: the item XML has no settings. [?] the NS's text");
        }
        Element s = (Element) settings.item(0);
        for (String flag : new String[] {"allowCloudCommunication", "preferCem", "preferCemOnVpn"}) {
            p.put(flag, text(s, flag).equalsIgnoreCase("true"));
        }
        ArrayNode gateways = p.putArray("gateways");
        NodeList list = s.getElementsByTagNameNS("*", "gateway");
        for (int i = 0; i < list.getLength(); i++) {
            Element g = (Element) list.item(i);
            gateways.addObject().put("fqdn", g.getAttribute("fqdn")).put("port", Integer.parseInt(g.getAttribute("port").trim()));
        }
        return "";
    }

    /** The names of the gateways the NS lists in a policy, for ns.facts. */
    static Map<String, JsonNode> policies(ObjectNode ns) {
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        ns.path("policies").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}

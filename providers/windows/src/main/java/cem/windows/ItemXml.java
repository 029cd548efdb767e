package cem.windows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The XML cem writes into and reads out of ASDK calls: CreateResourceTarget's configXml, a
 * target's filters in its exported item XML, and the CEM settings policy's settings.
 */
final class ItemXml {

    private ItemXml() {}

    /** A filter as the configuration writes it, its reference resolved to GUID(s). */
    record Filter(String type, String operation, List<String> guids) {}

    /**
     * CreateResourceTarget's configXml (S20 {@code M_…ScopingManagementLib_CreateResourceTarget.htm}):
     * {@code resourceTarget/name, mode (Computers|Users), baseOrganizationalGroupGuid (omitted: "All
     * Discovered Resources"), targetFilters/targetFilter/type ("Organizational Group", "Resource
     * Collection", "Individual Resources"), operation (Union|Intersect|Except)} and
     * {@code organizationalGroupGuid}, {@code resourceCollectionGuid} or {@code resourceGuids/resourceGuid}.
     */
    static String configXml(String name, String mode, String baseGroupGuid, List<Filter> filters) {
        StringBuilder x = new StringBuilder("<resourceTarget><name>").append(escape(name)).append("</name>");
        x.append("<mode>").append(mode.equalsIgnoreCase("users") ? "Users" : "Computers").append("</mode>");
        if (baseGroupGuid != null) {
            x.append("<baseOrganizationalGroupGuid>").append(baseGroupGuid).append("</baseOrganizationalGroupGuid>");
        }
        x.append("<targetFilters>");
        for (Filter f : filters) {
            x.append("<targetFilter><type>").append(switch (f.type()) {
                case "organizationalGroup" -> "Organizational Group";
                case "individualResources" -> "Individual Resources";
                default -> "Resource Collection";
            }).append("</type><operation>").append(capitalized(f.operation())).append("</operation>");
            switch (f.type()) {
                case "organizationalGroup" -> x.append("<organizationalGroupGuid>").append(f.guids().get(0)).append("</organizationalGroupGuid>");
                case "individualResources" -> {
                    x.append("<resourceGuids>");
                    f.guids().forEach(g -> x.append("<resourceGuid>").append(g).append("</resourceGuid>"));
                    x.append("</resourceGuids>");
                }
                default -> x.append("<resourceCollectionGuid>").append(f.guids().get(0)).append("</resourceCollectionGuid>");
            }
            x.append("</targetFilter>");
        }
        return x.append("</targetFilters></resourceTarget>").toString();
    }

    private static String capitalized(String op) {
        String lower = op.toLowerCase(Locale.ROOT);
        return lower.isEmpty() ? lower : Character.toUpperCase(lower.charAt(0)) + lower.substring(1);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&apos;");
    }

    /**
     * A target's filters from its exported item XML: {@code targetFilters/targetFilter} with
     * {@code operation} and {@code resourceCollectionGuid} (S22 "SMP - Resource Target -
     * Operations.md", an exported target). [I] organizational-group and individual-resource filters
     * carry the child elements CreateResourceTarget names (organizationalGroupGuid, resourceGuids).
     */
    static List<Filter> filters(String itemXml) {
        List<Filter> out = new java.util.ArrayList<>();
        Document doc = Asdk.parse(itemXml);
        for (Element f : Asdk.byLocalName(doc.getDocumentElement(), "targetFilter", true)) {
            String op = Asdk.text(f, "operation").trim().toLowerCase(Locale.ROOT);
            List<String> guids = new java.util.ArrayList<>();
            String type;
            if (!Asdk.text(f, "organizationalGroupGuid").isBlank()) {
                type = "organizationalGroup";
                guids.add(Asdk.normalGuid(Asdk.text(f, "organizationalGroupGuid")));
            } else if (!Asdk.byLocalName(f, "resourceGuid", false).isEmpty()) {
                type = "individualResources";
                Asdk.byLocalName(f, "resourceGuid", false).forEach(e -> guids.add(Asdk.normalGuid(e.getTextContent())));
            } else {
                type = "resourceCollection";
                guids.add(Asdk.normalGuid(Asdk.text(f, "resourceCollectionGuid")));
            }
            out.add(new Filter(type, op, List.copyOf(guids)));
        }
        return out;
    }

    /**
     * [?] The CEM settings policy's item XML is not documented (domain reference §8.3, §11). cem
     * assumes an element {@code cloudEnabledManagementSettings} with {@code allowCloudCommunication},
     * {@code preferCem}, {@code preferCemOnVpn} (text true/false) and {@code gateways/gateway[@fqdn,@port]},
     * inside the {@code item} element every export has (S22, an exported policy). This method and
     * {@link #withSettings} are the only places that hold the assumption; capture a real export
     * ({@code Export-ItemXmlString}) to correct them.
     */
    static ObjectNode settings(String itemXml) {
        Element s = settingsElement(Asdk.parse(itemXml));
        ObjectNode out = WindowsProvider.object();
        for (String flag : new String[] {"allowCloudCommunication", "preferCem", "preferCemOnVpn"}) {
            out.put(flag, Asdk.text(s, flag).trim().equalsIgnoreCase("true"));
        }
        ArrayNode gateways = out.putArray("gateways");
        for (Element g : Asdk.byLocalName(s, "gateway", false)) {
            int port;
            try {
                port = Integer.parseInt(g.getAttribute("port").trim());
            } catch (NumberFormatException e) {
                port = -1;
            }
            gateways.addObject().put("fqdn", g.getAttribute("fqdn")).put("port", port);
        }
        return out;
    }

    /** The exported item XML with the settings cem manages replaced, everything else kept as exported. */
    static String withSettings(String itemXml, boolean allow, boolean preferCem, boolean preferCemOnVpn, JsonNode gateways) {
        Document doc = Asdk.parse(itemXml);
        Element s = settingsElement(doc);
        set(doc, s, "allowCloudCommunication", allow);
        set(doc, s, "preferCem", preferCem);
        set(doc, s, "preferCemOnVpn", preferCemOnVpn);
        Element list = Asdk.byLocalName(s, "gateways", false).stream().findFirst().orElseGet(() -> (Element) s.appendChild(
                doc.createElementNS(s.getNamespaceURI(), "gateways")));
        while (list.getFirstChild() != null) {
            list.removeChild(list.getFirstChild());
        }
        for (JsonNode g : gateways) {
            Element e = doc.createElementNS(s.getNamespaceURI(), "gateway");
            e.setAttribute("fqdn", g.path("fqdn").asText());
            e.setAttribute("port", String.valueOf(g.path("port").asInt()));
            list.appendChild(e);
        }
        try {
            StringWriter out = new StringWriter();
            var t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.transform(new DOMSource(doc), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Element settingsElement(Document doc) {
        return Asdk.byLocalName(doc.getDocumentElement(), "cloudEnabledManagementSettings", true).stream().findFirst()
                .orElseThrow(() -> new Asdk.Failure("the exported policy has no cloudEnabledManagementSettings element: its XML is not the "
                        + "shape cem assumes [?]; export it with ExportItemXmlString and report the shape"));
    }

    private static void set(Document doc, Element parent, String name, boolean value) {
        Element e = Asdk.byLocalName(parent, name, false).stream().findFirst()
                .orElseGet(() -> (Element) parent.appendChild(doc.createElementNS(parent.getNamespaceURI(), name)));
        e.setTextContent(String.valueOf(value));
    }
}

package cem.windows;

import cem.spi.Transport;
import cem.spi.TransportException;
import cem.windows.Assumptions.Check;
import cem.windows.Assumptions.Status;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The probe's read-only ASDK checks on a Notification Server: the CEM settings policy's TypeName
 * (GetItemsByName, whose ItemDetails carry it: S20) and the element names of its exported XML
 * (ExportItemXmlString: S20, S21) — the two **[?]** the policy's reads and writes rest on. Two
 * round trips: the export needs the GUID the name lookup answers. Nothing is imported.
 */
public final class PolicyProbe {

    private PolicyProbe() {}

    /** The CEM settings policy's name when a configuration names none. */
    public static String defaultPolicy() {
        return WindowsSchemas.DEFAULT_POLICY;
    }

    /** @param asdkUrl the NS's ASDK base URL, or null for https://&lt;address&gt;/Altiris/ASDK.NS/ */
    public static List<Check> run(Transport transport, String host, String address, String asdkUrl, String policyName)
            throws TransportException {
        String base = asdkUrl == null || asdkUrl.isBlank() ? Asdk.defaultBaseUrl(address) : asdkUrl;
        String typeAssumption = "the CEM settings policy \"" + policyName + "\" is an item of TypeName " + Asdk.POLICY_TYPE;
        String xmlAssumption = "its exported XML holds cloudEnabledManagementSettings with allowCloudCommunication, preferCem, "
                + "preferCemOnVpn and gateways/gateway[@fqdn,@port]";
        String settle = "Export the policy read-only: GetItemsByName(\"" + policyName + "\"), then ExportItemXmlString(itemGuid); attach the "
                + "TypeNames and the XML to the bug report.";
        List<Check> out = new ArrayList<>();
        Asdk.Call byName = Asdk.getItemsByName(base, policyName);
        List<Asdk.Item> items;
        try {
            items = Asdk.items(Asdk.body(byName, call(transport, byName)));
        } catch (Asdk.Failure e) {
            out.add(new Check("ns.policy.type", host, typeAssumption, Status.UNKNOWN, "the ASDK call failed: " + e.getMessage(),
                    "Check the ASDK's URL (asdkUrl) and that the account may call it; " + settle));
            out.add(new Check("ns.policy.xml", host, xmlAssumption, Status.UNKNOWN, "not read: the policy was not found", settle));
            return out;
        }
        List<String> seen = items.stream().map(i -> i.typeName() + " " + i.guid()).toList();
        var policy = Asdk.ofType(items, Asdk.POLICY_TYPE);
        if (policy.isEmpty()) {
            out.add(new Check("ns.policy.type", host, typeAssumption, items.isEmpty() ? Status.UNKNOWN : Status.CONTRADICTED,
                    items.isEmpty() ? "no item of that name" : "items of that name have the TypeNames " + seen, settle));
            out.add(new Check("ns.policy.xml", host, xmlAssumption, Status.UNKNOWN, "not read: no item of the assumed type", settle));
            return out;
        }
        out.add(new Check("ns.policy.type", host, typeAssumption, Status.CONFIRMED, "GetItemsByName lists " + seen, ""));
        Asdk.Call export = Asdk.exportItemXmlString(base, policy.get().guid());
        try {
            String xml = Asdk.value(Asdk.body(export, call(transport, export)));
            JsonNode settings = ItemXml.settings(xml);
            out.add(new Check("ns.policy.xml", host, xmlAssumption, Status.CONFIRMED, "ExportItemXmlString holds them: " + settings, ""));
        } catch (IllegalStateException e) { // Asdk.Failure, or XML that does not parse
            out.add(new Check("ns.policy.xml", host, xmlAssumption, Status.CONTRADICTED, e.getMessage(), settle));
        }
        return out;
    }

    private static JsonNode call(Transport transport, Asdk.Call call) throws TransportException {
        return WindowsProvider.runOps(transport, List.of(Map.entry("asdk.call", (JsonNode) call.args()))).path(0);
    }
}

package cem.windows;

import cem.spi.ApplyRequest;
import cem.spi.HostTarget;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The ASDK calls of a change to a resource target or the CEM policy, built from what this run
 * read of the NS (the GUIDs behind names, the policy's exported XML). Each call is one
 * {@code asdk.call} op of the apply's batch; returns the index of the last, whose failure fails the change.
 */
final class AsdkOps {

    private AsdkOps() {}

    /**
     * @param known the ASDK answers this run read from the NS
     * @return the index of the change's last op, or null when it needs none
     * @throws IllegalArgumentException when a name cannot be turned into a GUID from what was read
     */
    static Integer add(Agent agent, ApplyRequest.Change change, HostTarget host, AsdkReads known) {
        ResourceInstance r = change.resource();
        boolean delete = change.operation() == ApplyRequest.Operation.DELETE;
        String base = AsdkReads.baseUrl(r, host);
        List<Asdk.Call> calls = new ArrayList<>();
        if (r.type().equals("resource_target")) {
            if (r.attributes().hasNonNull("guid")) {
                return null; // a target named by its GUID is someone else's: cem adopts it as it is, and never deletes it
            }
            if (delete) {
                String guid = r.identity() != null && Asdk.isGuid(r.identity()) ? Asdk.normalGuid(r.identity())
                        : known.targetItem(r, host).map(Asdk.Item::guid).orElse(null);
                if (guid == null) {
                    return null; // already gone
                }
                calls.add(Asdk.deleteItem(base, guid));
            } else if (change.operation() == ApplyRequest.Operation.UPDATE && known.targetItem(r, host).isPresent()) {
                // Every attribute of a target forces a replacement, so an update is an adoption: the target exists on the
                // NS (one cem created but did not record before a failure, or one it adopts), and nothing is created.
                return null;
            } else {
                calls.add(Asdk.createResourceTarget(base, configXml(r, base, known)));
            }
        } else {
            calls.addAll(policy(r, host, base, known, delete));
        }
        Integer last = null;
        for (Asdk.Call c : calls) {
            last = agent.add("asdk.call", c.args());
        }
        return last;
    }

    private static String configXml(ResourceInstance r, String base, AsdkReads known) {
        JsonNode a = r.attributes();
        List<ItemXml.Filter> filters = new ArrayList<>();
        for (JsonNode f : a.path("filters")) {
            String type = f.path("type").asText();
            String ref = f.path("ref").asText();
            List<String> guids = new ArrayList<>();
            if (type.equals("individualResources")) {
                for (String g : ref.split(",")) {
                    guids.add(guid(g.trim(), "resource"));
                }
            } else {
                guids.add(known.resolve(base, type, ref).orElseThrow(() -> new IllegalArgumentException("no " + (type.equals("organizationalGroup")
                        ? "organizational group (TypeName " + Asdk.GROUP_TYPE : "resource collection (TypeName " + Asdk.COLLECTION_TYPE)
                        + ") is named \"" + ref + "\" on the NS; name an existing one or give its GUID")));
            }
            filters.add(new ItemXml.Filter(type, f.path("operation").asText("union"), guids));
        }
        String group = a.path("baseGroup").asText(AsdkReads.DEFAULT_BASE_GROUP);
        // No baseOrganizationalGroupGuid means "All Discovered Resources" (S20 CreateResourceTarget).
        String groupGuid = group.equals(AsdkReads.DEFAULT_BASE_GROUP) ? null : Asdk.isGuid(group) ? Asdk.normalGuid(group)
                : known.named(base, group, Asdk.GROUP_TYPE).map(Asdk.Item::guid).orElseThrow(() -> new IllegalArgumentException(
                        "no organizational group is named \"" + group + "\" on the NS; name an existing one or give its GUID"));
        return ItemXml.configXml(Itms.targetName(r), a.path("mode").asText("computers"), groupGuid, filters);
    }

    private static String guid(String text, String what) {
        if (!Asdk.isGuid(text)) {
            throw new IllegalArgumentException("an individual " + what + " is named by its GUID; \"" + text + "\" is not one");
        }
        return Asdk.normalGuid(text);
    }

    /** Import of the changed settings (only when they differ), the target list, then enable or disable. */
    private static List<Asdk.Call> policy(ResourceInstance r, HostTarget host, String base, AsdkReads known, boolean delete) {
        JsonNode a = r.attributes();
        Asdk.Item item = known.policyItem(r, host).orElseThrow(() -> new IllegalArgumentException("the policy \"" + Itms.policyName(r)
                + "\" was not found on this Notification Server (ITMS creates the CEM settings policy; cem edits it)"));
        String exported = known.body(Asdk.exportItemXmlString(base, item.guid())).map(Asdk::value)
                .orElseThrow(() -> new IllegalArgumentException("the policy's XML was not read in this run; run cem plan again"));
        boolean allow = !delete && a.path("allowCloudCommunication").asBoolean(true);
        boolean preferCem = a.path("preferCem").asBoolean(false);
        boolean preferCemOnVpn = a.path("preferCemOnVpn").asBoolean(false);
        ArrayNode gateways = WindowsProvider.array();
        List<String> targets = new ArrayList<>();
        if (!delete) {
            for (JsonNode g : a.path("gateways")) {
                JsonNode gw = r.related().get("internet_gateway." + g.path("gateway").asText());
                gateways.addObject().put("fqdn", gw == null ? g.path("gateway").asText() : gw.path("externalFqdn").asText()).put("port", g.path("port").asInt());
            }
            for (JsonNode t : a.path("targets")) {
                JsonNode target = r.related().get("resource_target." + t.asText());
                String name = target == null ? t.asText() : target.path("targetName").asText(t.asText());
                targets.add(known.named(base, name, Asdk.TARGET_TYPE).map(Asdk.Item::guid)
                        .orElseThrow(() -> new IllegalArgumentException("resource target \"" + name + "\" not found on the NS")));
            }
            a.path("targetGuids").forEach(g -> targets.add(guid(g.asText(), "target")));
        }
        List<Asdk.Call> calls = new ArrayList<>();
        ObjectNode now = ItemXml.settings(exported);
        boolean same = now.path("allowCloudCommunication").asBoolean() == allow && now.path("preferCem").asBoolean() == preferCem
                && now.path("preferCemOnVpn").asBoolean() == preferCemOnVpn && sameGateways(now.path("gateways"), gateways);
        if (!same) {
            // [?] Whether ImportItemXmlString updates the item in place is not documented: the export keeps the item's guid.
            calls.add(Asdk.importItemXmlString(base, ItemXml.withSettings(exported, allow, preferCem, preferCemOnVpn, gateways)));
        }
        calls.add(Asdk.assignResourceTargetsToPolicy(base, item.guid(), targets));
        calls.add(Asdk.enablePolicyItem(base, item.guid(), !delete && a.path("enabled").asBoolean(true)));
        return calls;
    }

    private static boolean sameGateways(JsonNode live, JsonNode wanted) {
        if (live.size() != wanted.size()) {
            return false;
        }
        for (int i = 0; i < live.size(); i++) {
            if (!live.get(i).path("fqdn").asText().equalsIgnoreCase(wanted.get(i).path("fqdn").asText())
                    || live.get(i).path("port").asInt() != wanted.get(i).path("port").asInt()) {
                return false;
            }
        }
        return true;
    }
}

package cem.windows;

import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ASDK calls that read resource targets and the CEM policy on an NS, and their answers.
 *
 * <p>Round trips: the first batch holds every call whose inputs cem knows — GetItemsByName of the
 * policy, of each target, of each filter reference; ExportItemXmlString and
 * GetResourceTargetMembership of the GUIDs the state recorded. On a converged NS the names still
 * lead to the recorded GUIDs and nothing is left to ask: one round trip. A follow-up batch holds
 * the calls whose inputs only an answer gives (a target or policy cem has no GUID for yet, or
 * whose GUID changed): at most one more round trip, on a first read or after a change on the NS.
 */
final class AsdkReads {

    static final String DEFAULT_BASE_GROUP = "All Discovered Resources";

    private final Map<String, JsonNode> answers;
    private final Map<String, Asdk.Call> pending = new LinkedHashMap<>();
    private final Map<Integer, String> sent = new HashMap<>();

    /** @param known answers this run already has (read before an apply), by {@link Asdk.Call#key()} */
    AsdkReads(Map<String, JsonNode> known) {
        this.answers = new HashMap<>(known);
    }

    /** The ASDK base URL of a resource's NS: its asdkUrl, else https://&lt;host address&gt;/Altiris/ASDK.NS/. */
    static String baseUrl(ResourceInstance r, HostTarget host) {
        String url = r.attributes().path("asdkUrl").asText("");
        if (url.isEmpty()) {
            url = Asdk.defaultBaseUrl(host.settings().path("address").asText(host.name()));
        }
        return url.endsWith("/") ? url : url + "/";
    }

    Map<String, JsonNode> answers() {
        return Map.copyOf(answers);
    }

    private void need(Asdk.Call c) {
        if (!answers.containsKey(c.key())) {
            pending.putIfAbsent(c.key(), c);
        }
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Adds the pending calls to a batch. */
    void send(Agent agent) {
        pending.forEach((key, c) -> sent.put(agent.add("asdk.call", c.args()), key));
        pending.clear();
    }

    /** Takes the answers of the batch the pending calls went in. */
    void take(JsonNode results) {
        sent.forEach((index, key) -> answers.put(key, results.path(index)));
        sent.clear();
    }

    /** The calls of the first batch for one resource: all whose inputs are known. */
    void first(ResourceInstance r, HostTarget host) {
        String base = baseUrl(r, host);
        JsonNode a = r.attributes();
        if (r.type().equals("resource_target")) {
            String recorded = a.hasNonNull("guid") ? Asdk.normalGuid(a.get("guid").asText())
                    : r.identity() != null && Asdk.isGuid(r.identity()) ? Asdk.normalGuid(r.identity()) : null;
            if (a.hasNonNull("guid")) {
                need(Asdk.getItemByGuid(base, recorded));
            } else {
                need(Asdk.getItemsByName(base, Itms.targetName(r)));
            }
            if (recorded != null) {
                need(Asdk.exportItemXmlString(base, recorded));
                need(Asdk.getResourceTargetMembership(base, recorded));
            }
            for (JsonNode f : a.path("filters")) {
                if (!Asdk.isGuid(f.path("ref").asText())) {
                    need(Asdk.getItemsByName(base, f.path("ref").asText()));
                }
            }
            String group = a.path("baseGroup").asText(DEFAULT_BASE_GROUP);
            if (!group.equals(DEFAULT_BASE_GROUP) && !Asdk.isGuid(group)) {
                need(Asdk.getItemsByName(base, group));
            }
        } else {
            need(Asdk.getItemsByName(base, Itms.policyName(r)));
            if (r.identity() != null && Asdk.isGuid(r.identity())) {
                need(Asdk.exportItemXmlString(base, Asdk.normalGuid(r.identity())));
            }
            // The names of the targets the policy may list: its answers map the policy's target GUIDs back to resources.
            r.related().forEach((address, attrs) -> {
                if (address.startsWith("resource_target.")) {
                    need(Asdk.getItemsByName(base, attrs.path("targetName").asText(address.substring("resource_target.".length()))));
                }
            });
        }
    }

    /**
     * The calls only answers make possible (a GUID cem had not recorded); true when there are any. A
     * call that failed, or an answer that cannot be read, leads to no follow-up: reading the resource
     * then says what went wrong.
     */
    boolean followUp(Collection<ResourceInstance> resources, HostTarget host) {
        for (ResourceInstance r : resources) {
            String base = baseUrl(r, host);
            try {
                if (r.type().equals("resource_target") && !r.attributes().hasNonNull("guid")) {
                    targetItem(r, host).ifPresent(t -> {
                        need(Asdk.exportItemXmlString(base, t.guid()));
                        need(Asdk.getResourceTargetMembership(base, t.guid()));
                    });
                } else if (r.type().equals("cem_policy")) {
                    policyItem(r, host).ifPresent(p -> need(Asdk.exportItemXmlString(base, p.guid())));
                }
            } catch (IllegalStateException e) {
                // said by live() for this resource
            }
        }
        return hasPending();
    }

    /** The body of an answered call; empty when the call was not part of this run. */
    Optional<String> body(Asdk.Call c) {
        JsonNode result = answers.get(c.key());
        return result == null ? Optional.empty() : Optional.of(Asdk.body(c, result));
    }

    /** Of the items named so, the one of that TypeName; empty when none is (or the name was not asked). */
    Optional<Asdk.Item> named(String base, String name, String typeName) {
        return body(Asdk.getItemsByName(base, name)).flatMap(b -> Asdk.ofType(Asdk.items(b), typeName));
    }

    Optional<Asdk.Item> targetItem(ResourceInstance r, HostTarget host) {
        String base = baseUrl(r, host);
        if (r.attributes().hasNonNull("guid")) {
            String guid = Asdk.normalGuid(r.attributes().get("guid").asText());
            return body(Asdk.getItemByGuid(base, guid)).flatMap(b -> Asdk.items(b).stream().filter(i -> i.guid().equals(guid)).findFirst());
        }
        return named(base, Itms.targetName(r), Asdk.TARGET_TYPE);
    }

    Optional<Asdk.Item> policyItem(ResourceInstance r, HostTarget host) {
        String base = baseUrl(r, host);
        Optional<String> body = body(Asdk.getItemsByName(base, Itms.policyName(r)));
        Optional<Asdk.Item> found = body.flatMap(b -> Asdk.ofType(Asdk.items(b), Asdk.POLICY_TYPE));
        if (body.isPresent() && found.isEmpty() && !Asdk.items(body.get()).isEmpty()) {
            throw new IllegalStateException("items named \"" + Itms.policyName(r) + "\" exist, of types " + Asdk.items(body.get()).stream()
                    .map(Asdk.Item::typeName).toList() + ", none of type " + Asdk.POLICY_TYPE + " [?]: check the TypeName on the NS");
        }
        return found;
    }

    /** A filter's reference as GUIDs: a GUID as written, a name through its GetItemsByName answer and TypeName; empty when unknown. */
    Optional<String> resolve(String base, String type, String ref) {
        if (Asdk.isGuid(ref)) {
            return Optional.of(Asdk.normalGuid(ref));
        }
        String typeName = type.equals("organizationalGroup") ? Asdk.GROUP_TYPE : Asdk.COLLECTION_TYPE;
        return named(base, ref, typeName).map(Asdk.Item::guid);
    }

    /** The target as the NS has it: its item, its exported filters, its members. */
    LiveResource target(ResourceInstance r, HostTarget host) {
        Optional<Asdk.Item> item = targetItem(r, host);
        if (item.isEmpty()) {
            return LiveResource.absent(r.address());
        }
        String base = baseUrl(r, host);
        String guid = item.get().guid();
        JsonNode desired = r.attributes();
        ObjectNode attrs = WindowsProvider.object();
        if (desired.has("targetName")) {
            attrs.put("targetName", desired.hasNonNull("guid") ? item.get().name() : Itms.targetName(r));
        }
        for (String echoed : new String[] {"guid", "asdkUrl"}) {
            if (desired.has(echoed)) {
                attrs.set(echoed, desired.get(echoed));
            }
        }
        // [?] Where an exported target keeps its mode and base group is not documented: what cem set stands.
        attrs.put("mode", desired.path("mode").asText("computers"));
        attrs.put("baseGroup", desired.path("baseGroup").asText(DEFAULT_BASE_GROUP));
        Optional<String> exported = body(Asdk.exportItemXmlString(base, guid));
        attrs.set("filters", exported.map(x -> filters(r, base, ItemXml.filters(Asdk.value(x)))).orElse(desired.path("filters").deepCopy()));
        attrs.put("memberCount", body(Asdk.getResourceTargetMembership(base, guid)).map(b -> Asdk.guids(b).size()).orElse(0));
        return new LiveResource(r.address(), true, guid, attrs);
    }

    /**
     * The filters to report: the configured ones when the export holds them in order (refs resolved
     * to the exported GUIDs), else the exported ones with GUIDs as refs. A "Computers"/"Users" mode
     * adds a filter of its own (S20 CreateResourceTarget: "Automatically added filter 'All
     * Computers'"); [I] from S22's export, where it is the last, an Intersect: one trailing extra is
     * accepted as it.
     */
    private JsonNode filters(ResourceInstance r, String base, List<ItemXml.Filter> live) {
        JsonNode desired = r.attributes().path("filters");
        boolean same = live.size() == desired.size() || live.size() == desired.size() + 1 && live.get(live.size() - 1).operation().equals("intersect");
        for (int i = 0; same && i < desired.size(); i++) {
            JsonNode d = desired.get(i);
            ItemXml.Filter l = live.get(i);
            Optional<String> ref = d.path("type").asText().equals("individualResources") ? Optional.of(Asdk.normalGuid(d.path("ref").asText()))
                    : resolve(base, d.path("type").asText(), d.path("ref").asText());
            same = l.type().equals(d.path("type").asText()) && l.operation().equals(d.path("operation").asText())
                    && ref.isPresent() && l.guids().equals(List.of(ref.get()));
        }
        if (same) {
            return desired.deepCopy();
        }
        ArrayNode out = WindowsProvider.array();
        live.forEach(l -> out.addObject().put("type", l.type()).put("operation", l.operation()).put("ref", String.join(",", l.guids())));
        return out;
    }

    /** The policy as the NS has it: its item (Enabled, AppliedToResourceTargets) and its exported settings. */
    LiveResource policy(ResourceInstance r, HostTarget host, JsonNode facts) {
        Optional<Asdk.Item> item = policyItem(r, host);
        if (item.isEmpty()) {
            return LiveResource.absent(r.address());
        }
        String base = baseUrl(r, host);
        ObjectNode p = body(Asdk.exportItemXmlString(base, item.get().guid())).map(x -> ItemXml.settings(Asdk.value(x)))
                .orElseThrow(() -> new IllegalStateException("the policy's XML was not read"));
        p.put("enabled", item.get().enabled());
        ArrayNode online = WindowsProvider.array();
        facts.path("onlineGateways").forEach(online::add);
        for (JsonNode g : p.path("gateways")) {
            boolean on = false;
            for (JsonNode o : online) {
                on |= o.asText().equalsIgnoreCase(g.path("fqdn").asText());
            }
            ((ObjectNode) g).put("online", on);
        }
        ArrayNode targets = p.putArray("targets");
        for (String guid : item.get().appliedToResourceTargets()) {
            String name = "";
            for (Map.Entry<String, JsonNode> e : r.related().entrySet()) {
                if (e.getKey().startsWith("resource_target.")) {
                    String targetName = e.getValue().path("targetName").asText(e.getKey().substring("resource_target.".length()));
                    if (named(base, targetName, Asdk.TARGET_TYPE).map(t -> t.guid().equals(guid)).orElse(false)) {
                        name = targetName;
                    }
                }
            }
            targets.addObject().put("guid", guid).put("name", name);
        }
        p.put("exists", true).put("guid", item.get().guid()).put("nsVersion", facts.path("nsVersion").asText(""));
        return Itms.policy(r, p);
    }
}

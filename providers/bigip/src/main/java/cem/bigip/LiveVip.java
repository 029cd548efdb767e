package cem.bigip;

import cem.spi.LiveResource;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A {@code bigip_gateway_vip} as a read shows it; a half (a virtual without its pool) shows as a difference. */
final class LiveVip {

    private LiveVip() {}

    /**
     * What the device holds for one resource.
     *
     * @param problems collects what cannot be read (a port by a service name cem does not know)
     */
    static LiveResource of(ResourceInstance r, Vip vip, Snapshot s, List<String> problems) {
        Map<String, Object> virtual = s.get("ltm virtual", vip.virtualPath());
        Map<String, Object> pool = s.get("ltm pool", vip.poolPath());
        if (virtual == null && pool == null) {
            return LiveResource.absent(r.address());
        }
        ObjectNode a = vip.attributes(r.attributes());
        a.remove(List.of("destination", "member", "monitor", "profiles", "snat"));
        if (virtual != null) {
            Listing.Endpoint d = Listing.endpoint(String.valueOf(virtual.getOrDefault("destination", "")));
            a.putObject("destination").put("address", d.address()).put("port", port(d, "destination of " + vip.virtualPath(), problems));
            var profiles = a.putArray("profiles");
            if (virtual.get("profiles") instanceof Map<?, ?> p) {
                p.keySet().forEach(k -> profiles.add(Listing.local(String.valueOf(k))));
            }
            String poolOf = virtual.get("pool") == null ? "" : Listing.resolve(String.valueOf(virtual.get("pool")), Tmsh.READ_FOLDER);
            if (!vip.poolPath().equals(poolOf)) {
                a.put("pool", poolOf);
            }
            a.put("snat", virtual.get("source-address-translation") instanceof Map<?, ?> t && t.get("type") != null
                    ? String.valueOf(t.get("type")) : "none"); // "none" is the default, which listings leave out
        }
        if (pool != null) {
            List<Listing.Endpoint> members = new ArrayList<>();
            if (pool.get("members") instanceof Map<?, ?> m) {
                m.keySet().forEach(k -> members.add(Listing.endpoint(String.valueOf(k))));
            }
            if (!members.isEmpty()) {
                Listing.Endpoint m = members.get(0);
                a.putObject("member").put("address", m.address()).put("port", port(m, "member of " + vip.poolPath(), problems));
            }
            var others = a.putArray("otherMembers");
            members.stream().skip(1).forEach(m -> others.add(Vip.endpoint(m.address(), port(m, "member of " + vip.poolPath(), problems))));
            a.put("monitor", Listing.local(String.valueOf(pool.getOrDefault("monitor", ""))));
        }
        return new LiveResource(r.address(), true, vip.virtualPath(), a);
    }

    private static int port(Listing.Endpoint e, String what, List<String> problems) {
        if (e.port().isPresent()) {
            return e.port().getAsInt();
        }
        problems.add("The port \"" + e.printedPort() + "\" of the " + what + " is a service name cem does not know.");
        return 0;
    }

    /** Both objects are there, the pool holds only its gateway and the virtual uses that pool. */
    static boolean complete(LiveResource live) {
        JsonNode a = live.attributes();
        return a.has("destination") && a.has("member") && a.path("otherMembers").isEmpty() && !a.has("pool");
    }
}

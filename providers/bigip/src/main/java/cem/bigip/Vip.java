package cem.bigip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code bigip_gateway_vip}: for one Internet Gateway, a pool holding exactly that gateway (TCP
 * monitor) and a virtual server in front of it, TCP pass-through only, in a partition cem owns.
 * Object names derive from the resource's name: virtual {@code /P/cem-NAME}, pool
 * {@code /P/cem-NAME-pool}. The pool's member names its node in {@code /Common} explicitly: a member
 * without a folder names a node in the current folder, which is {@code /Common} for an account whose
 * default partition is Common, and cem does not depend on the account's default partition.
 *
 * <p>{@code snat} is the virtual server's source address translation: {@code automap} (the BIG-IP
 * replaces the client's address by one of its own self IPs, so the gateway's answers come back to it
 * whatever the gateway's routes) or {@code none} (the gateway sees the agents' addresses; its return
 * traffic must route through the BIG-IP).
 *
 * <p>Every value that reaches tmsh is checked here first — names and partitions against tmsh's
 * name characters, addresses as IP literals, ports as numbers, profiles as names — so that no
 * value can end a tmsh command or start another.
 */
record Vip(String name, String partition, String destinationAddress, int destinationPort, String memberAddress, int memberPort,
        String monitor, List<String> profiles, String snat) {

    static final String DEFAULT_PARTITION = "cem";
    static final String DEFAULT_MONITOR = "tcp";
    static final List<String> DEFAULT_PROFILES = List.of("tcp");
    static final String DEFAULT_SNAT = "automap";
    /** The source address translations cem sets. */
    static final List<String> SNATS = List.of("automap", "none");

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");
    /** An address, with a route domain {@code %N} when it is not the partition's default. */
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}(%\\d{1,5})?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(%\\d{1,5})?");

    Vip {
        profiles = List.copyOf(profiles);
    }

    /**
     * The attribute that names the objects of a resource that was moved: they keep the old name (the
     * engine records it, see ResourceSchema.DerivedName); otherwise the resource's name names them.
     */
    static final String OBJECT_NAME = "objectName";

    /** Where cem finds a resource's objects: the virtual server's path (its pool's derives from it). */
    static String identityKey(String resourceName, JsonNode a) {
        return virtualPath(a.path("partition").asText(DEFAULT_PARTITION), a.path(OBJECT_NAME).asText(resourceName));
    }

    private static String virtualPath(String partition, String name) {
        return "/" + partition + "/cem-" + name;
    }

    /** The virtual server a resource describes; an unsafe value is an IllegalArgumentException naming it. */
    static Vip of(String resourceName, JsonNode a) {
        List<String> profiles = new ArrayList<>();
        a.path("profiles").forEach(p -> profiles.add(p.asText()));
        Vip vip = new Vip(a.path(OBJECT_NAME).asText(resourceName), a.path("partition").asText(DEFAULT_PARTITION), a.path("destination").path("address").asText(),
                a.path("destination").path("port").asInt(), a.path("member").path("address").asText(), a.path("member").path("port").asInt(),
                a.path("monitor").asText(DEFAULT_MONITOR), profiles.isEmpty() ? DEFAULT_PROFILES : profiles,
                a.path("snat").asText(DEFAULT_SNAT));
        vip.check();
        return vip;
    }

    private void check() {
        name("name", name);
        name("partition", partition);
        name("monitor", monitor);
        profiles.forEach(p -> name("profile", p));
        address("destination address", destinationAddress);
        address("member address", memberAddress);
        port("destination port", destinationPort);
        port("member port", memberPort);
        if (!SNATS.contains(snat)) {
            throw new IllegalArgumentException("The snat \"" + snat + "\" is not one cem sets: automap or none.");
        }
    }

    private static void name(String what, String value) {
        if (!NAME.matcher(value).matches()) {
            throw new IllegalArgumentException("The " + what + " \"" + value + "\" is not a BIG-IP object name (a letter, then letters, digits, _ . -).");
        }
    }

    private static void address(String what, String value) {
        if (!IPV4.matcher(value).matches() && !IPV6.matcher(value).matches()) {
            throw new IllegalArgumentException("The " + what + " \"" + value + "\" is not an IP address; the F5 needs one.");
        }
    }

    private static void port(String what, int value) {
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException("The " + what + " " + value + " is not a port.");
        }
    }

    String virtualPath() {
        return virtualPath(partition, name);
    }

    String poolPath() {
        return virtualPath() + "-pool";
    }

    /** An address and port as tmsh writes them: {@code a.b.c.d:port}, IPv6 {@code a::b.port}. */
    static String endpoint(String address, int port) {
        return address + (address.contains(":") ? "." : ":") + port;
    }

    /** The pool member, its node named in {@code /Common}. */
    String memberPath() {
        return "/Common/" + endpoint(memberAddress, memberPort);
    }

    /** The attributes cem compares, as the configuration writes them. */
    ObjectNode attributes(JsonNode desired) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode a = f.objectNode().put("partition", partition);
        a.putObject("destination").put("address", destinationAddress).put("port", destinationPort);
        a.putObject("member").put("address", memberAddress).put("port", memberPort);
        a.put("monitor", monitor);
        a.put("snat", snat);
        var p = a.putArray("profiles");
        profiles.forEach(p::add);
        if (desired != null && desired.has("gateway")) {
            a.set("gateway", desired.get("gateway")); // cem's own link to the gateway behind it
        }
        if (desired != null && desired.has(OBJECT_NAME)) {
            a.put(OBJECT_NAME, name);
        }
        return a;
    }
}

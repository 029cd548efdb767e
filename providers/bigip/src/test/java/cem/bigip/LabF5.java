package cem.bigip;

import cem.lab.BigipHost;
import cem.spi.ApplyRequest;
import cem.spi.ApplyResponse;
import cem.spi.HostTarget;
import cem.spi.ProviderContext;
import cem.spi.ReadRequest;
import cem.spi.ReadResponse;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A lab BIG-IP, a provider that reaches it through transport {@code lab-bigip}, and helpers to build resources. */
final class LabF5 implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final BigipHost device;
    final BigipProvider provider;
    private final String address = "f5-" + UUID.randomUUID();
    private final Path dir;
    String user = "admin";

    LabF5(Path dir) {
        this.dir = dir;
        device = new BigipHost("f5", dir.resolve("f5-bigip.json"));
        LabTransportFactory.DEVICES.put(address, device);
        provider = new BigipProvider(new ProviderContext(Map.of(), dir, false));
    }

    HostTarget host() {
        ObjectNode s = JSON.createObjectNode().put("transport", "lab-bigip").put("address", address).put("user", user).put("os", "bigip");
        return new HostTarget("f5", s, Map.of(), dir);
    }

    static ResourceInstance vip(String name, String destination, int port, String member, String... more) {
        ObjectNode a = JSON.createObjectNode();
        a.putObject("destination").put("address", destination).put("port", port);
        a.putObject("member").put("address", member).put("port", port);
        for (int i = 0; i + 1 < more.length; i += 2) {
            a.put(more[i], more[i + 1]);
        }
        return new ResourceInstance("bigip_gateway_vip." + name, BigipProvider.TYPE, null, a);
    }

    ApplyResponse create(ResourceInstance... rs) {
        return provider.apply(new ApplyRequest(host(), java.util.Arrays.stream(rs)
                .map(r -> new ApplyRequest.Change(ApplyRequest.Operation.CREATE, r)).toList()));
    }

    ApplyResponse update(ResourceInstance r) {
        return provider.apply(new ApplyRequest(host(), List.of(new ApplyRequest.Change(ApplyRequest.Operation.UPDATE, r))));
    }

    ReadResponse read(ResourceInstance... rs) {
        return provider.read(new ReadRequest(host(), List.of(rs)));
    }

    /** Runs tmsh commands on the device as a bash account would, outside cem. */
    String byHand(String... lines) {
        String u = "hand-" + UUID.randomUUID();
        device.loginShell(u, "bash");
        var e = device.run(u, "tmsh -q", (String.join("\n", lines) + "\nquit\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return e.stdout() + e.stderr();
    }

    @Override
    public void close() {
        provider.close();
        LabTransportFactory.DEVICES.remove(address);
    }
}

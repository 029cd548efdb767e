package cem.testkit.fake;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Severity;
import cem.spi.ApplyRequest;
import cem.spi.ApplyResponse;
import cem.spi.LiveResource;
import cem.spi.Provider;
import cem.spi.ReadRequest;
import cem.spi.ReadResponse;
import cem.spi.ResourceInstance;
import cem.spi.ResourceSchema;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A provider for every cem resource type that keeps objects in a {@link FakeWorld}: one call per
 * host per batch, like the real providers. Objects are stored as applied, with a computed
 * {@code id} (and a {@code thumbprint} for certificates); sensitive values are never stored.
 */
public final class FakeProvider implements Provider {

    private static final Map<String, ResourceSchema> SCHEMAS = FakeSchemas.all();

    private final FakeWorld world;

    public FakeProvider(FakeWorld world) {
        this.world = world;
    }

    @Override
    public Map<String, ResourceSchema> schemas() {
        return SCHEMAS;
    }

    @Override
    public ReadResponse read(ReadRequest request) {
        String host = request.host().name();
        world.logCall("read", host, request.resources().size());
        pause();
        garbled(host);
        if (world.unreachable().contains(host)) {
            return new ReadResponse(Map.of(), Diagnostics.of(unreachable(host)), 1);
        }
        ObjectNode objects = world.host(host);
        Map<String, LiveResource> out = new HashMap<>();
        for (ResourceInstance r : request.resources()) {
            JsonNode o = objects.get(key(r));
            out.put(r.address(), o == null ? LiveResource.absent(r.address())
                    : new LiveResource(r.address(), true, o.path("identity").asText(), o.get("attributes")));
        }
        return new ReadResponse(out, Diagnostics.empty(), 1);
    }

    @Override
    public ApplyResponse apply(ApplyRequest request) {
        String host = request.host().name();
        world.logCall("apply", host, request.changes().size());
        pause();
        garbled(host);
        if (world.unreachable().contains(host)) {
            return new ApplyResponse(Map.of(), Diagnostics.of(unreachable(host)), 1);
        }
        ObjectNode objects = world.host(host);
        Map<String, LiveResource> results = new HashMap<>();
        Diagnostics.Builder diags = Diagnostics.builder();
        for (ApplyRequest.Change change : request.changes()) {
            ResourceInstance r = change.resource();
            if (world.failing().contains(r.address())) {
                diags.add(new Diagnostic(Severity.ERROR, "PRV4004", "Failed to change " + r.address(),
                        "The fake host refused the change (control.json \"fail\").", "Remove it from control.json.", null,
                        r.address()));
                continue;
            }
            if (change.operation() == ApplyRequest.Operation.DELETE) {
                objects.remove(key(r));
                results.put(r.address(), LiveResource.absent(r.address()));
                continue;
            }
            ObjectNode attributes = ((ObjectNode) r.attributes()).deepCopy();
            SCHEMAS.get(r.type()).attributes().values().forEach(a -> {
                if (a.sensitive()) {
                    attributes.remove(a.name());
                }
            });
            JsonNode previous = objects.path(key(r)).path("attributes");
            attributes.put("id", previous.hasNonNull("id") && change.operation() == ApplyRequest.Operation.UPDATE
                    ? previous.get("id").asText() : UUID.randomUUID().toString());
            if (r.type().equals("certificate")) {
                attributes.put("thumbprint", Integer.toHexString(attributes.path("pfx").asText().hashCode()).toUpperCase());
            }
            // control.json "mangle": {address: {attr: value}} makes this fake a buggy provider.
            world.control().path("mangle").path(r.address()).fields().forEachRemaining(e -> attributes.set(e.getKey(), e.getValue()));
            String identity = r.type().equals("certificate") ? attributes.get("thumbprint").asText()
                    : r.identity() != null ? r.identity() : r.address();
            if (change.operation() == ApplyRequest.Operation.UPDATE && r.identity() != null && !r.identity().equals(identity)) {
                objects.remove(r.identity());
            }
            ObjectNode object = objects.putObject(identity);
            object.put("identity", identity);
            object.set("attributes", attributes);
            results.put(r.address(), new LiveResource(r.address(), true, identity, attributes));
        }
        world.save(host, objects);
        return new ApplyResponse(results, diags.build(), 1);
    }

    /** Objects are kept under their identity (a certificate's thumbprint, else the address they were created at). */
    private static String key(ResourceInstance r) {
        return r.identity() != null ? r.identity() : r.address();
    }

    private static Diagnostic unreachable(String host) {
        return cem.spi.Sessions.hostProblem("Cannot reach host \"" + host + "\"",
                "The fake host is marked unreachable (control.json \"unreachable\").", "Check the network path to the host.");
    }

    /** A host whose answer a real provider could not parse: the exception its parser throws. */
    private void garbled(String host) {
        String answer = world.garbled(host);
        if (answer != null) {
            throw new cem.spi.HostAnswerException("the answer is not a batch: " + cem.spi.HostAnswerException.excerpt(answer));
        }
    }

    private void pause() {
        long ms = world.latencyMillis();
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

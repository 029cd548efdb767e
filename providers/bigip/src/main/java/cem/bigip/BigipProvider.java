package cem.bigip;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Severity;
import cem.spi.ApplyRequest;
import cem.spi.ApplyResponse;
import cem.spi.AttributeSchema;
import cem.spi.AttributeSchema.Kind;
import cem.spi.CommandResult;
import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.Provider;
import cem.spi.ProviderContext;
import cem.spi.ReadRequest;
import cem.spi.ReadResponse;
import cem.spi.ResourceInstance;
import cem.spi.ResourceSchema;
import cem.spi.Sessions;
import cem.spi.TransportException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bigip_gateway_vip}: pass-through virtual servers and their one-gateway pools on F5 BIG-IP
 * LTM, over SSH with tmsh. A read lists the objects in one round trip; an apply makes every change
 * of the device in one {@code cli transaction} — a failure changes nothing — saves the
 * configuration and lists the objects again, in one round trip too.
 */
public final class BigipProvider implements Provider {

    static final String TYPE = "bigip_gateway_vip";

    static final ResourceSchema SCHEMA = ResourceSchema.of(TYPE, false,
            Map.of("partition", Vip.DEFAULT_PARTITION, "profiles", Vip.DEFAULT_PROFILES, "monitor", Vip.DEFAULT_MONITOR,
                    "otherMembers", List.of()),
            List.of(AttributeSchema.of("partition", Kind.STRING).forcingReplacement(),
                    AttributeSchema.of("destination", Kind.OBJECT),
                    AttributeSchema.of("member", Kind.OBJECT),
                    AttributeSchema.of("monitor", Kind.STRING),
                    AttributeSchema.of("profiles", Kind.SET),
                    AttributeSchema.of("otherMembers", Kind.SET),
                    AttributeSchema.of("gateway", Kind.STRING)));

    private final Sessions sessions;

    public BigipProvider(ProviderContext context) {
        this.sessions = new Sessions(context, "ssh");
    }

    @Override
    public Map<String, ResourceSchema> schemas() {
        return Map.of(TYPE, SCHEMA);
    }

    @Override
    public ReadResponse read(ReadRequest request) {
        Diagnostics.Builder diags = Diagnostics.builder();
        Map<ResourceInstance, Vip> vips = vips(request.resources(), diags);
        CommandResult result;
        try {
            result = sessions.with(request.host(), t -> t.exec(Tmsh.read(new ArrayList<>(vips.values()))));
        } catch (TransportException e) {
            return new ReadResponse(Map.of(), Diagnostics.of(sessions.failed(request.host(), e)), 0);
        }
        if (result.stdout().isBlank() && result.exitCode() != 0) {
            diags.add(Sessions.hostProblem("tmsh did not run on host " + request.host().name(), (result.stdout() + result.stderr()).strip(),
                    "Check that the SSH user may run tmsh (an administrator, with tmsh or bash as the shell)."));
            return new ReadResponse(Map.of(), diags.build(), 1);
        }
        Map<String, Map<String, Object>> objects = Tmsh.objects(result.stdout());
        Map<String, LiveResource> out = new HashMap<>();
        vips.forEach((r, vip) -> out.put(r.address(), live(r, vip, objects)));
        return new ReadResponse(out, diags.build(), 1);
    }

    @Override
    public ApplyResponse apply(ApplyRequest request) {
        Diagnostics.Builder diags = Diagnostics.builder();
        List<Vip> deletes = new ArrayList<>();
        List<Vip> creates = new ArrayList<>();
        List<Vip> updates = new ArrayList<>();
        Map<String, ApplyRequest.Change> byAddress = new LinkedHashMap<>();
        Map<String, Vip> vipOf = new LinkedHashMap<>();
        for (ApplyRequest.Change c : request.changes()) {
            ResourceInstance r = c.resource();
            Vip vip;
            try {
                vip = Vip.of(r.name(), r.attributes());
            } catch (IllegalArgumentException e) {
                diags.add(new Diagnostic(Severity.ERROR, "PRV4201", "Cannot send " + r.address() + " to the F5", e.getMessage(),
                        "Fix the value in the configuration.", null, r.address()));
                continue;
            }
            switch (c.operation()) {
                case DELETE -> deletes.add(vip);
                case CREATE -> creates.add(vip);
                case UPDATE -> updates.add(vip);
                default -> throw new IllegalStateException(c.operation().toString());
            }
            if (c.operation() != ApplyRequest.Operation.DELETE || !byAddress.containsKey(r.address())) {
                byAddress.put(r.address(), c);
                vipOf.put(r.address(), vip);
            }
        }
        if (diags.hasErrors()) {
            request.changes().forEach(c -> {
                if (!vipOf.containsKey(c.resource().address())) {
                    return;
                }
                diags.add(new Diagnostic(Severity.ERROR, "PRV4202", "Not applied: " + c.resource().address(),
                        "Another change of this device cannot be sent, and the device's changes go in one transaction.",
                        "Fix the other resource and run apply again.", null, c.resource().address()));
            });
            return new ApplyResponse(Map.of(), diags.build(), 0);
        }
        CommandResult result;
        try {
            result = sessions.with(request.host(), t -> t.exec(Tmsh.apply(Tmsh.applyLines(deletes, creates, updates))));
        } catch (TransportException e) {
            return new ApplyResponse(Map.of(), Diagnostics.of(sessions.failed(request.host(), e)), 0);
        }
        String output = result.stdout() + "\n" + result.stderr();
        int saved = output.indexOf(Tmsh.SAVED);
        // Errors of the transaction come before the save; after it, "not found" only says what the listings did not find.
        List<String> errors = new ArrayList<>(Tmsh.errors(saved < 0 ? output : output.substring(0, saved)));
        errors.removeIf(e -> e.startsWith("01020066:")); // the partition exists already: fine
        Map<String, Map<String, Object>> objects = Tmsh.objects(result.stdout());
        Map<String, LiveResource> results = new HashMap<>();
        boolean transactionFailed = false;
        for (Map.Entry<String, ApplyRequest.Change> e : byAddress.entrySet()) {
            ResourceInstance r = e.getValue().resource();
            Vip vip = vipOf.get(e.getKey());
            LiveResource now = live(r, vip, objects);
            boolean deleted = e.getValue().operation() == ApplyRequest.Operation.DELETE;
            boolean done = deleted ? !now.exists() : now.exists() && complete(now) && Vip.of(r.name(), now.attributes()).equals(vip);
            if (done) {
                results.put(r.address(), deleted ? LiveResource.absent(r.address()) : now);
            } else {
                transactionFailed = true;
            }
        }
        if (transactionFailed) {
            results.clear(); // one transaction: what seems done was there before
            for (Map.Entry<String, ApplyRequest.Change> e : byAddress.entrySet()) {
                Vip vip = vipOf.get(e.getKey());
                List<String> own = errors.stream().filter(x -> x.contains(vip.virtualPath()) || x.contains(vip.poolPath())).toList();
                String detail = own.isEmpty() ? (errors.isEmpty() ? "tmsh printed no error, but the objects are not as planned."
                        : "The transaction for host " + request.host().name() + " failed: " + String.join(" ", errors))
                        : "tmsh said: " + String.join(" ", own);
                diags.add(new Diagnostic(Severity.ERROR, "PRV4203", (own.isEmpty() ? "Not applied: " : "The F5 refused ") + e.getKey(), detail,
                        "Nothing was changed on the device: its changes go in one transaction. Fix the cause and run apply again.", null,
                        e.getKey()));
            }
        }
        return new ApplyResponse(results, diags.build(), 1);
    }

    private static Map<ResourceInstance, Vip> vips(List<ResourceInstance> resources, Diagnostics.Builder diags) {
        Map<ResourceInstance, Vip> out = new LinkedHashMap<>();
        for (ResourceInstance r : resources) {
            try {
                out.put(r, Vip.of(r.name(), r.attributes()));
            } catch (IllegalArgumentException e) {
                diags.add(new Diagnostic(Severity.ERROR, "PRV4201", "Cannot read " + r.address() + " from the F5", e.getMessage(),
                        "Fix the value in the configuration.", null, r.address()));
            }
        }
        return out;
    }

    /** What the device holds for one resource; a half (a virtual without its pool) shows as a difference. */
    private static LiveResource live(ResourceInstance r, Vip vip, Map<String, Map<String, Object>> objects) {
        Map<String, Object> virtual = objects.get("ltm virtual " + vip.virtualPath());
        Map<String, Object> pool = objects.get("ltm pool " + vip.poolPath());
        if (virtual == null && pool == null) {
            return LiveResource.absent(r.address());
        }
        ObjectNode a = vip.attributes(r.attributes());
        a.remove(List.of("destination", "member", "monitor", "profiles"));
        if (virtual != null) {
            String[] destination = Tmsh.split(String.valueOf(virtual.getOrDefault("destination", "")));
            a.putObject("destination").put("address", destination[0]).put("port", Integer.parseInt(destination[1]));
            var profiles = a.putArray("profiles");
            if (virtual.get("profiles") instanceof Map<?, ?> p) {
                p.keySet().forEach(k -> profiles.add(Tmsh.local(String.valueOf(k))));
            }
            if (!vip.poolPath().equals(virtual.get("pool"))) {
                a.put("pool", String.valueOf(virtual.get("pool")));
            }
        }
        if (pool != null) {
            List<String> members = new ArrayList<>();
            if (pool.get("members") instanceof Map<?, ?> m) {
                m.keySet().forEach(k -> members.add(String.valueOf(k)));
            }
            if (!members.isEmpty()) {
                String[] member = Tmsh.split(members.get(0));
                a.putObject("member").put("address", member[0]).put("port", Integer.parseInt(member[1]));
            }
            var others = a.putArray("otherMembers");
            members.stream().skip(1).map(Tmsh::local).forEach(others::add);
            a.put("monitor", Tmsh.local(String.valueOf(pool.getOrDefault("monitor", ""))));
        }
        return new LiveResource(r.address(), true, vip.virtualPath(), a);
    }

    @Override
    public void close() {
        sessions.close();
    }

    /** Both objects are there, the pool holds only its gateway and the virtual uses that pool. */
    private static boolean complete(LiveResource live) {
        JsonNode a = live.attributes();
        return a.has("destination") && a.has("member") && a.path("otherMembers").isEmpty() && !a.has("pool");
    }
}

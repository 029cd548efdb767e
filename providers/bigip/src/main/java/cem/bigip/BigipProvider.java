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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code bigip_gateway_vip}: pass-through virtual servers and their one-gateway pools on F5 BIG-IP
 * LTM, over SSH with tmsh, as a bash account or a tmsh-shell account ({@link Device}). A read lists
 * the objects in one round trip; an apply makes every change of the device in one
 * {@code cli transaction} — a failure changes nothing — and saves the configuration, then reads what
 * the device holds with a separate command: two round trips (three when no read of this host
 * preceded it in this process, which first tells which partitions exist).
 */
public final class BigipProvider implements Provider {

    static final String TYPE = "bigip_gateway_vip";

    static final ResourceSchema SCHEMA = ResourceSchema.of(TYPE, false,
            Map.of("partition", Vip.DEFAULT_PARTITION, "profiles", Vip.DEFAULT_PROFILES, "monitor", Vip.DEFAULT_MONITOR,
                    "otherMembers", List.of(), "snat", Vip.DEFAULT_SNAT),
            List.of(AttributeSchema.of("partition", Kind.STRING).forcingReplacement(),
                    AttributeSchema.of("destination", Kind.OBJECT),
                    AttributeSchema.of("member", Kind.OBJECT),
                    AttributeSchema.of("monitor", Kind.STRING),
                    AttributeSchema.of("profiles", Kind.SET),
                    AttributeSchema.of("snat", Kind.STRING),
                    AttributeSchema.of("otherMembers", Kind.SET),
                    AttributeSchema.of("gateway", Kind.STRING),
                    AttributeSchema.of(Vip.OBJECT_NAME, Kind.STRING)))
            .identifiedBy("the partition + the virtual server's name cem-NAME (its pool is cem-NAME-pool)", Vip::identityKey)
            .namedAfterResource(Vip.OBJECT_NAME, name -> name);

    private final Sessions sessions;
    /** Per host: the account's shell and the partitions, as last seen. */
    private final Map<String, Tmsh.Shell> shells = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> partitions = new ConcurrentHashMap<>();

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
        Snapshot snapshot;
        try {
            snapshot = sessions.with(request.host(), t -> read(request.host(), t));
        } catch (TransportException e) {
            return new ReadResponse(Map.of(), Diagnostics.of(sessions.failed(request.host(), e)), 0);
        }
        if (snapshot.problem() != null) {
            diags.add(unreadable(request.host(), snapshot));
            return new ReadResponse(Map.of(), diags.build(), 1);
        }
        Map<String, LiveResource> out = new HashMap<>();
        vips.forEach((r, vip) -> out.put(r.address(), live(r, vip, snapshot, diags)));
        return new ReadResponse(out, diags.build(), 1);
    }

    private Snapshot read(HostTarget host, cem.spi.Transport t) throws TransportException {
        Device device = new Device(t, shells.get(host.name()));
        Snapshot s = device.read();
        shells.put(host.name(), device.shell());
        if (s.problem() == null) {
            partitions.put(host.name(), s.partitions());
        }
        return s;
    }

    private static Diagnostic unreadable(HostTarget host, Snapshot s) {
        return Sessions.hostProblem("tmsh did not list the objects of host " + host.name(), s.problem(),
                "Check that the SSH user is an administrator whose shell is tmsh or bash (advanced shell), and that tmsh runs: "
                        + "`tmsh -q -c \"list auth partition\"` as that user.");
    }

    private static LiveResource live(ResourceInstance r, Vip vip, Snapshot s, Diagnostics.Builder diags) {
        List<String> problems = new ArrayList<>();
        LiveResource live = LiveVip.of(r, vip, s, problems);
        problems.forEach(p -> diags.add(new Diagnostic(Severity.ERROR, "PRV4204", "Cannot read the port of " + r.address(), p,
                "Tell cem's maintainers the name and its number (tmsh's `list sys service` or /etc/services on the BIG-IP); "
                        + "cem does not change the device-wide `cli global-settings service`.", null, r.address())));
        return live;
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
        HostTarget host = request.host();
        CommandResult result;
        Snapshot after;
        int[] trips = {0};
        try {
            Snapshot[] now = new Snapshot[1];
            result = sessions.with(host, t -> {
                if (!partitions.containsKey(host.name())) {
                    trips[0]++;
                    Snapshot before = read(host, t);
                    if (before.problem() != null) {
                        now[0] = before;
                        return null;
                    }
                }
                Device device = new Device(t, shells.get(host.name()));
                trips[0]++;
                CommandResult r = device.run(Tmsh.applyLines(deletes, creates, updates, partitions.get(host.name())), false);
                shells.put(host.name(), device.shell());
                trips[0]++;
                now[0] = read(host, t); // a separate command: never the session that ran the transaction
                return r;
            });
            after = now[0];
        } catch (TransportException e) {
            return new ApplyResponse(Map.of(), Diagnostics.of(sessions.failed(host, e)), trips[0]);
        }
        if (after.problem() != null) {
            diags.add(unreadable(host, after));
            byAddress.keySet().forEach(a -> diags.add(new Diagnostic(Severity.ERROR, "PRV4205", "Unknown outcome: " + a,
                    (result == null ? "The device could not be read before the change, which was not sent." : "The change was sent, but the "
                            + "device could not be read after it."), "Run `cem plan` to see what the device holds.", null, a)));
            return new ApplyResponse(Map.of(), diags.build(), trips[0]);
        }
        return new ApplyResponse(outcome(request, byAddress, vipOf, result, after, diags), diags.build(), trips[0]);
    }

    /** The resources as the device now holds them, or, when one is not as planned, diagnostics for all. */
    private static Map<String, LiveResource> outcome(ApplyRequest request, Map<String, ApplyRequest.Change> byAddress, Map<String, Vip> vipOf,
            CommandResult result, Snapshot after, Diagnostics.Builder diags) {
        List<TmshMessage> errors = new ArrayList<>(TmshMessage.parse(result.stdout()));
        errors.addAll(TmshMessage.parse(result.stderr()));
        // Only the partition's "already exists" is expected (another run created it since the read); a pool's or a virtual's is not.
        // A partition has no folder, so its message names no path; "… already exists in partition cem" of a pool names one.
        errors.removeIf(m -> m.kind() == TmshMessage.Kind.EXISTS && m.text().toLowerCase(java.util.Locale.ROOT).contains("partition")
                && !m.text().contains("/"));
        Map<String, LiveResource> results = new HashMap<>();
        boolean failed = false;
        for (Map.Entry<String, ApplyRequest.Change> e : byAddress.entrySet()) {
            ResourceInstance r = e.getValue().resource();
            Vip vip = vipOf.get(e.getKey());
            LiveResource now = LiveVip.of(r, vip, after, new ArrayList<>());
            boolean deleted = e.getValue().operation() == ApplyRequest.Operation.DELETE;
            boolean done = deleted ? !now.exists() : now.exists() && LiveVip.complete(now) && holds(r, now, vip);
            if (done) {
                results.put(r.address(), deleted ? LiveResource.absent(r.address()) : now);
            } else {
                failed = true;
            }
        }
        if (!failed) {
            if (!errors.isEmpty()) { // the objects are as planned, but something else failed (the save, say)
                diags.add(new Diagnostic(Severity.WARNING, "PRV4206", "tmsh reported errors on host " + request.host().name(),
                        String.join(" ", errors.stream().map(TmshMessage::text).toList()),
                        "The objects are as planned; check that the configuration was saved: `save sys config` on the device.", null, null));
            }
            return results;
        }
        for (Map.Entry<String, ApplyRequest.Change> e : byAddress.entrySet()) {
            Vip vip = vipOf.get(e.getKey());
            List<String> own = errors.stream().filter(x -> x.names(vip.virtualPath()) || x.names(vip.poolPath())).map(TmshMessage::text).toList();
            List<String> all = errors.stream().map(TmshMessage::text).toList();
            String detail = !own.isEmpty() ? "tmsh said: " + String.join(" ", own)
                    : all.isEmpty() ? "tmsh printed no error, but the objects are not as planned."
                    : "The transaction for host " + request.host().name() + " failed: " + String.join(" ", all);
            diags.add(new Diagnostic(Severity.ERROR, "PRV4203", (own.isEmpty() ? "Not applied: " : "The F5 refused ") + e.getKey(), detail,
                    "Nothing was changed on the device: its changes go in one transaction. Fix the cause and run apply again.", null,
                    e.getKey()));
        }
        return Map.of(); // one transaction: what seems done was there before
    }

    /** Whether the device holds the VIP as planned; a value no VIP of cem's has (an address that is none, port 0) means it does not. */
    private static boolean holds(ResourceInstance r, LiveResource now, Vip planned) {
        try {
            return Vip.of(r.name(), now.attributes()).equals(planned);
        } catch (IllegalArgumentException e) {
            return false;
        }
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

    @Override
    public void close() {
        sessions.close();
    }
}

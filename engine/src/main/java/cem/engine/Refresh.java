package cem.engine;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.Provider;
import cem.spi.ReadRequest;
import cem.spi.ReadResponse;
import cem.spi.ResourceInstance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads the live state of resources: grouped by host, one provider batch per host (per provider),
 * hosts in parallel up to {@code parallelism}. A host that cannot be read makes its resources
 * unknown — never guessed.
 */
public final class Refresh {

    /** What was read. */
    public record Outcome(Map<String, LiveResource> live, Set<String> unknownHosts, Diagnostics diagnostics, int roundTrips) {}

    private final ProviderRegistry registry;
    private final Hosts hosts;
    private final int parallelism;
    private final boolean onePerResource;

    public Refresh(ProviderRegistry registry, Hosts hosts, int parallelism) {
        this(registry, hosts, parallelism, false);
    }

    /** @param onePerResource a round trip per resource instead of per host (the benchmark's baseline) */
    public Refresh(ProviderRegistry registry, Hosts hosts, int parallelism, boolean onePerResource) {
        this.registry = registry;
        this.hosts = hosts;
        this.parallelism = Math.max(1, parallelism);
        this.onePerResource = onePerResource;
    }

    /** @param byHost the resources to read, grouped by host name */
    public Outcome read(Map<String, List<ResourceInstance>> byHost) {
        Map<String, LiveResource> live = new ConcurrentHashMap<>();
        Set<String> unknown = Collections.synchronizedSet(new TreeSet<>());
        List<Diagnostic> diags = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger trips = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, byHost.size())), r -> {
            Thread t = new Thread(r, "cem-refresh");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Map.Entry<String, List<ResourceInstance>> e : byHost.entrySet()) {
                if (onePerResource) {
                    // One round trip per resource, in turn: a host's session serves one command at a time.
                    running.add(pool.submit(() -> HostSlots.run(
                            () -> e.getValue().forEach(r -> readHost(e.getKey(), List.of(r), live, unknown, diags, trips)))));
                } else {
                    running.add(pool.submit(() -> HostSlots.run(() -> readHost(e.getKey(), e.getValue(), live, unknown, diags, trips))));
                }
            }
            for (Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading hosts", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("refresh failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Outcome(new LinkedHashMap<>(live), new TreeSet<>(unknown), Diagnostics.builder().build().plus(of(diags)), trips.get());
    }

    private void readHost(String host, List<ResourceInstance> resources, Map<String, LiveResource> live, Set<String> unknown,
            List<Diagnostic> diags, AtomicInteger trips) {
        Result<HostTarget> target = hosts.target(host);
        if (target.value() == null) {
            unknown.add(host);
            target.diagnostics().forEach(diags::add);
            return;
        }
        Map<Provider, List<ResourceInstance>> byProvider = new LinkedHashMap<>();
        for (ResourceInstance r : resources) {
            registry.forType(r.type()).ifPresent(p -> byProvider.computeIfAbsent(p, k -> new ArrayList<>()).add(r));
        }
        for (Map.Entry<Provider, List<ResourceInstance>> e : byProvider.entrySet()) {
            ReadResponse response;
            try {
                response = e.getKey().read(new ReadRequest(target.value(), e.getValue()));
            } catch (cem.spi.HostAnswerException ex) {
                unknown.add(host);
                diags.add(EngineCodes.unreadableAnswer(host, ex));
                continue;
            } catch (RuntimeException ex) {
                unknown.add(host);
                diags.add(new Diagnostic(cem.diag.Severity.ERROR, EngineCodes.HOST_UNREADABLE,
                        "Cannot read host \"" + host + "\"", "The provider failed: " + ex,
                        "This is a provider bug; run again with --debug and report it.", null, null));
                continue;
            }
            trips.addAndGet(response.roundTrips());
            response.diagnostics().forEach(diags::add);
            boolean hostLevelError = response.diagnostics().list().stream().anyMatch(d -> d.isError() && d.address() == null);
            java.util.Set<String> reported = new java.util.HashSet<>();
            response.diagnostics().forEach(d -> {
                if (d.address() != null) {
                    reported.add(d.address());
                }
            });
            List<String> unread = new ArrayList<>();
            for (ResourceInstance r : e.getValue()) {
                LiveResource found = response.resources().get(r.address());
                if (found != null && !hostLevelError) {
                    live.put(r.address(), found);
                } else {
                    unknown.add(host);
                    unread.add(r.address());
                    if (!hostLevelError && !reported.contains(r.address())) {
                        diags.add(new Diagnostic(cem.diag.Severity.ERROR, EngineCodes.READ_FAILED, "Cannot read " + r.address(),
                                "The provider answered nothing for it, so its live state is unknown; the plan says nothing about it.",
                                "This is a provider bug; run again with --debug and report it.", null, r.address()));
                    }
                }
            }
            if (hostLevelError && !unread.isEmpty()) {
                // Once per host, not once per resource: the host's own error above says why.
                diags.add(new Diagnostic(cem.diag.Severity.ERROR, EngineCodes.READ_FAILED, "Cannot read the " + unread.size() + " resource(s) of host \""
                        + host + "\"", "Host \"" + host + "\" could not be read, so the live state of " + String.join(", ", unread)
                        + " is unknown; the plan says nothing about them.", "Fix the problem reported for host \"" + host + "\" and plan again.",
                        null, unread.get(0)));
            }
        }
    }

    private static Diagnostics of(List<Diagnostic> list) {
        Diagnostics.Builder b = Diagnostics.builder();
        synchronized (list) {
            list.forEach(b::add);
        }
        return b.build();
    }

    /** Groups resources by host, keeping first-seen order. */
    public static Map<String, List<ResourceInstance>> group(Map<String, String> hostByAddress, Map<String, ResourceInstance> resources) {
        Map<String, List<ResourceInstance>> out = new HashMap<>();
        resources.forEach((address, r) -> out.computeIfAbsent(hostByAddress.get(address), k -> new ArrayList<>()).add(r));
        return out;
    }
}

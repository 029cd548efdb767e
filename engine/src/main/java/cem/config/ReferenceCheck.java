package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Suggestions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hosts and references resolve, each resource type sits on a host of the right kind, and the
 * references form no cycle.
 */
public final class ReferenceCheck {

    /** The operating system each resource type needs on its host. */
    private static final Map<String, String> HOST_OS = Map.ofEntries(
            Map.entry("certificate", "windows"),
            Map.entry("iis_binding", "windows"),
            Map.entry("windows_firewall_rule", "windows"),
            Map.entry("windows_service", "windows"),
            Map.entry("internet_gateway", "windows"),
            Map.entry("cem_policy", "windows"),
            Map.entry("site_server", "windows"),
            Map.entry("offline_package", "windows"),
            Map.entry("cem_certificate", "windows"),
            Map.entry("resource_target", "windows"),
            Map.entry("nft_rule", "linux"),
            Map.entry("bigip_gateway_vip", "bigip"));

    /** The operating system a resource type needs on its host ({@code windows}, {@code linux}, {@code bigip}), if the type is known. */
    public static java.util.Optional<String> hostOs(String type) {
        return java.util.Optional.ofNullable(HOST_OS.get(type));
    }

    public Diagnostics check(Configuration config) {
        Diagnostics.Builder out = Diagnostics.builder();
        Set<String> addresses = new HashSet<>();
        config.resources().forEach(r -> addresses.add(r.address()));
        Map<String, List<Reference>> edges = new HashMap<>();
        for (ResourceConfig r : config.resources()) {
            checkHost(config, r, out);
            List<Reference> resolved = new ArrayList<>();
            for (Reference ref : Reference.of(r)) {
                if (addresses.contains(ref.targetAddress())) {
                    resolved.add(ref);
                } else {
                    out.add(dangling(config, ref));
                }
            }
            edges.put(r.address(), resolved);
        }
        findCycles(config, edges, out);
        return out.build();
    }

    private static void checkHost(Configuration config, ResourceConfig r, Diagnostics.Builder out) {
        String needed = HOST_OS.get(r.type());
        if (r.host() == null || needed == null) {
            return; // the schema reported the missing host or unknown type
        }
        HostConfig host = config.hosts().get(r.host());
        if (host == null) {
            String hint = Suggestions.closest(r.host(), config.hosts().keySet())
                    .map(s -> "Did you mean \"" + s + "\"?")
                    .orElse(config.hosts().isEmpty()
                            ? "Declare the host under \"hosts:\"."
                            : "Declared hosts: " + String.join(", ", config.hosts().keySet()) + ".");
            out.add(Diagnostic.error(ConfigCodes.UNKNOWN_HOST, "Unknown host \"" + r.host() + "\"",
                    r.address() + " names a host that is not declared under \"hosts:\" in any file.", hint,
                    r.range("host")).withAddress(r.address()));
        } else if (host.knownOs() && !needed.equals(host.os())) {
            out.add(Diagnostic.error(ConfigCodes.WRONG_HOST_OS,
                    "Resource type " + r.type() + " needs a " + needed + " host",
                    "Host \"" + r.host() + "\" is declared with os: " + host.os() + " at " + host.declRange().label() + ".",
                    "Put this resource on a " + needed + " host.", r.range("host")).withAddress(r.address()));
        }
    }

    private static Diagnostic dangling(Configuration config, Reference ref) {
        List<String> sameType = new ArrayList<>();
        config.resources().forEach(r -> {
            if (ref.field().startsWith("dependsOn")) {
                sameType.add(r.address());
            } else if (r.type().equals(ref.targetType())) {
                sameType.add(r.name());
            }
        });
        String given = ref.field().startsWith("dependsOn") ? ref.targetAddress() : ref.targetName();
        String hint = Suggestions.closest(given, sameType)
                .map(s -> "Did you mean \"" + s + "\"?")
                .orElse(sameType.isEmpty()
                        ? "Declare a " + ref.targetType() + " resource named \"" + ref.targetName() + "\"."
                        : "Declared: " + String.join(", ", sameType) + ".");
        return Diagnostic.error(ConfigCodes.DANGLING_REFERENCE, "Reference to undeclared " + ref.targetAddress(),
                ref.from().address() + " refers to " + ref.targetAddress() + " in \"" + ref.field()
                        + "\", but no file declares it.",
                hint, ref.range()).withAddress(ref.from().address());
    }

    /**
     * Depth-first search. Each cycle is reported once, at a {@code dependsOn} entry of the cycle
     * when there is one (the reference a user is most likely to remove), else at the reference
     * that closes it.
     */
    private static void findCycles(Configuration config, Map<String, List<Reference>> edges, Diagnostics.Builder out) {
        Set<String> done = new HashSet<>();
        Set<Set<String>> reported = new HashSet<>();
        for (ResourceConfig r : config.resources()) {
            visit(r.address(), edges, new ArrayList<>(), new LinkedHashSet<>(), done, reported, out);
        }
    }

    private static void visit(String address, Map<String, List<Reference>> edges, List<Reference> refs,
            LinkedHashSet<String> path, Set<String> done, Set<Set<String>> reported, Diagnostics.Builder out) {
        if (done.contains(address)) {
            return;
        }
        path.add(address);
        for (Reference ref : edges.getOrDefault(address, List.of())) {
            String next = ref.targetAddress();
            refs.add(ref);
            if (path.contains(next)) {
                List<Reference> cycleRefs = new ArrayList<>();
                for (Reference r : refs) {
                    if (!cycleRefs.isEmpty() || r.from().address().equals(next)) {
                        cycleRefs.add(r);
                    }
                }
                Set<String> members = new HashSet<>();
                cycleRefs.forEach(r -> members.add(r.from().address()));
                if (reported.add(members)) {
                    List<String> names = new ArrayList<>();
                    cycleRefs.forEach(r -> names.add(r.from().address()));
                    names.add(next);
                    Reference at = cycleRefs.stream().filter(r -> r.field().startsWith("dependsOn")).findFirst().orElse(ref);
                    out.add(Diagnostic.error(ConfigCodes.CYCLE, "Reference cycle: " + String.join(" → ", names),
                            "Resources that depend on each other cannot be ordered; cem would not know which to create first.",
                            "Remove one of these references (often a dependsOn entry that is not needed).",
                            at.range()).withAddress(at.from().address()));
                }
            } else {
                visit(next, edges, refs, path, done, reported, out);
            }
            refs.remove(refs.size() - 1);
        }
        path.remove(address);
        done.add(address);
    }
}

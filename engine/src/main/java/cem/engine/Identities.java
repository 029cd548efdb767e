package cem.engine;

import cem.config.ConfigCodes;
import cem.config.Configuration;
import cem.config.HostConfig;
import cem.config.ResourceConfig;
import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.plan.Action;
import cem.plan.ResourceChange;
import cem.spi.ResourceSchema;
import cem.state.ResourceState;
import cem.state.State;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Resources that would manage one object. Each type declares how its provider finds a resource's
 * object on its host ({@link ResourceSchema.Identity}); two resources with one identity on one host
 * would undo each other's changes, so that is an error ({@value ConfigCodes#IDENTITY_COLLISION}) in a
 * configuration (validate), between a new resource and the state (plan), and between the sites of a
 * fleet. A type whose object is named after its resource ({@link ResourceSchema.DerivedName}) keeps
 * that name through a {@code moved} entry, so that a move never leaves the old object behind.
 */
public final class Identities {

    private Identities() {}

    /** What one resource of a configuration manages: an identity on a machine. */
    private record Claim(String machine, String hostName, String type, String key, ResourceConfig resource) {}

    /** Two resources of one configuration with one identity on one host. */
    public static Diagnostics check(Configuration config, Function<String, Optional<ResourceSchema>> schemas) {
        Diagnostics.Builder diags = Diagnostics.builder();
        Map<String, Claim> first = new HashMap<>();
        for (Claim c : claims(config, schemas)) {
            Claim other = first.putIfAbsent(c.machine() + "\u0000" + c.type() + "\u0000" + c.key(), c);
            if (other != null) {
                diags.add(collision(c, other.resource().address(), other.resource().declRange().label(), schemas,
                        "Make them differ in " + description(c.type(), schemas) + ", or remove one of them."));
            }
        }
        return diags.build();
    }

    /**
     * The sites of a fleet against each other: a resource whose identity another site already claims on
     * the same machine (same address) is an error of the later site.
     *
     * @return the diagnostics of each site, in the order given (empty where there are none)
     */
    public static List<Diagnostics> acrossSites(List<String> sites, List<Configuration> configs, Function<String, Optional<ResourceSchema>> schemas) {
        Map<String, Claim> first = new HashMap<>();
        Map<String, String> siteOf = new HashMap<>();
        List<Diagnostics> out = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            Diagnostics.Builder diags = Diagnostics.builder();
            int index = i;
            if (configs.get(i) != null) {
                Map<String, Claim> own = new HashMap<>();
                for (Claim c : claims(configs.get(i), schemas)) {
                    String key = c.machine() + "\u0000" + c.type() + "\u0000" + c.key();
                    own.putIfAbsent(key, c);
                    Claim other = first.get(key);
                    if (other != null) {
                        diags.add(collision(c, other.resource().address() + " of site " + siteOf.get(key),
                                other.resource().declRange().label(), schemas,
                                "Each site has its own state: let one site manage this object (the site the host belongs to), "
                                        + "and remove the resource from the other's templates or variables."));
                    }
                }
                own.forEach((key, c) -> {
                    if (first.putIfAbsent(key, c) == null) {
                        siteOf.put(key, sites.get(index));
                    }
                });
            }
            out.add(diags.build());
        }
        return out;
    }

    /**
     * Plan time: a resource the state does not hold yet against the resources it holds (after moves):
     * the same identity on the same host means the new one would take over the other's object.
     */
    static void againstState(Configuration config, Map<String, DesiredResource> desired, State state, Set<String> forget,
            ProviderRegistry registry, Diagnostics.Builder diags) {
        for (DesiredResource d : desired.values()) {
            String key = state.resource(d.address()).isPresent() ? null : key(registry::schema, d.type(), name(d.address()), d.attributes());
            if (key == null) {
                continue;
            }
            for (ResourceState s : state.all()) {
                if (s.address().equals(d.address()) || !s.type().equals(d.type()) || !s.host().equals(d.host()) || forget.contains(s.address())
                        || !key.equals(key(registry::schema, s.type(), s.name(), DesiredState.withDefaults(registry.schema(s.type()).orElseThrow(), s.attributes().deepCopy())))) {
                    continue;
                }
                String hint = desired.containsKey(s.address())
                        ? "Make " + d.address() + " differ from " + s.address() + " in " + description(d.type(), registry::schema) + "."
                        : "If " + d.address() + " is " + s.address() + " renamed, keep the object with a moved block:\n\n" + movedBlock(s.address(), d.address());
                config.resource(d.address()).ifPresent(r -> diags.add(Diagnostic.error(ConfigCodes.IDENTITY_COLLISION,
                        d.address() + " would manage the object of " + s.address(),
                        identical(d.type(), d.host(), registry::schema) + " " + s.address() + " is in the state; the two would undo each other's changes.",
                        hint, r.declRange()).withAddress(d.address())));
            }
        }
    }

    /**
     * Whether the configuration now names another object than the one the state holds for the same
     * resource (an explicit ruleName, a partition changed): the plan must replace the state's object,
     * not create a second one beside it. False where either side does not determine its object.
     */
    static boolean renamed(DesiredResource d, ResourceState s, ProviderRegistry registry) {
        ResourceSchema schema = registry.schema(d.type()).orElse(null);
        if (schema == null || schema.identity() == null) {
            return false;
        }
        String now = key(registry::schema, d.type(), name(d.address()), d.attributes());
        String recorded = key(registry::schema, s.type(), s.name(), DesiredState.withDefaults(schema, s.attributes().deepCopy()));
        return now != null && recorded != null && !now.equals(recorded);
    }

    /** The state's attributes of a resource, with the name of its object written out where it derives from the resource's name. */
    static JsonNode named(ResourceState s, ProviderRegistry registry) {
        ResourceSchema.DerivedName derived = registry.schema(s.type()).map(ResourceSchema::derivedName).orElse(null);
        if (derived == null || s.attributes().hasNonNull(derived.attribute())) {
            return s.attributes();
        }
        return ((ObjectNode) s.attributes().deepCopy()).put(derived.attribute(), derived.fromResourceName().apply(s.name()));
    }

    /**
     * A state entry moved to {@code to}. When its object's name derives from the resource's name (and
     * the configuration did not set it), the old name is recorded, so the object is kept, and a warning says so.
     */
    static ResourceState moved(ResourceState s, Configuration.Moved m, ProviderRegistry registry, Diagnostics.Builder diags) {
        ResourceSchema schema = registry == null ? null : registry.schema(s.type()).orElse(null);
        ResourceSchema.DerivedName derived = schema == null ? null : schema.derivedName();
        if (derived == null || s.attributes().hasNonNull(derived.attribute())) {
            return s.withAddress(m.to());
        }
        JsonNode attributes = DesiredState.withDefaults(schema, s.attributes().deepCopy());
        String kept = derived.fromResourceName().apply(s.name());
        if (schema.identity() != null && schema.identity().key().apply(s.name(), attributes)
                .equals(schema.identity().key().apply(name(m.to()), attributes))) {
            return s.withAddress(m.to()); // its object is not found by its name (a target adopted by its GUID)
        }
        ObjectNode pinned = ((ObjectNode) s.attributes().deepCopy()).put(derived.attribute(), kept);
        diags.add(Diagnostic.warning(EngineCodes.MOVE_KEEPS_NAME, m.to() + " keeps its object's name \"" + kept + "\"",
                "On host " + s.host() + " its object is named after its old address " + m.from() + ". A move keeps the object: cem records "
                        + "the name (" + derived.attribute() + " in the state) and keeps using it.",
                "Nothing to do. To rename the object on the host as well, destroy and create it (remove the moved entry).", m.range())
                .withAddress(m.to()));
        return new ResourceState(m.to(), s.type(), s.host(), s.identity(), pinned, s.dependencies(), s.preventDestroy());
    }

    /** Desired resources that leave out the name their object has in the state (kept through a move): they keep it. */
    static Map<String, DesiredResource> keepNames(Map<String, DesiredResource> desired, State state, ProviderRegistry registry) {
        Map<String, DesiredResource> out = new LinkedHashMap<>();
        desired.forEach((address, d) -> {
            String attribute = registry.schema(d.type()).map(ResourceSchema::derivedName).map(ResourceSchema.DerivedName::attribute).orElse(null);
            JsonNode recorded = attribute == null ? null : state.resource(address).map(s -> s.attributes().get(attribute)).orElse(null);
            if (recorded == null || d.attributes().has(attribute)) {
                out.put(address, d);
                return;
            }
            ObjectNode attributes = d.attributes().deepCopy();
            attributes.set(attribute, recorded);
            out.put(address, new DesiredResource(address, d.type(), d.host(), attributes, d.dependencies(), d.preventDestroy(),
                    d.ignoreChanges(), d.baseDirectory()));
        });
        return out;
    }

    /**
     * A resource destroyed (it left the configuration) and one of its type created on its host with the
     * same attributes: most likely a rename without a {@code moved} entry, which would delete the object and
     * make a new one. A warning shows the moved block to write.
     */
    static void renameHints(List<ResourceChange> changes, Configuration config, ProviderRegistry registry, Diagnostics.Builder diags) {
        List<ResourceChange> destroyed = new ArrayList<>(changes.stream()
                .filter(c -> c.action() == Action.DELETE && "not_in_configuration".equals(c.reason()) && c.before() != null).toList());
        for (ResourceChange created : changes) {
            if (created.action() != Action.CREATE || created.reason() != null) {
                continue;
            }
            ResourceSchema schema = registry.schema(created.type()).orElseThrow();
            ResourceChange old = destroyed.stream().filter(c -> c.type().equals(created.type()) && c.host().equals(created.host())
                    && sameAttributes(schema, created.after(), c.before())).findFirst().orElse(null);
            if (old == null) {
                continue;
            }
            destroyed.remove(old);
            config.resource(created.address()).ifPresent(r -> diags.add(Diagnostic.warning(EngineCodes.RENAME_WITHOUT_MOVE,
                    created.address() + " looks like " + old.address() + " renamed",
                    "The plan destroys " + old.address() + " and creates " + created.address() + " with the same attributes on host "
                            + created.host() + ": the object is deleted and a new one made.",
                    "If it is a rename, keep the object with a moved block:\n\n" + movedBlock(old.address(), created.address()),
                    r.declRange()).withAddress(created.address())));
        }
    }

    /** The configured attributes of a new resource against a destroyed one's last read (names, places and secrets aside). */
    private static boolean sameAttributes(ResourceSchema schema, JsonNode after, JsonNode before) {
        for (var it = after.fieldNames(); it.hasNext(); ) {
            String attr = it.next();
            boolean ignored = schema.isComputed(attr) || schema.isSensitive(attr) || attr.equals(ResourceSchema.POSITION)
                    || (schema.derivedName() != null && attr.equals(schema.derivedName().attribute()));
            if (!ignored && !Values.equal(schema, attr, after.get(attr), before.get(attr))) {
                return false;
            }
        }
        return true;
    }

    static String movedBlock(String from, String to) {
        return "moved:\n  - from: " + from + "\n    to: " + to;
    }

    private static List<Claim> claims(Configuration config, Function<String, Optional<ResourceSchema>> schemas) {
        List<Claim> out = new ArrayList<>();
        for (ResourceConfig r : config.resources()) {
            ResourceSchema schema = schemas.apply(r.type()).orElse(null);
            if (schema == null || schema.identity() == null || r.host() == null) {
                continue;
            }
            String key = key(schemas, r.type(), r.name(), DesiredState.attributes(r, schema));
            if (key != null) {
                out.add(new Claim(machine(config.hosts().get(r.host()), r.host()), r.host(), r.type(), key, r));
            }
        }
        return out;
    }

    /**
     * The machine a host entry reaches: its address (and port, when it names one), so that two entries
     * for one server, or one server in two sites, are one machine.
     */
    private static String machine(HostConfig host, String name) {
        if (host == null || host.address().isBlank()) {
            return "host " + name;
        }
        return host.address().toLowerCase(Locale.ROOT) + (host.body().has("port") ? ":" + host.body().get("port").asText() : "");
    }

    private static String key(Function<String, Optional<ResourceSchema>> schemas, String type, String name, JsonNode attributes) {
        ResourceSchema.Identity identity = schemas.apply(type).map(ResourceSchema::identity).orElse(null);
        try {
            return identity == null ? null : identity.key().apply(name, attributes);
        } catch (RuntimeException e) {
            return null; // values the other rules refuse (a path Java cannot read) identify nothing
        }
    }

    private static Diagnostic collision(Claim c, String other, String otherAt, Function<String, Optional<ResourceSchema>> schemas, String hint) {
        return Diagnostic.error(ConfigCodes.IDENTITY_COLLISION, c.resource().address() + " and " + other + " manage one object",
                identical(c.type(), c.hostName(), schemas) + " " + other + " is declared at " + otherAt + ". Each apply would undo the other's changes.",
                hint, c.resource().declRange()).withAddress(c.resource().address());
    }

    private static String identical(String type, String host, Function<String, Optional<ResourceSchema>> schemas) {
        return "Both are " + type + " resources on host " + host + ", and cem finds a " + type + "'s object by " + description(type, schemas)
                + ": the same for both.";
    }

    private static String description(String type, Function<String, Optional<ResourceSchema>> schemas) {
        return schemas.apply(type).map(ResourceSchema::identity).map(ResourceSchema.Identity::description).orElse("identity");
    }

    private static String name(String address) {
        return address.substring(address.indexOf('.') + 1);
    }
}

package cem.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a provider says about one resource type.
 *
 * @param type the type name, e.g. {@code iis_binding}
 * @param attributes attribute schemas by name; attributes not listed compare as {@link AttributeSchema.Kind#OBJECT}
 * @param createBeforeDestroy on replacement, create the new object before deleting the old one
 *     (a new certificate is imported before the old one is unbound)
 * @param defaults values the provider assumes when the configuration leaves an attribute out
 * @param forgetOnDelete cem never deletes objects of this type from a host (a service, an installed
 *     gateway, a revocation): removing one from the configuration only forgets it, and plans say so
 * @param forgetWhenSet an attribute that, when set on a resource, makes cem forget rather than delete that one
 *     resource (a target adopted by its GUID is not cem's to delete), or null
 * @param orderGroup for a type whose objects are ordered on their host (firewall rules in a chain): the
 *     group a resource's attributes (defaults filled in) put it in; resources of one group on one host are
 *     ordered as the configuration declares them, and each gets the attribute {@value #POSITION}. Null
 *     for an unordered type.
 * @param identity how the provider finds a resource's object on its host (two resources with one identity
 *     on one host manage the same object), or null where the type declares none
 * @param derivedName for a type whose object is named after the resource on its host: where that name
 *     lives, so that a {@code moved} resource keeps its object; null otherwise
 */
public record ResourceSchema(String type, Map<String, AttributeSchema> attributes, boolean createBeforeDestroy,
        Map<String, Object> defaults, boolean forgetOnDelete, String forgetWhenSet,
        java.util.function.Function<JsonNode, String> orderGroup, Identity identity, DerivedName derivedName) {

    /**
     * The key by which a provider finds a resource's object on its host.
     *
     * @param description the key's parts in words, for diagnostics and the resource reference
     *     (e.g. "site + protocol + IP address + port + host header")
     * @param key the key of a resource from its name and its attributes with the schema's defaults filled in;
     *     equal keys (compared as returned: normalise case where the host ignores it) mean one object.
     *     Returns null when the attributes do not determine the object (an unresolved reference).
     */
    public record Identity(String description, java.util.function.BiFunction<String, JsonNode, String> key) {}

    /**
     * The name of a resource's object on its host, when it derives from the resource's name (a firewall
     * rule "cem-NAME"). A {@code moved} resource keeps its object: the engine records the old name in
     * {@code attribute} and, while the configuration leaves that attribute out, keeps sending the recorded one.
     *
     * @param attribute the attribute that holds the name (one the configuration may set, or one only cem records)
     * @param fromResourceName the name a resource's object gets when the attribute is left out
     */
    public record DerivedName(String attribute, java.util.function.UnaryOperator<String> fromResourceName) {}

    /** The attribute that holds an ordered resource's 0-based place in its group. */
    public static final String POSITION = "position";

    public ResourceSchema {
        attributes = Map.copyOf(attributes);
        defaults = Map.copyOf(defaults);
    }

    public static ResourceSchema of(String type, boolean createBeforeDestroy, Map<String, Object> defaults,
            List<AttributeSchema> attributes) {
        Map<String, AttributeSchema> byName = new LinkedHashMap<>();
        attributes.forEach(a -> byName.put(a.name(), a));
        return new ResourceSchema(type, byName, createBeforeDestroy, defaults, false, null, null, null, null);
    }

    /** This schema, for a type whose objects cem forgets instead of deleting. */
    public ResourceSchema forgettingOnDelete() {
        return new ResourceSchema(type, attributes, createBeforeDestroy, defaults, true, null, orderGroup, identity, derivedName);
    }

    /** This schema, for a type whose objects cem forgets instead of deleting when {@code attribute} is set on them. */
    public ResourceSchema forgettingOnDeleteWhenSet(String attribute) {
        return new ResourceSchema(type, attributes, createBeforeDestroy, defaults, forgetOnDelete, attribute, orderGroup, identity, derivedName);
    }

    /** This schema, for a type whose objects are ordered within the group {@code group} gives their attributes. */
    public ResourceSchema orderedWithin(java.util.function.Function<JsonNode, String> group) {
        return new ResourceSchema(type, attributes, createBeforeDestroy, defaults, forgetOnDelete, forgetWhenSet, group, identity, derivedName);
    }

    /** This schema, for a type whose objects are found on their host by {@code identity}. */
    public ResourceSchema identifiedBy(String description, java.util.function.BiFunction<String, JsonNode, String> key) {
        return new ResourceSchema(type, attributes, createBeforeDestroy, defaults, forgetOnDelete, forgetWhenSet, orderGroup,
                new Identity(description, key), derivedName);
    }

    /** This schema, for a type whose object is named {@code fromResourceName(name)} unless {@code attribute} says otherwise. */
    public ResourceSchema namedAfterResource(String attribute, java.util.function.UnaryOperator<String> fromResourceName) {
        return new ResourceSchema(type, attributes, createBeforeDestroy, defaults, forgetOnDelete, forgetWhenSet, orderGroup, identity,
                new DerivedName(attribute, fromResourceName));
    }

    /** Whether removing the resource with these (state) attributes from the configuration forgets it. */
    public boolean forgets(JsonNode stateAttributes) {
        return forgetOnDelete || (forgetWhenSet != null && stateAttributes != null && stateAttributes.hasNonNull(forgetWhenSet));
    }

    public Optional<AttributeSchema> attribute(String name) {
        return Optional.ofNullable(attributes.get(name));
    }

    public boolean isSensitive(String name) {
        return attribute(name).map(AttributeSchema::sensitive).orElse(false);
    }

    public boolean isComputed(String name) {
        return attribute(name).map(AttributeSchema::computed).orElse(false);
    }

    public boolean requiresReplace(String name) {
        return attribute(name).map(AttributeSchema::requiresReplace).orElse(false);
    }

    public AttributeSchema.Kind kind(String name) {
        return attribute(name).map(AttributeSchema::kind).orElse(AttributeSchema.Kind.OBJECT);
    }
}

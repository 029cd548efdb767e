package cem.spi;

/**
 * One attribute of a resource type.
 *
 * @param name the attribute's key as written in YAML
 * @param kind how values compare (normalisation)
 * @param computed set by the provider, not by the configuration (e.g. a thumbprint)
 * @param sensitive never printed, stored only as a salted digest
 * @param requiresReplace a change to it replaces the resource rather than updating it
 * @param unreadable the host does not report it: what cem last set (the state) stands for the live value,
 *     so that a change in the configuration is a change, not drift (the provider's read echoes the configuration)
 * @param resolvedAtApply the references it holds are sent to the host as the named objects' host identities (e.g.
 *     GUIDs), resolved at apply: when a named object is replaced its identity changes, so the resource is updated
 *     after it to send them again (else it keeps naming the deleted object)
 */
public record AttributeSchema(String name, Kind kind, boolean computed, boolean sensitive, boolean requiresReplace, boolean unreadable,
        boolean resolvedAtApply) {

    /** How two values of an attribute are compared, so that equal values never show as changes. */
    public enum Kind {
        /** Compared as written. */
        STRING,
        /** Compared ignoring case (thumbprints, host names, Windows names). */
        CASE_INSENSITIVE,
        /** A number, also when written as a string ("443" == 443). */
        NUMBER,
        BOOLEAN,
        /** An IP address where "*", "" and "0.0.0.0" all mean every address. */
        IP_WILDCARD,
        /** An ordered list. */
        LIST,
        /** A list whose order does not matter. */
        SET,
        /** Any structure, compared as JSON. */
        OBJECT
    }

    public static AttributeSchema of(String name, Kind kind) {
        return new AttributeSchema(name, kind, false, false, false, false, false);
    }

    public AttributeSchema asComputed() {
        return new AttributeSchema(name, kind, true, sensitive, requiresReplace, unreadable, resolvedAtApply);
    }

    public AttributeSchema asSensitive() {
        return new AttributeSchema(name, kind, computed, true, requiresReplace, unreadable, resolvedAtApply);
    }

    public AttributeSchema forcingReplacement() {
        return new AttributeSchema(name, kind, computed, sensitive, true, unreadable, resolvedAtApply);
    }

    public AttributeSchema asUnreadable() {
        return new AttributeSchema(name, kind, computed, sensitive, requiresReplace, true, resolvedAtApply);
    }

    public AttributeSchema asResolvedAtApply() {
        return new AttributeSchema(name, kind, computed, sensitive, requiresReplace, unreadable, true);
    }
}

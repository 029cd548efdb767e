package cem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What the reference says about one resource type ({@code cem doc TYPE --json}, {@code docs/resources/TYPE.md}).
 *
 * @param type the type name
 * @param summary one line: the first sentence of the schema's description
 * @param description the schema's description of the type
 * @param provider the provider that manages the type
 * @param os the operating system its host is declared with ({@code hosts.NAME.os})
 * @param runsOn where on that host the object lives
 * @param identity how the provider finds the object on its host, or null where the type declares none
 * @param arguments what a configuration sets (nested keys as {@code installer.package}, {@code servers[].fqdn})
 * @param attributes what the provider reads from the host and a configuration does not set
 * @param forcesReplacement the arguments whose change replaces the object
 * @param createBeforeDestroy on replacement the new object is created before the old one is deleted
 * @param orderedBy for an ordered type, the group within which resources keep the configuration's order; else null
 * @param forgetOnDelete cem never deletes objects of this type
 * @param forgetWhenSet the argument that, when set, makes cem forget rather than delete the object; or null
 * @param onDelete what deleting the resource does to its object when that is not a plain delete (the policy is turned off); or null
 * @param neverDeletes what cem leaves on the host, in words
 * @param adopt how to bring an existing object under cem's management
 * @param calls the host-side commands and APIs the type uses
 * @param sources the documents those facts come from
 * @param assumptions facts no document settles (**[?]**) and how to check them
 * @param example a resource of this type from {@code examples/}
 */
record ResourceDoc(String type, String summary, String description, String provider, String os, String runsOn, String identity,
        List<Argument> arguments, List<Attribute> attributes, List<String> forcesReplacement, boolean createBeforeDestroy,
        String orderedBy, boolean forgetOnDelete, String forgetWhenSet, String onDelete, List<String> neverDeletes, String adopt,
        List<Call> calls, List<String> sources, List<String> assumptions, Example example) {

    /**
     * One argument.
     *
     * @param name the key, dotted for nested keys ({@code installer.package}, {@code servers[].fqdn})
     * @param type the value's type in words ("integer, 1 to 65535", "one of `running`, `stopped`")
     * @param required whether the configuration must set it
     * @param defaultValue what the provider assumes when it is left out, or null
     * @param description the schema's description (with the description of the type it refers to)
     * @param sensitive never printed; stored only as a salted digest
     * @param forcesReplacement a change replaces the object
     * @param deprecated the schema marks it deprecated
     * @param references the resource type whose name it holds, or null
     */
    record Argument(String name, String type, boolean required, JsonNode defaultValue, String description, boolean sensitive,
            boolean forcesReplacement, boolean deprecated, String references) {}

    /**
     * An attribute the provider reads from the host.
     *
     * @param computed known only after apply (the plan shows "(known after apply)")
     */
    record Attribute(String name, boolean computed, String description) {}

    /** A host-side operation: its name (an agent op, a command) and what it calls, with sources. */
    record Call(String name, String calls) {}

    /** @param file the file under {@code examples/} @param name the resource's name there @param yaml the resource as written */
    record Example(String file, String name, String yaml) {}
}

package cem.cli;

import cem.cli.DocPage.Item;
import cem.cli.ResourceDoc.Argument;
import cem.cli.ResourceDoc.Attribute;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The page of a resource type ({@code docs/resources/TYPE.md}, {@code cem doc TYPE}) and of one of its attributes. */
final class ResourcePage {

    private ResourcePage() {}

    static DocPage of(ResourceDoc d) {
        DocPage.Builder page = new DocPage.Builder().heading(1, "`" + d.type() + "`").para(d.description());
        page.items(true, List.of(
                new Item("**Provider**", "`" + d.provider() + "`"),
                new Item("**Host**", "declared with `os: " + d.os() + "`; " + d.runsOn()),
                new Item("**Identity on the host**", identity(d)),
                new Item("**Forces replacement**", replacing(d)),
                new Item("**Removed from the configuration**", leaving(d))));

        page.heading(2, "Example").para("From `" + d.example().file() + "`:").code("yaml", d.example().yaml());

        page.heading(2, "Argument reference")
                .para("Every resource also takes `type` and `name` (required), `host` (required: a host of `hosts`), `description`, "
                        + "`dependsOn` (addresses it waits for) and `lifecycle` (`preventDestroy`, `ignoreChanges`).");
        page.items(false, d.arguments().stream().map(a -> new Item("`" + a.name() + "`", argument(a))).toList());

        page.heading(2, "Attribute reference");
        if (d.attributes().isEmpty()) {
            page.para("The provider reads back the arguments only.");
        } else {
            page.para("Besides the arguments, the provider reads these from the host; a configuration does not set them. "
                    + "Known after apply: a plan shows \"(known after apply)\" until the object exists.");
            page.items(false, d.attributes().stream().map(a -> new Item("`" + a.name() + "`", attribute(a))).toList());
        }

        page.heading(2, "Identity and adoption").para("**Identity on the host:** " + identity(d)).para(d.adopt());

        page.heading(2, "Lifecycle");
        List<Item> lifecycle = new ArrayList<>();
        lifecycle.add(new Item("Forces replacement", replacing(d)));
        lifecycle.add(new Item("On replacement", (d.forgetOnDelete()
                ? "cem forgets the old object (it never deletes one of this type: it stays on the host as it is), then takes on the new one."
                : d.createBeforeDestroy() ? "cem creates the new object first, then deletes the old one (create before destroy)."
                : "cem deletes the old object, then creates the new one.")
                + " The old object is the one the state records, so a changed name never leaves it behind."));
        if (d.orderedBy() != null) {
            lifecycle.add(new Item("Ordered", "resources of one " + d.orderedBy() + " on one host keep the order in which the "
                    + "configuration declares them; each gets the attribute `position`."));
        }
        lifecycle.add(new Item("Removed from the configuration", leaving(d)));
        page.items(true, lifecycle);

        page.heading(2, "What cem never deletes");
        List<Item> never = new ArrayList<>();
        d.neverDeletes().forEach(s -> never.add(new Item(null, s)));
        never.add(new Item(null, "What its state does not record: cem deletes only objects it created or adopted."));
        page.items(false, never);

        page.heading(2, "Host-side calls");
        page.items(false, d.calls().stream().map(c -> new Item("`" + c.name() + "`", c.calls())).toList());

        page.heading(2, "Sources");
        page.items(false, d.sources().stream().map(s -> new Item(null, s)).toList());

        page.heading(2, "Assumptions (**[?]**)");
        if (d.assumptions().isEmpty()) {
            page.para("None: every fact this type relies on names its source.");
        } else {
            page.items(false, d.assumptions().stream().map(s -> new Item(null, s)).toList());
        }
        return page.build();
    }

    /** The page of one attribute: {@code cem doc TYPE.ATTRIBUTE}. */
    static Optional<DocPage> attribute(ResourceDoc d, String name) {
        for (Argument a : d.arguments()) {
            if (a.name().equals(name) || a.name().replace("[]", "").equals(name)) {
                return Optional.of(new DocPage.Builder().heading(1, d.type() + "." + a.name()).para(argument(a)).build());
            }
        }
        for (Attribute a : d.attributes()) {
            if (a.name().equals(name)) {
                return Optional.of(new DocPage.Builder().heading(1, d.type() + "." + a.name()).para(attribute(a)).build());
            }
        }
        return Optional.empty();
    }

    /** Every name {@code cem doc TYPE.NAME} answers, for "did you mean". */
    static List<String> names(ResourceDoc d) {
        List<String> out = new ArrayList<>();
        d.arguments().forEach(a -> out.add(a.name().replace("[]", "")));
        d.attributes().forEach(a -> out.add(a.name()));
        return out;
    }

    static String identity(ResourceDoc d) {
        return d.identity() == null ? "not declared." : d.identity() + ".";
    }

    /** What happens to the object when its resource leaves the configuration (or on {@code cem destroy}). */
    private static String leaving(ResourceDoc d) {
        if (d.forgetOnDelete()) {
            return "cem only forgets it (removes it from the state); the object stays on the host.";
        }
        if (d.forgetWhenSet() != null) {
            return "with `" + d.forgetWhenSet() + "` set cem only forgets it; otherwise cem deletes the object.";
        }
        return d.onDelete() != null ? d.onDelete() : "cem deletes the object (as `cem destroy` does); `removed: [{from: ADDR}]` forgets it instead.";
    }

    private static String replacing(ResourceDoc d) {
        return d.forcesReplacement().isEmpty() ? "nothing: every change is made in place."
                : String.join(", ", d.forcesReplacement().stream().map(n -> "`" + n + "`").toList()) + " (a change replaces the object).";
    }

    private static String argument(Argument a) {
        List<String> parts = new ArrayList<>();
        parts.add((a.required() ? "Required" : "Optional") + "; " + a.type() + ".");
        if (a.defaultValue() != null && !a.description().contains("Default")) {
            parts.add("Default `" + (a.defaultValue().isTextual() ? a.defaultValue().asText() : a.defaultValue().toString()) + "`.");
        }
        if (a.forcesReplacement()) {
            parts.add("**Forces replacement.**");
        }
        if (a.sensitive()) {
            parts.add("**Sensitive:** never printed; the state keeps only a salted digest.");
        }
        if (a.deprecated()) {
            parts.add("**Deprecated.**");
        }
        if (!a.description().isEmpty()) {
            parts.add(a.description());
        }
        return String.join(" ", parts);
    }

    private static String attribute(Attribute a) {
        return (a.computed() ? "Read-only; known after apply. " : "Read-only. ") + a.description();
    }

    /** The index of {@code docs/resources/}: each type with its one line. */
    static DocPage index(ResourceDocs docs) {
        return new DocPage.Builder().heading(1, "Resource types")
                .para("One page per type, generated from the JSON Schema (`schemas/cem.schema.json`), what each provider declares, and "
                        + "the notes beside each provider (`cem/doc/TYPE.yaml`). The same pages print in a terminal with `cem doc TYPE`.")
                .items(false, docs.types().stream().map(t -> new Item("[`" + t + "`](" + t + ".md)", docs.summary(t))).toList())
                .build();
    }
}

package cem.sites;

import cem.config.SchemaCheck;
import cem.config.YamlDocument;
import cem.config.YamlLoader;
import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.diag.SourceRange;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fleet's site inventory, {@code sites.yaml}: where the templates are, each site's variables,
 * wave and tags, and the rollout section.
 *
 * @param directory the fleet's directory (the one holding sites.yaml)
 * @param doc the parsed file, for positions
 * @param templates the templates' directory
 * @param output the directory of one directory per site (rendered files, local state)
 * @param overrides the directory of per-site extra files
 * @param sites the sites in inventory order
 * @param rollout the rollout section, or an empty object
 */
public record Inventory(Path directory, YamlDocument doc, Path templates, Path output, Path overrides, List<Site> sites, JsonNode rollout) {

    public static final String FILE = "sites.yaml";
    static final String SCHEMA = "/cem/schemas/sites.schema.json";

    /**
     * One site.
     *
     * @param name its name (unique)
     * @param wave the wave it names, or null
     * @param tags its labels
     * @param vars the defaults overlaid with its own vars
     * @param index its place in the inventory
     * @param range where its entry is in sites.yaml
     */
    public record Site(String name, String wave, List<String> tags, ObjectNode vars, int index, SourceRange range) {}

    /** Whether a directory is a fleet (holds a sites.yaml). */
    public static boolean isFleet(Path directory) {
        return Files.isRegularFile(directory.resolve(FILE));
    }

    /** The directory a site's configuration is (or would be) rendered into. */
    public Path siteDirectory(String site) {
        return output.resolve(site);
    }

    public java.util.Optional<Site> site(String name) {
        return sites.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Reads and checks {@code directory/sites.yaml}. */
    public static Result<Inventory> load(Path directory, Path workingDirectory) {
        Path dir = directory.toAbsolutePath().normalize();
        Path file = dir.resolve(FILE);
        Path cwd = workingDirectory.toAbsolutePath().normalize();
        Path shown = file.startsWith(cwd) ? cwd.relativize(file) : file;
        if (!Files.isRegularFile(file)) {
            return Result.failed(new Diagnostic(cem.diag.Severity.ERROR, SiteCodes.NO_INVENTORY, "No site inventory in " + (shown.getParent() == null ? "." : shown.getParent()),
                    "Multi-site commands read the sites of a fleet from " + FILE + ".",
                    "Pass the directory that holds sites.yaml (see examples/gitops), or run the command without --sites on a configuration directory.",
                    null, null));
        }
        Result<YamlDocument> loaded = new YamlLoader().load(file, shown);
        if (loaded.value() == null) {
            return new Result<>(null, loaded.diagnostics());
        }
        YamlDocument doc = loaded.value();
        Diagnostics.Builder diags = Diagnostics.builder().addAll(loaded.diagnostics());
        Diagnostics schema = new SchemaCheck(SCHEMA).check(doc);
        diags.addAll(schema);
        if (schema.hasErrors()) {
            return new Result<>(null, diags.build());
        }
        JsonNode root = doc.root();
        Path templates = dir.resolve(root.path("template").asText()).normalize();
        if (!Files.isDirectory(templates)) {
            diags.add(Diagnostic.error(SiteCodes.NO_TEMPLATES, "Template directory does not exist",
                    "cem looked for the site templates in " + templates + ".",
                    "Point template: at a directory of *.yaml.ftl files, relative to sites.yaml.", doc.valueRange("/template")));
        }
        ObjectNode defaults = root.path("defaults").isObject() ? (ObjectNode) root.get("defaults") : JsonNodeFactory.instance.objectNode();
        List<Site> sites = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        JsonNode items = root.path("sites");
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String pointer = "/sites/" + i;
            String name = item.path("name").asText();
            Integer first = seen.putIfAbsent(name, i);
            if (first != null) {
                diags.add(Diagnostic.error(SiteCodes.DUPLICATE_SITE, "Duplicate site \"" + name + "\"",
                        "Site \"" + name + "\" is already defined at " + doc.valueRange("/sites/" + first + "/name").label() + ".",
                        "Give every site its own name: it names the site's state and directory.", doc.valueRange(pointer + "/name")));
                continue;
            }
            ObjectNode vars = defaults.deepCopy();
            if (item.path("vars").isObject()) {
                vars.setAll((ObjectNode) item.get("vars"));
                if (item.get("vars").has("site")) {
                    diags.add(Diagnostic.error(SiteCodes.RESERVED_VARIABLE, "Variable name \"site\" is reserved",
                            "Templates read the site's name, wave and tags as site.name, site.wave and site.tags.",
                            "Rename the variable.", doc.keyRange(pointer + "/vars/site")));
                }
            }
            if (defaults.has("site")) {
                diags.add(Diagnostic.error(SiteCodes.RESERVED_VARIABLE, "Variable name \"site\" is reserved",
                        "Templates read the site's name, wave and tags as site.name, site.wave and site.tags.",
                        "Rename the variable.", doc.keyRange("/defaults/site")));
            }
            List<String> tags = new ArrayList<>();
            item.path("tags").forEach(t -> tags.add(t.asText()));
            String wave = item.hasNonNull("wave") ? item.get("wave").asText() : null;
            sites.add(new Site(name, wave, List.copyOf(tags), vars, i, doc.keyRange(pointer)));
        }
        Path output = dir.resolve(root.path("output").asText("sites")).normalize();
        Path overrides = dir.resolve(root.path("overrides").asText("overrides")).normalize();
        JsonNode rollout = root.path("rollout").isObject() ? root.get("rollout") : JsonNodeFactory.instance.objectNode();
        Inventory inventory = new Inventory(dir, doc, templates, output, overrides, List.copyOf(sites), rollout);
        diags.addAll(Waves.check(inventory));
        Diagnostics all = diags.build();
        return new Result<>(all.hasErrors() ? null : inventory, all);
    }
}

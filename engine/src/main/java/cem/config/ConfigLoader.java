package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.diag.SourceRange;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a configuration directory: every {@code *.yaml} / {@code *.yml} file in it (not in
 * subdirectories), each checked against the schema, merged into one {@link Configuration}.
 * Problems in one file do not hide problems in another: all are reported.
 */
public final class ConfigLoader {

    private final YamlLoader yaml = new YamlLoader();
    private final SchemaCheck schema;
    private final Path workingDirectory;

    /** @param workingDirectory paths in diagnostics are shown relative to it */
    public ConfigLoader(SchemaCheck schema, Path workingDirectory) {
        this.schema = schema;
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
    }

    public Result<Configuration> load(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            String what = Files.exists(dir) ? "is not a directory" : "does not exist";
            return Result.failed(new Diagnostic(cem.diag.Severity.ERROR, ConfigCodes.NO_DIRECTORY,
                    "Configuration directory " + what, "cem looked for " + shown(dir) + ".",
                    "Pass the directory that holds your *.yaml files, e.g. `cem validate examples/single-site`.",
                    null, null));
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> {
                        String n = p.getFileName().toString();
                        // Not only regular files: a dangling link or a special file named *.yaml is reported, not skipped.
                        return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.startsWith(".") && !Files.isDirectory(p);
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return Result.failed(new Diagnostic(cem.diag.Severity.ERROR, ConfigCodes.NO_DIRECTORY,
                    "Cannot list the configuration directory", e.getMessage(),
                    "Check the directory's permissions.", null, null));
        }
        if (files.isEmpty()) {
            return Result.failed(new Diagnostic(cem.diag.Severity.ERROR, ConfigCodes.NO_YAML,
                    "No configuration files in " + shown(dir),
                    "cem reads the *.yaml and *.yml files of the directory (not of its subdirectories).",
                    "Pass the directory that holds your configuration, or create one with a file that starts with \"version: 1\".",
                    null, null));
        }
        return load(dir, files.stream().map(f -> new Source(f, null)).toList());
    }

    /**
     * A file of a configuration: on disk ({@code text} null), or text made in memory (a site
     * rendered from templates) that reads as if it were at {@code path}.
     */
    public record Source(Path path, String text) {}

    /** Loads a configuration from these sources, as if they were the files of {@code directory}. */
    public Result<Configuration> load(Path directory, List<Source> sources) {
        Path dir = directory.toAbsolutePath().normalize();
        Diagnostics.Builder diags = Diagnostics.builder();
        List<YamlDocument> docs = new ArrayList<>();
        for (Source source : sources) {
            Path file = source.path().toAbsolutePath().normalize();
            Result<YamlDocument> loaded = source.text() == null ? yaml.load(file, shown(file)) : yaml.parse(source.text(), file, shown(file));
            diags.addAll(loaded.diagnostics());
            if (loaded.value() == null) {
                continue;
            }
            YamlDocument doc = loaded.value();
            docs.add(doc);
            diags.addAll(checkVersionThenSchema(doc));
        }
        Configuration config = merge(dir, docs, diags);
        return new Result<>(config, diags.build());
    }

    private Diagnostics checkVersionThenSchema(YamlDocument doc) {
        JsonNode root = doc.root();
        if (!root.isObject()) {
            return Diagnostics.of(Diagnostic.error(ConfigCodes.WRONG_TYPE, "Configuration file is not a mapping",
                    "The top of a configuration file is a mapping with version, hosts and resources.",
                    "Start the file with \"version: 1\".", doc.valueRange("")));
        }
        JsonNode version = root.get("version");
        if (version != null && !(version.isIntegralNumber() && version.asInt() == 1)) {
            // A file of another format version cannot be checked against this schema at all.
            return Diagnostics.of(Diagnostic.error(ConfigCodes.UNSUPPORTED_VERSION, "Unsupported configuration version",
                    "This file says version " + version.asText() + "; this cem reads version 1.",
                    "Write \"version: 1\", or use the cem release that wrote this file.",
                    doc.valueRange("/version")));
        }
        return schema.check(doc);
    }

    /** Merges the files' hosts, resources and perimeter; a name defined twice is an error naming both places. */
    private Configuration merge(Path dir, List<YamlDocument> docs, Diagnostics.Builder diags) {
        Map<String, HostConfig> hosts = new LinkedHashMap<>();
        List<ResourceConfig> resources = new ArrayList<>();
        Map<String, ResourceConfig> byAddress = new HashMap<>();
        Perimeter perimeter = null;
        List<Configuration.Moved> moved = new ArrayList<>();
        List<Configuration.Removed> removed = new ArrayList<>();
        for (YamlDocument doc : docs) {
            JsonNode root = doc.root();
            if (!root.isObject()) {
                continue;
            }
            root.path("hosts").fields().forEachRemaining(e -> {
                String pointer = YamlDocument.pointer("/hosts", e.getKey());
                HostConfig host = new HostConfig(e.getKey(), e.getValue().path("os").asText(""), e.getValue(), doc, pointer);
                HostConfig first = hosts.putIfAbsent(e.getKey(), host);
                if (first != null) {
                    diags.add(duplicate("host \"" + e.getKey() + "\"", host.declRange(), first.declRange()));
                }
            });
            JsonNode items = root.path("resources");
            for (int i = 0; i < items.size(); i++) {
                JsonNode item = items.path(i);
                if (!item.path("type").isTextual() || !item.path("name").isTextual()) {
                    continue; // the schema reported it
                }
                String host = item.path("host").isTextual() ? item.get("host").asText() : null;
                ResourceConfig r = new ResourceConfig(item.get("type").asText(), item.get("name").asText(), host, item,
                        doc, YamlDocument.pointer("/resources", i));
                ResourceConfig first = byAddress.putIfAbsent(r.address(), r);
                if (first != null) {
                    diags.add(duplicate("resource " + r.address(), r.range("name"), first.range("name")));
                } else {
                    resources.add(r);
                }
            }
            JsonNode moves = root.path("moved");
            for (int i = 0; i < moves.size(); i++) {
                JsonNode m = moves.path(i);
                if (m.path("from").isTextual() && m.path("to").isTextual()) {
                    moved.add(new Configuration.Moved(m.get("from").asText(), m.get("to").asText(),
                            doc.valueRange("/moved/" + i)));
                }
            }
            JsonNode removals = root.path("removed");
            for (int i = 0; i < removals.size(); i++) {
                JsonNode r = removals.path(i);
                if (r.path("from").isTextual()) {
                    removed.add(new Configuration.Removed(r.get("from").asText(), doc.valueRange("/removed/" + i)));
                }
            }
            if (root.has("perimeter") && root.get("perimeter").isObject()) {
                JsonNode p = root.get("perimeter");
                List<Integer> ports = new ArrayList<>();
                p.path("openPorts").forEach(n -> ports.add(n.asInt()));
                Perimeter next = new Perimeter(p.path("managedBy").asText(), ports, doc.keyRange("/perimeter"));
                if (perimeter != null) {
                    diags.add(duplicate("perimeter", next.range(), perimeter.range()));
                } else {
                    perimeter = next;
                }
            }
        }
        return new Configuration(dir, docs, hosts, resources, perimeter, moved, removed);
    }

    private static Diagnostic duplicate(String what, SourceRange second, SourceRange first) {
        return Diagnostic.error(ConfigCodes.DUPLICATE_ADDRESS, "Duplicate " + what,
                what.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + what.substring(1) + " is already defined at "
                        + first.label() + ".",
                "Rename one of them, or remove the copy.", second);
    }

    private Path shown(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        if (abs.equals(workingDirectory)) {
            return Path.of("."); // the working directory itself: "." rather than an empty name
        }
        return abs.startsWith(workingDirectory) ? workingDirectory.relativize(abs) : abs;
    }
}

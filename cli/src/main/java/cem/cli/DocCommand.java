package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Severity;
import cem.diag.Suggestions;
import cem.engine.ProviderRegistry;
import cem.spi.ProviderContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cem doc [TYPE[.ATTRIBUTE]]}: the resource reference in the terminal, and the generator of {@code docs/}. */
@Command(name = "doc", description = {
    "Show the reference of a resource type, or list the types.",
    "A page gives the arguments and attributes, what forces a replacement, the identity on the host, what cem never deletes",
    "and how to adopt an existing object. Without NAME, the types are listed, one line each."})
final class DocCommand implements Callable<Integer> {

    /** Terminal width when nothing says otherwise. */
    static final int DEFAULT_WIDTH = 80;

    private final Session session;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "A resource type (internet_gateway) or one of its attributes (internet_gateway.listenerPort).")
    String name;

    @Option(names = "--json", description = "Print the reference as JSON, for tools and editors.")
    boolean json;

    @Option(names = "--markdown", description = "Print the page as Markdown (as in docs/resources/).")
    boolean markdown;

    @Option(names = "--write", paramLabel = "DIR", description = "Write the Markdown reference into DIR/resources/ and DIR/commands/ "
            + "(the repository's docs/: `cem doc --write docs`).")
    String write;

    @Option(names = "--check", paramLabel = "DIR", description = "Exit 1 when the Markdown reference in DIR differs from what this "
            + "build generates (CI: `cem doc --check docs`).")
    String check;

    DocCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        try (ProviderRegistry registry = ProviderRegistry.load(new ProviderContext(session.env(), session.cwd(), false))) {
            ResourceDocs docs = ResourceDocs.of(registry);
            if (check != null) {
                check(docs, session.resolve(check));
            } else if (write != null) {
                Path dir = session.resolve(write);
                int pages = write(docs, Cli.tree(session), dir);
                session.out().println("Wrote " + pages + " pages to " + session.shown(dir));
            } else if (name == null) {
                list(docs);
            } else {
                show(docs);
            }
        }
        session.out().flush();
        return ExitCodes.OK;
    }

    private void check(ResourceDocs docs, Path dir) throws IOException {
        List<String> stale = stale(pages(docs, Cli.tree(session)), dir);
        if (!stale.isEmpty()) {
            throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9083", "The reference in " + session.shown(dir) + " is out of date",
                    "These pages differ from what this build generates from its schema, providers and examples: " + String.join(", ", stale) + ".",
                    "Run `cem doc --write " + session.shown(dir) + "` and commit the result.", null, null));
        }
        session.out().println("The reference in " + session.shown(dir) + " is up to date.");
    }

    /** The pages under {@code dir} that differ from {@code pages}, are missing, or are no longer generated. */
    static List<String> stale(Map<String, String> pages, Path dir) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        for (Map.Entry<String, String> e : pages.entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f) || !Files.readString(f, StandardCharsets.UTF_8).equals(e.getValue())) {
                out.add(e.getKey());
            }
        }
        for (String sub : List.of("resources", "commands")) {
            if (Files.isDirectory(dir.resolve(sub))) {
                try (var files = Files.list(dir.resolve(sub))) {
                    files.map(f -> sub + "/" + f.getFileName()).filter(f -> f.endsWith(".md") && !pages.containsKey(f)).sorted()
                            .forEach(f -> out.add(f + " (no longer generated)"));
                }
            }
        }
        return out;
    }

    private void list(ResourceDocs docs) throws IOException {
        if (json) {
            List<Map<String, String>> types = docs.types().stream()
                    .map(t -> Map.of("type", t, "summary", docs.summary(t))).toList();
            session.out().println(JsonOutput.write(types));
            return;
        }
        int pad = docs.types().stream().mapToInt(String::length).max().orElse(0) + 2;
        int width = width();
        for (String t : docs.types()) {
            String line = t + " ".repeat(pad - t.length()) + docs.summary(t);
            session.out().println(line.length() > width ? line.substring(0, width - 1) + "…" : line);
        }
    }

    private void show(ResourceDocs docs) throws IOException {
        int dot = name.indexOf('.');
        String type = dot < 0 ? name : name.substring(0, dot);
        if (!docs.types().contains(type)) {
            throw unknown("resource type \"" + type + "\"", Suggestions.closest(type, docs.types()).orElse(null),
                    "Run `cem doc` to list the types.");
        }
        ResourceDoc doc = docs.doc(type);
        DocPage page;
        Object data;
        if (dot < 0) {
            page = ResourcePage.of(doc);
            data = doc;
        } else {
            String attribute = name.substring(dot + 1);
            page = ResourcePage.attribute(doc, attribute).orElseThrow(() -> unknown("attribute \"" + attribute + "\" of " + type,
                    Suggestions.closest(attribute, ResourcePage.names(doc)).map(s -> type + "." + s).orElse(null),
                    "Run `cem doc " + type + "` to see its attributes."));
            data = doc.arguments().stream().filter(a -> a.name().replace("[]", "").equals(attribute) || a.name().equals(attribute))
                    .findFirst().<Object>map(a -> a)
                    .orElseGet(() -> doc.attributes().stream().filter(a -> a.name().equals(attribute)).findFirst().orElseThrow());
        }
        if (json) {
            session.out().println(JsonOutput.write(data));
        } else {
            session.out().print(markdown ? page.markdown() : page.text(width()));
        }
    }

    private static DiagnosticsException unknown(String what, String suggestion, String hint) {
        return new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9082", "Unknown " + what,
                "cem has no reference page for it.", (suggestion == null ? "" : "Did you mean \"" + suggestion + "\"? ") + hint, null, null));
    }

    /** The terminal's width: $COLUMNS when set, else what the terminal says, else {@value #DEFAULT_WIDTH}. */
    private int width() {
        String columns = session.env().getOrDefault("COLUMNS", "");
        if (columns.matches("[0-9]{2,4}")) {
            return Integer.parseInt(columns);
        }
        return session.terminal() ? new CommandLine.Model.UsageMessageSpec().width(DEFAULT_WIDTH).autoWidth(true).width() : DEFAULT_WIDTH;
    }

    /** Writes {@code resources/} and {@code commands/} under {@code dir}, removing pages of types and commands that are gone. */
    static int write(ResourceDocs docs, CommandLine root, Path dir) throws IOException {
        Map<String, String> pages = pages(docs, root);
        for (String sub : List.of("resources", "commands")) {
            Path d = Files.createDirectories(dir.resolve(sub));
            try (var files = Files.list(d)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".md")).toList()) {
                    if (!pages.containsKey(sub + "/" + f.getFileName())) {
                        Files.delete(f);
                    }
                }
            }
        }
        for (Map.Entry<String, String> e : pages.entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
        }
        return pages.size();
    }

    /** Every page of {@code docs/}, by its path below it. */
    static Map<String, String> pages(ResourceDocs docs, CommandLine root) {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("resources/README.md", ResourcePage.index(docs).markdown());
        for (String t : docs.types()) {
            pages.put("resources/" + t + ".md", ResourcePage.of(docs.doc(t)).markdown());
        }
        CommandDocs.pages(root).forEach((file, page) -> pages.put("commands/" + file, page));
        return pages;
    }
}

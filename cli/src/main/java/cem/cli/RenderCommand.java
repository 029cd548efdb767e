package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.DiagnosticsException;
import cem.diag.Severity;
import cem.sites.Inventory;
import cem.sites.RenderedSite;
import cem.sites.SiteCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem render [FLEET]}: the templates and the inventory, written as one configuration directory per site. */
@Command(name = "render", description = {
    "Write each site's configuration, rendered from the fleet's templates.",
    "One directory per site (sites/NAME/), one file per template: commit them,",
    "and a pull request shows what a change does to every site. A site with",
    "errors is not written; files cem rendered that no template makes now are",
    "removed. --check writes nothing and exits 1 when a file is out of date."})
final class RenderCommand implements Callable<Integer> {

    /** The first words of every file cem writes here; only such files are ever replaced or removed. */
    static final List<String> OWN_MARKS = List.of("# Rendered by `cem render`", "# Copied by `cem render`");

    private final Session session;

    @Parameters(arity = "0..1", paramLabel = "FLEET", description = "The fleet's directory, holding sites.yaml (default: the current one).")
    String directory = ".";

    @Option(names = "--sites", paramLabel = "SELECTOR", split = ",", description = "Render these sites: all, names, globs, tag:NAME, wave:NAME (default: all).")
    List<String> sites = new ArrayList<>();

    @Option(names = "--check", description = "Write nothing; exit 1 if a rendered file on disk differs from what the templates make now.")
    boolean check;

    @Mixin
    CommonOptions common;

    RenderCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        Inventory inventory = Fleet.inventory(session, directory);
        List<Fleet.Member> members = Fleet.render(session, inventory, Fleet.select(inventory, sites), Severity.WARNING);
        Diagnostics diagnostics = Fleet.combined(members);
        if (!diagnostics.isEmpty()) {
            new DiagnosticPrinter(session, common.color(session), Fleet.lines(members)).print(diagnostics);
        }
        List<String> changed = new ArrayList<>();
        int unchanged = 0;
        int failed = 0;
        for (Fleet.Member m : members) {
            if (m.rendered == null || m.diagnostics.hasErrors()) {
                failed++;
                continue;
            }
            Written w = write(session, inventory.directory(), m.rendered, check);
            changed.addAll(w.changed());
            unchanged += w.unchanged();
        }
        changed.forEach(c -> session.out().println((check ? "out of date: " : "") + c));
        orphans(inventory);
        String where = session.shown(inventory.output()).toString();
        if (check) {
            if (!changed.isEmpty()) {
                throw new DiagnosticsException(new Diagnostic(Severity.ERROR, SiteCodes.RENDER_OUT_OF_DATE,
                        changed.size() + " rendered file(s) in " + where + " are out of date",
                        "The templates or sites.yaml changed, and `cem render` was not run since (the files are listed above).",
                        "Run `cem render " + directory + "` and commit the result.", null, null));
            }
            session.out().println("The rendered files of " + members.size() + " site(s) in " + where + " are up to date.");
        } else {
            session.out().println("Rendered " + (members.size() - failed) + " site(s) into " + where + ": " + changed.size() + " file(s) changed, "
                    + unchanged + " unchanged." + (failed > 0 ? " " + failed + " site(s) with errors were not written." : ""));
        }
        session.out().flush();
        return failed > 0 ? ExitCodes.ERROR : ExitCodes.OK;
    }

    /**
     * Site directories the inventory no longer names. Their hosts are still configured as cem left
     * them and their state still records it: cem says so rather than deleting anything.
     */
    private void orphans(Inventory inventory) throws IOException {
        if (!Files.isDirectory(inventory.output())) {
            return;
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        inventory.sites().forEach(site -> names.add(site.name()));
        try (Stream<Path> dirs = Files.list(inventory.output())) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                String name = d.getFileName().toString();
                if (names.contains(name)) {
                    continue;
                }
                boolean state = Files.exists(d.resolve(".cem").resolve("state.json"));
                session.err().println("Warning: " + session.shown(d) + " is no site of " + Inventory.FILE + " any more"
                        + (state ? "; its state still records what cem manages there. Destroy it first (`cem destroy " + session.shown(d)
                                + "`), then delete the directory." : "; delete the directory if it is not needed."));
            }
        }
    }

    /** What writing a site's files changed ("created  sites/ams/site.yaml", …), and how many files were already as rendered. */
    record Written(List<String> changed, int unchanged) {}

    /**
     * Writes a site's rendered files into its directory (with {@code check}, writes nothing), and
     * removes those cem rendered that no template makes now.
     */
    static Written write(Session session, Path fleet, RenderedSite site, boolean check) throws IOException {
        List<String> changed = new ArrayList<>();
        int unchanged = 0;
        Map<Path, String> wanted = files(fleet, site);
        for (Map.Entry<Path, String> e : wanted.entrySet()) {
            Path file = e.getKey();
            String now = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
            if (e.getValue().equals(now)) {
                unchanged++;
                continue;
            }
            changed.add((now == null ? "created  " : "updated  ") + session.shown(file));
            if (!check) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
            }
        }
        for (Path stale : ownFiles(site.directory())) {
            if (!wanted.containsKey(stale)) {
                changed.add("removed  " + session.shown(stale));
                if (!check) {
                    Files.delete(stale);
                }
            }
        }
        return new Written(changed, unchanged);
    }

    /** What a site's directory should hold: the rendered files, and the overrides copied with a note of where they come from. */
    private static Map<Path, String> files(Path fleet, RenderedSite site) throws IOException {
        Map<Path, String> out = new LinkedHashMap<>();
        for (RenderedSite.File f : site.files()) {
            out.put(f.path(), f.text());
        }
        for (Path o : site.overrides()) {
            String name = o.getFileName().toString();
            out.put(site.directory().resolve(name), OWN_MARKS.get(1) + " from " + fleet.relativize(o).toString().replace('\\', '/')
                    + ". Do not edit: change the original.\n" + Files.readString(o, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The YAML files of a site's directory that cem wrote (never a file someone else put there). */
    private static List<Path> ownFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.filter(Files::isRegularFile).sorted().toList()) {
                String n = p.getFileName().toString();
                if (!n.endsWith(".yaml") && !n.endsWith(".yml")) {
                    continue;
                }
                String first = Files.readAllLines(p, StandardCharsets.UTF_8).stream().findFirst().orElse("");
                if (OWN_MARKS.stream().anyMatch(first::startsWith)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

}

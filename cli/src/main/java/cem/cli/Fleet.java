package cem.cli;

import cem.config.Configuration;
import cem.config.SecretResolver;
import cem.config.Validator;
import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.DiagnosticsException;
import cem.diag.Result;
import cem.diag.Severity;
import cem.sites.Inventory;
import cem.sites.Inventory.Site;
import cem.sites.RenderedSite;
import cem.sites.Selector;
import cem.sites.SiteCodes;
import cem.sites.SiteRenderer;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The selected sites of a fleet, each rendered in memory, validated, and opened as its own
 * workspace (its own state and lock), all sharing one lab. A site whose templates or configuration
 * have errors is kept with its diagnostics and no workspace, so that the others still run.
 */
final class Fleet implements AutoCloseable {

    final Session session;
    final Inventory inventory;
    final List<Member> members;
    private final cem.lab.Lab lab;

    /** A selected site. {@code ws} is null when it cannot be worked on (see its diagnostics). */
    static final class Member {
        final Site site;
        final RenderedSite rendered;
        final Configuration config;
        /** The rollout wave it is in. */
        String wave;
        Diagnostics diagnostics;
        Workspace ws;

        Member(Site site, RenderedSite rendered, Configuration config, Diagnostics diagnostics) {
            this.site = site;
            this.rendered = rendered;
            this.config = config;
            this.diagnostics = diagnostics;
        }

        String name() {
            return site.name();
        }

        boolean ok() {
            return ws != null;
        }

        Diagnostics remap(Diagnostics d) {
            return rendered == null ? d : rendered.remap(d);
        }
    }

    private Fleet(Session session, Inventory inventory, List<Member> members, cem.lab.Lab lab) {
        this.session = session;
        this.inventory = inventory;
        this.members = members;
        this.lab = lab;
    }

    /** The fleet's inventory; its errors stop the command. */
    static Inventory inventory(Session session, String directory) {
        Result<Inventory> inventory = Inventory.load(session.resolve(directory), session.cwd());
        if (inventory.value() == null || inventory.hasErrors()) {
            throw new DiagnosticsException(inventory.diagnostics());
        }
        if (!inventory.diagnostics().isEmpty()) {
            new DiagnosticPrinter(session, false, null).print(inventory.diagnostics());
        }
        return inventory.value();
    }

    static List<Site> select(Inventory inventory, List<String> selectors) {
        Result<List<Site>> chosen = Selector.select(inventory, selectors.isEmpty() ? List.of("all") : selectors);
        if (chosen.value() == null) {
            throw new DiagnosticsException(chosen.diagnostics());
        }
        return chosen.value();
    }

    /** Renders and validates the selected sites in parallel (no host is contacted). */
    static List<Member> render(Session session, Inventory inventory, List<Site> sites) {
        return render(session, inventory, sites, Severity.ERROR);
    }

    /** @param missingCredential how bad a host credential is that cannot be read (a warning where no host is contacted) */
    static List<Member> render(Session session, Inventory inventory, List<Site> sites, Severity missingCredential) {
        SiteRenderer renderer = new SiteRenderer(inventory, session.cwd());
        SecretResolver secrets = session.secrets();
        var schemas = Workspace.schemas(session);
        List<Member> members = sites.parallelStream().map(site -> {
            Result<RenderedSite> r = renderer.render(site);
            if (r.value() == null) {
                return new Member(site, null, null, r.diagnostics());
            }
            Validator validator = Workspace.validator(session, secrets, missingCredential, schemas);
            Result<Configuration> c = validator.validate(r.value().directory(), r.value().sources());
            Diagnostics d = r.value().remap(r.diagnostics().plus(c.diagnostics())).sorted();
            return new Member(site, r.value(), c.hasErrors() ? null : c.value(), d);
        }).toList();
        hostClashes(members);
        identityClashes(schemas, members);
        return members;
    }

    /** Two sites must not manage one object on one machine (a shared server named differently in each). */
    private static void identityClashes(java.util.function.Function<String, java.util.Optional<cem.spi.ResourceSchema>> schemas,
            List<Member> members) {
        if (schemas == null) {
            return;
        }
        List<Diagnostics> found = cem.engine.Identities.acrossSites(members.stream().map(Member::name).toList(),
                members.stream().map(m -> m.config).toList(), schemas);
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            if (!found.get(i).isEmpty()) {
                m.diagnostics = m.diagnostics.plus(m.remap(found.get(i))).sorted();
            }
        }
    }

    /** Opens the selected sites: rendered, validated, one lab for all, a workspace each. */
    static Fleet open(Session session, String directory, List<String> selectors, boolean debug, boolean acceptNewHostKeys) {
        Inventory inventory = inventory(session, directory);
        List<Member> members = render(session, inventory, select(inventory, selectors));
        List<Configuration> valid = members.stream().filter(m -> m.config != null).map(m -> m.config).toList();
        cem.lab.Lab lab = LabRouting.start(inventory.directory().resolve(".cem").resolve("lab"), valid);
        Fleet fleet = new Fleet(session, inventory, members, lab);
        Map<String, String> waves = waves(inventory);
        members.forEach(m -> m.wave = waves.get(m.name()));
        for (Member m : members) {
            if (m.config == null || m.diagnostics.hasErrors()) {
                continue; // a site with errors keeps its diagnostics and gets no workspace
            }
            Session own = session.withStreams(prefixed(session.out(), m.name()), prefixed(session.err(), m.name()), false);
            try {
                m.ws = Workspace.open(own, m.config, m.diagnostics, lab, false, debug, acceptNewHostKeys, m::remap);
            } catch (DiagnosticsException e) {
                m.diagnostics = m.diagnostics.plus(m.remap(e.diagnostics()));
            }
        }
        return fleet;
    }

    /**
     * Writes the rendered files of the workable sites as `cem render` does, so that what a fleet
     * apply or a rollout applies lies beside its state ({@code sites/NAME/*.yaml} next to
     * {@code sites/NAME/.cem/}), and `cem render --check` agrees afterwards (issue 20, item 5). Files
     * that cannot be written are a warning: the sites are applied all the same.
     */
    void writeRendered() {
        for (Member m : members) {
            if (!m.ok() || m.rendered == null) {
                continue;
            }
            try {
                RenderCommand.write(session, inventory.directory(), m.rendered, false);
            } catch (java.io.IOException e) {
                new DiagnosticPrinter(session, false, null).print(Diagnostics.of(new Diagnostic(Severity.WARNING, "ENV9008",
                        "Cannot write the rendered files of site " + m.name() + " into " + session.shown(m.rendered.directory()), e.toString(),
                        "Make the directory writable, then run `cem render`: until then `cem render --check` reports the site's files.",
                        null, null)));
            }
        }
    }

    /** The diagnostics of these sites, each said once (a template's own mistake is the same for every site). */
    static Diagnostics combined(List<Member> members) {
        java.util.Set<Diagnostic> seen = new java.util.LinkedHashSet<>();
        members.forEach(m -> m.diagnostics.forEach(seen::add));
        return Diagnostics.of(seen.toArray(Diagnostic[]::new)).sorted();
    }

    /** The lines of the files of these sites (rendered in memory), for diagnostics snippets. */
    static java.util.function.Function<java.nio.file.Path, List<String>> lines(List<Member> members) {
        return path -> {
            for (Member m : members) {
                if (m.config != null) {
                    List<String> l = m.config.lines(path);
                    if (!l.isEmpty()) {
                        return l;
                    }
                }
            }
            return List.of();
        };
    }

    /** The wave each site is in. */
    static Map<String, String> waves(Inventory inventory) {
        Map<String, String> out = new HashMap<>();
        for (cem.sites.Waves.Wave w : cem.sites.Waves.plan(inventory)) {
            w.sites().forEach(s -> out.put(s.name(), w.name()));
        }
        return out;
    }

    /** Two sites must not declare the same host: each site's state would manage it, and they would undo each other. */
    private static void hostClashes(List<Member> members) {
        Map<String, String> owner = new HashMap<>();
        for (Member m : members) {
            if (m.config == null) {
                continue;
            }
            List<Diagnostic> clashes = new ArrayList<>();
            for (String host : m.config.hosts().keySet()) {
                String first = owner.putIfAbsent(host, m.name());
                if (first != null) {
                    clashes.add(Diagnostic.error(SiteCodes.HOST_IN_TWO_SITES, "Host " + host + " is in sites " + first + " and " + m.name(),
                            "Each site has its own state; two states managing one host would undo each other's changes.",
                            "Name hosts after their site in the template, e.g. [=site.name]-ns.", m.config.hostRange(host)));
                }
            }
            if (!clashes.isEmpty()) {
                m.diagnostics = m.diagnostics.plus(m.remap(Diagnostics.of(clashes.toArray(Diagnostic[]::new))));
            }
        }
    }

    /** A writer that starts every line with {@code [site] }, so that sites working at once stay readable. */
    static PrintWriter prefixed(PrintWriter target, String site) {
        String prefix = "[" + site + "] ";
        return new PrintWriter(new Writer() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(char[] buf, int off, int len) {
                synchronized (target) {
                    for (int i = off; i < off + len; i++) {
                        char c = buf[i];
                        if (c == '\r') {
                            continue; // a live status line; sites working at once print plain lines
                        }
                        line.append(c);
                        if (c == '\n') {
                            target.print(prefix + line);
                            line.setLength(0);
                        }
                    }
                }
            }

            @Override
            public void flush() {
                synchronized (target) {
                    target.flush();
                }
            }

            @Override
            public void close() {
                flush();
            }
        }, true);
    }

    @Override
    public void close() {
        for (Member m : members) {
            if (m.ws != null) {
                m.ws.close();
            }
        }
        if (lab != null) {
            Workspace.writeLabStats(session, lab);
            lab.close();
        }
    }
}

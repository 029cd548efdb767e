package cem.sites;

import cem.config.ConfigLoader;
import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.SourcePos;
import cem.diag.SourceRange;
import cem.sites.Inventory.Site;
import java.nio.file.Path;
import java.util.List;

/**
 * One site's configuration rendered from the templates: its files (in memory), the override files
 * added to them, and the map from each rendered line to the template line that wrote it.
 *
 * @param site the inventory entry
 * @param directory the site's directory (where `cem render` writes it and its local state lives)
 * @param files the rendered files
 * @param overrides the site's override files, read from disk
 */
public record RenderedSite(Site site, Path directory, List<File> files, List<Path> overrides, SiteRenderer renderer) {

    /**
     * A rendered file.
     *
     * @param path where it is (or would be) written
     * @param template the template that rendered it
     * @param text its content
     * @param originFile per line (0-based), the template file that wrote it (null when unknown)
     * @param originLine per line, the template line
     */
    public record File(Path path, Path template, String text, Path[] originFile, int[] originLine) {}

    /** The sources to load the site's configuration from: rendered files in memory, overrides from disk. */
    public List<ConfigLoader.Source> sources() {
        return SiteRenderer.sources(this);
    }

    /**
     * Moves diagnostics found in rendered files to the template line that wrote them, and says in
     * each which site (and inventory entry) it is about and where it is in the rendered file.
     */
    public Diagnostics remap(Diagnostics diagnostics) {
        Diagnostics.Builder out = Diagnostics.builder();
        diagnostics.forEach(d -> out.add(remap(d)));
        return out.build();
    }

    public Diagnostic remap(Diagnostic d) {
        SourceRange s = d.subject();
        String siteLabel = "site " + site.name() + " (" + site.range().label() + ")";
        if (s == null) {
            return d;
        }
        for (File f : files) {
            if (!renderer.shown(f.path()).equals(s.file())) {
                continue;
            }
            String[] lines = f.text().split("\n", -1);
            int index = s.start().line() - 1;
            if (index < 0 || index >= lines.length || f.originFile()[index] == null) {
                return annotate(d, d.subject(), "In " + siteLabel + ".");
            }
            Path template = f.originFile()[index];
            int line = f.originLine()[index];
            List<String> tlines = renderer.templateLines(template);
            String rendered = lines[index].replace("\r", "");
            String tline = line - 1 < tlines.size() ? tlines.get(line - 1) : "";
            int column = column(rendered, tline, s.start().column());
            int offset = 0;
            for (int i = 0; i < line - 1 && i < tlines.size(); i++) {
                offset += tlines.get(i).length() + 1;
            }
            int width = s.end().line() == s.start().line() ? Math.max(0, s.end().column() - s.start().column()) : 0;
            if (tline.startsWith("[=", column - 1)) {
                // The value came from an interpolation: the template's part is all of it; the value shows in the rendered line.
                width = SiteRenderer.skip(tline, column + 1, ']') - (column - 1);
            }
            width = Math.min(width, Math.max(0, tline.length() - column + 1));
            SourceRange at = new SourceRange(renderer.shown(template), new SourcePos(line, column, offset + column - 1),
                    new SourcePos(line, column + width, offset + column - 1 + width));
            return annotate(d, at, "In " + siteLabel + ", rendered as " + s.label() + ":\n" + underlined(rendered, s));
        }
        return d;
    }

    /** The rendered line as a snippet, with the subject's span (the rendered value) underlined. */
    private static String underlined(String rendered, SourceRange s) {
        int start = Math.min(Math.max(0, s.start().column() - 1), rendered.length());
        int width = s.end().line() == s.start().line() ? s.end().column() - s.start().column() : rendered.length() - start;
        String number = String.valueOf(s.start().line());
        return "  " + number + " | " + rendered + "\n  " + " ".repeat(number.length()) + " | " + " ".repeat(start)
                + "^".repeat(Math.max(1, Math.min(width, rendered.length() - start)));
    }

    private static Diagnostic annotate(Diagnostic d, SourceRange at, String note) {
        String detail = d.detail().isEmpty() ? note : d.detail() + "\n" + note;
        return new Diagnostic(d.severity(), d.code(), d.summary(), detail, d.hint(), at, d.address());
    }

    /**
     * The template column of a rendered column: the same when everything before it is the same
     * text, else where the two lines part (an interpolation).
     */
    static int column(String rendered, String template, int column) {
        int common = 0;
        while (common < rendered.length() && common < template.length() && rendered.charAt(common) == template.charAt(common)) {
            common++;
        }
        return common >= column - 1 ? Math.min(column, template.length() + 1) : common + 1;
    }
}

package cem.sites;

import cem.config.ConfigLoader;
import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.diag.SourcePos;
import cem.diag.SourceRange;
import cem.sites.Inventory.Site;
import com.fasterxml.jackson.databind.JsonNode;
import freemarker.cache.TemplateLoader;
import freemarker.core.InvalidReferenceException;
import freemarker.core._CoreAPI;
import freemarker.core.ParseException;
import freemarker.core.PlainTextOutputFormat;
import freemarker.core.TemplateClassResolver;
import freemarker.template.Configuration;
import freemarker.template.DefaultObjectWrapperBuilder;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Renders a site's configuration from the fleet's FreeMarker templates: every top-level
 * {@code NAME.yaml.ftl} of the template directory becomes {@code NAME.yaml} of the site (other
 * {@code .ftl} files are for {@code <#include>} and {@code <#import>}), and the files of
 * {@code overrides/SITE/} are added as they are.
 *
 * <p>Templates interpolate with {@code [=expression]} (FreeMarker's square-bracket syntax) so that
 * cem's own secret references, {@code ${env:NAME}} and {@code ${file:PATH}}, pass through a
 * template as plain text; directives keep their usual form ({@code <#list>}, {@code <#if>}).
 *
 * <p>So that a problem found in a rendered file points at the template line that wrote it, every
 * line end of a template's static text carries an invisible marker naming the template and line;
 * the markers are taken out of the output and kept as a line map ({@link RenderedSite#remap}).
 * Lines holding only directives get no marker, so FreeMarker still strips them.
 */
public final class SiteRenderer {

    private static final char OPEN = '\uE000';
    private static final char CLOSE = '\uE001';
    /** Per renderer, so that no template or value can write a marker that cem would take for its own. */
    private final String nonce = Long.toHexString(new java.security.SecureRandom().nextLong() | Long.MIN_VALUE);
    private final Pattern mark = Pattern.compile(OPEN + Pattern.quote(nonce) + ":(\\d+):(\\d+)" + CLOSE);

    private final Inventory inventory;
    private final Path workingDirectory;
    private final Configuration freemarker;
    /** Template files by id (the id is what markers name). */
    private final List<Path> templateFiles = new ArrayList<>();
    private final Map<Path, Integer> ids = new ConcurrentHashMap<>();

    public SiteRenderer(Inventory inventory, Path workingDirectory) {
        this.inventory = inventory;
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
        Configuration c = new Configuration(Configuration.VERSION_2_3_34);
        c.setTemplateLoader(new MarkingLoader());
        c.setInterpolationSyntax(Configuration.SQUARE_BRACKET_INTERPOLATION_SYNTAX);
        c.setTagSyntax(Configuration.ANGLE_BRACKET_TAG_SYNTAX);
        c.setOutputFormat(PlainTextOutputFormat.INSTANCE);
        c.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        c.setLogTemplateExceptions(false);
        c.setWrapUncheckedExceptions(true);
        c.setFallbackOnNullLoopVariable(false);
        c.setLocale(Locale.ROOT);
        c.setNumberFormat("computer"); // 4726, never "4,726"
        c.setBooleanFormat("c"); // true/false, as YAML reads them
        c.setNewBuiltinClassResolver(TemplateClassResolver.ALLOWS_NOTHING_RESOLVER); // a template cannot instantiate Java classes
        c.setAPIBuiltinEnabled(false);
        c.setDefaultEncoding("UTF-8");
        c.setObjectWrapper(new DefaultObjectWrapperBuilder(Configuration.VERSION_2_3_34).build());
        this.freemarker = c;
    }

    /** The templates that render a file each, in name order. */
    public List<Path> fileTemplates() {
        try (Stream<Path> list = Files.list(inventory.templates())) {
            return list.filter(p -> Files.isRegularFile(p) && (p.getFileName().toString().endsWith(".yaml.ftl")
                    || p.getFileName().toString().endsWith(".yml.ftl"))).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The override files of a site ({@code overrides/SITE/*.yaml}), in name order. */
    public List<Path> overrides(Site site) {
        Path dir = inventory.overrides().resolve(site.name());
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> {
                String n = p.getFileName().toString();
                return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.startsWith(".");
            }).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Renders one site; template errors are diagnostics at the template line, naming the site entry. */
    public Result<RenderedSite> render(Site site) {
        Path siteDir = inventory.siteDirectory(site.name());
        Map<String, Object> model = new LinkedHashMap<>();
        Object vars = plain(site.vars());
        if (vars instanceof Map<?, ?> m) {
            m.forEach((k, v) -> model.put((String) k, v));
        }
        Map<String, Object> self = new LinkedHashMap<>();
        self.put("name", site.name());
        self.put("wave", site.wave() == null ? "" : site.wave());
        self.put("tags", site.tags());
        model.put("site", self);
        List<RenderedSite.File> files = new ArrayList<>();
        Diagnostics.Builder diags = Diagnostics.builder();
        List<Path> templates = fileTemplates();
        if (templates.isEmpty()) {
            return Result.failed(Diagnostic.error(SiteCodes.NO_TEMPLATES, "No templates in " + shown(inventory.templates()),
                    "cem renders every NAME.yaml.ftl file of the template directory into NAME.yaml of each site.",
                    "Add a template such as site.yaml.ftl (see templates/site/ in the cem repository).", inventory.doc().valueRange("/template")));
        }
        for (Path template : templates) {
            String name = inventory.templates().relativize(template).toString().replace('\\', '/');
            String out = name.substring(0, name.length() - ".ftl".length());
            try {
                Template t = freemarker.getTemplate(name);
                if (interruptible.add(t)) {
                    _CoreAPI.addThreadInterruptedChecks(t); // loops can be stopped (the time limit below)
                }
                files.add(unmark(siteDir.resolve(out), template, process(t, model), site));
            } catch (Bounds e) {
                diags.add(Diagnostic.error(SiteCodes.TEMPLATE_ERROR, "Template " + name + " " + e.getMessage() + " for site " + site.name(),
                        "A site's file is at most " + LIMIT_BYTES / (1024 * 1024) + " MiB and is rendered within " + LIMIT.toSeconds()
                                + " s; a loop over a huge range, or a macro that calls itself, makes more.",
                        "Check the template's #list ranges and recursive macros.", SourceRange.fileStart(shown(template))));
            } catch (ParseException e) {
                diags.add(syntax(e, site));
            } catch (TemplateException e) {
                ParseException cause = parseCause(e);
                diags.add(cause != null ? syntax(cause, site) : templateError(e, site));
            } catch (IOException e) {
                ParseException cause = parseCause(e);
                if (cause != null) {
                    diags.add(syntax(cause, site)); // FreeMarker reports a template that failed to parse before this way
                    continue;
                }
                diags.add(Diagnostic.error(SiteCodes.TEMPLATE_ERROR, "Cannot read template " + name, e.getMessage(),
                        "Check the template directory's files and permissions.", SourceRange.fileStart(shown(template))));
            }
        }
        Diagnostics all = diags.build();
        if (all.hasErrors()) {
            return new Result<>(null, all);
        }
        return new Result<>(new RenderedSite(site, siteDir, files, overrides(site), this), all);
    }

    /** How long one file of one site may take to render, and how large it may be. */
    static volatile java.time.Duration LIMIT = java.time.Duration.ofSeconds(10); // tests shorten it
    static final long LIMIT_BYTES = cem.config.YamlLoader.MAX_FILE_BYTES;
    private static final java.util.concurrent.ExecutorService RENDERING = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cem-render");
        t.setDaemon(true);
        return t;
    });
    private final java.util.Set<Template> interruptible = java.util.Collections.newSetFromMap(new java.util.concurrent.ConcurrentHashMap<>());

    /** A template's output beyond the limits (size or time). */
    private static final class Bounds extends IOException {
        private static final long serialVersionUID = 1L;

        Bounds(String message) {
            super(message);
        }
    }

    /** Renders within {@link #LIMIT} and {@link #LIMIT_BYTES}; FreeMarker's own exceptions come out as they are. */
    private static String process(Template t, Object model) throws TemplateException, IOException {
        StringWriter text = new StringWriter();
        java.io.Writer bounded = new java.io.Writer() {
            private long written;

            @Override
            public void write(char[] buf, int off, int len) throws IOException {
                written += len;
                if (written > LIMIT_BYTES) {
                    throw new Bounds("makes more than " + LIMIT_BYTES / (1024 * 1024) + " MiB");
                }
                text.write(buf, off, len);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.concurrent.Future<Void> run = RENDERING.submit(() -> {
            t.process(model, bounded);
            return null;
        });
        try {
            run.get(LIMIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return text.toString();
        } catch (java.util.concurrent.TimeoutException e) {
            run.cancel(true); // FreeMarker's loops check the interrupt
            throw new Bounds("takes longer than " + LIMIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            run.cancel(true);
            Thread.currentThread().interrupt();
            throw new Bounds("was interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof Bounds b) {
                    throw b;
                }
                if (c instanceof StackOverflowError) {
                    throw new Bounds("includes or calls itself without end (a recursive #include or macro)");
                }
                if (c instanceof OutOfMemoryError) {
                    throw new Bounds("builds values larger than memory");
                }
            }
            if (e.getCause() instanceof TemplateException te) {
                throw te;
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The lines of a template, for remapping. */
    List<String> templateLines(Path template) {
        try {
            return List.of(Files.readString(template, StandardCharsets.UTF_8).split("\r\n|\r|\n", -1));
        } catch (IOException e) {
            return List.of();
        }
    }

    Path shown(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        return abs.startsWith(workingDirectory) ? workingDirectory.relativize(abs) : abs;
    }

    Inventory inventory() {
        return inventory;
    }

    /** The first line of every rendered file: where it came from, and that it is not to be edited. */
    String header(Path template, Site site) {
        // Paths from the fleet's directory: the file reads the same wherever cem runs (render --check compares it).
        return "# Rendered by `cem render` from " + inventory.directory().relativize(template).toString().replace('\\', '/') + " for site "
                + site.name() + " of " + Inventory.FILE + ". Do not edit: change the template or the inventory.\n";
    }

    private RenderedSite.File unmark(Path file, Path template, String raw, Site site) {
        String[] lines = (header(template, site) + raw).split("\n", -1);
        StringBuilder text = new StringBuilder(raw.length() + 200);
        Path[] originFile = new Path[lines.length];
        int[] originLine = new int[lines.length];
        for (int i = 0; i < lines.length; i++) {
            Matcher m = mark.matcher(lines[i]);
            while (m.find()) {
                originFile[i] = templateFiles.get(Integer.parseInt(m.group(1)));
                originLine[i] = Integer.parseInt(m.group(2));
            }
            text.append(mark.matcher(lines[i]).replaceAll(""));
            if (i < lines.length - 1) {
                text.append('\n');
            }
        }
        // A line whose end no template line wrote (the last one, a multi-line value) takes its neighbour's origin.
        for (int i = 1; i < lines.length; i++) {
            if (originFile[i] == null && originFile[i - 1] != null) {
                originFile[i] = originFile[i - 1];
                originLine[i] = originLine[i - 1];
            }
        }
        return new RenderedSite.File(file, template, text.toString(), originFile, originLine);
    }

    private Diagnostic syntax(ParseException e, Site site) {
        Path template = templateOf(e.getTemplateName());
        String message = clean(e.getEditorMessage() == null ? e.getMessage() : e.getEditorMessage());
        return Diagnostic.error(SiteCodes.TEMPLATE_SYNTAX, "Template syntax error", message,
                "Templates interpolate with [=name] and use <#if>, <#list> directives; ${env:...} and ${file:...} pass through unchanged.",
                at(template, e.getLineNumber(), e.getColumnNumber()));
    }

    private Diagnostic templateError(TemplateException e, Site site) {
        Path template = templateOf(e.getTemplateSourceName());
        int line = e.getLineNumber() == null ? 1 : e.getLineNumber();
        int column = e.getColumnNumber() == null ? 1 : e.getColumnNumber();
        String where = "Site " + site.name() + " (" + site.range().label() + ")";
        if (e instanceof InvalidReferenceException) {
            String name = e.getBlamedExpressionString() == null ? "?" : e.getBlamedExpressionString();
            return Diagnostic.error(SiteCodes.UNDEFINED_VARIABLE, "Undefined variable " + name,
                    where + " has no value for " + name + ": neither its vars nor the inventory's defaults set it.",
                    "Add " + name + " to the site's vars or to defaults in " + inventory.doc().file()
                            + ", or give it a default in the template: [=" + name + "!\"value\"].",
                    at(template, line, column));
        }
        String first = clean(e.getMessageWithoutStackTop()).lines().findFirst().orElse("");
        return Diagnostic.error(SiteCodes.TEMPLATE_ERROR, "Template error", where + ": " + first,
                "Fix the template expression, or the site's variable it reads.", at(template, line, column));
    }

    private SourceRange at(Path template, int line, int column) {
        List<String> lines = templateLines(template);
        int l = Math.max(1, Math.min(line, Math.max(1, lines.size())));
        int c = Math.max(1, column);
        int offset = 0;
        for (int i = 0; i < l - 1 && i < lines.size(); i++) {
            offset += lines.get(i).length() + 1;
        }
        SourcePos pos = new SourcePos(l, c, offset + c - 1);
        return new SourceRange(shown(template), pos, pos);
    }

    private Path templateOf(String sourceName) {
        return sourceName == null ? inventory.templates() : inventory.templates().resolve(sourceName).normalize();
    }

    private static ParseException parseCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ParseException p) {
                return p;
            }
        }
        return null;
    }

    private static String clean(String message) {
        return message == null ? "" : message.replaceAll(OPEN + "[0-9a-f]+:\\d+:\\d+" + CLOSE, "");
    }

    /** JSON nodes as the plain maps, lists and scalars FreeMarker's wrapper understands. */
    static Object plain(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(plain(x)));
            return l;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isNumber()) {
            return n.numberValue();
        }
        return n.asText();
    }

    /**
     * Puts a marker before every line end of a template's static text. Line ends inside
     * directives, comments and interpolations get none, nor lines that only hold directives
     * (FreeMarker strips those lines, and would not if they had text).
     */
    static String mark(String text, String nonce, int id) {
        StringBuilder out = new StringBuilder(text.length() + text.length() / 8);
        int line = 1;
        boolean output = false;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (text.startsWith("<#--", i)) {
                int end = text.indexOf("-->", i + 4);
                end = end < 0 ? n : end + 3;
                line += count(text, i, end);
                out.append(text, i, end);
                i = end;
            } else if (text.startsWith("<#", i) || text.startsWith("</#", i) || text.startsWith("<@", i) || text.startsWith("</@", i)) {
                int end = skip(text, i + 1, '>');
                line += count(text, i, end);
                out.append(text, i, end);
                i = end;
            } else if (text.startsWith("[=", i)) {
                int end = skip(text, i + 2, ']');
                line += count(text, i, end);
                output = true;
                out.append(text, i, end);
                i = end;
            } else if (c == '\n' || c == '\r') {
                if (output) {
                    out.append(OPEN).append(nonce).append(':').append(id).append(':').append(line).append(CLOSE);
                }
                int width = c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n' ? 2 : 1;
                out.append(text, i, i + width);
                i += width;
                line++;
                output = false;
            } else {
                output |= !Character.isWhitespace(c);
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The index after the closing character of a tag or interpolation that starts before {@code from}, minding strings and brackets. */
    static int skip(String text, int from, char close) {
        int depth = 0;
        char quote = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == close && depth == 0) {
                return i + 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth = Math.max(0, depth - 1);
            }
        }
        return text.length();
    }

    private static int count(String text, int from, int to) {
        int lines = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 >= to || text.charAt(i + 1) != '\n'))) {
                lines++;
            }
        }
        return lines;
    }

    /** Reads templates from the template directory only, marked. */
    private final class MarkingLoader implements TemplateLoader {

        @Override
        public Object findTemplateSource(String name) {
            Path file = inventory.templates().resolve(name).normalize();
            if (!file.startsWith(inventory.templates()) || !Files.isRegularFile(file)) {
                return null; // no template outside the template directory
            }
            return file;
        }

        @Override
        public long getLastModified(Object source) {
            try {
                return Files.getLastModifiedTime((Path) source).toMillis();
            } catch (IOException e) {
                return -1;
            }
        }

        @Override
        public Reader getReader(Object source, String encoding) throws IOException {
            Path file = (Path) source;
            int id;
            synchronized (templateFiles) {
                id = ids.computeIfAbsent(file, f -> {
                    templateFiles.add(f);
                    return templateFiles.size() - 1;
                });
            }
            return new StringReader(mark(Files.readString(file, StandardCharsets.UTF_8), nonce, id));
        }

        @Override
        public void closeTemplateSource(Object source) {}
    }

    /** Sources for the config loader: the rendered files in memory, the overrides from disk. */
    static List<ConfigLoader.Source> sources(RenderedSite site) {
        List<ConfigLoader.Source> out = new ArrayList<>();
        site.files().forEach(f -> out.add(new ConfigLoader.Source(f.path(), f.text())));
        site.overrides().forEach(o -> out.add(new ConfigLoader.Source(o, null)));
        return out;
    }
}

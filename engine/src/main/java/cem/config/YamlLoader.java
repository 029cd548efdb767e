package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Result;
import cem.diag.SourcePos;
import cem.diag.SourceRange;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads one YAML file into a {@link YamlDocument}, turning every problem into a diagnostic with the
 * file, line and column: syntax errors, duplicate keys, empty and binary files, oversized files,
 * and alias bombs (refused before they expand).
 */
public final class YamlLoader {

    /** Configuration files are small; anything larger is a mistake (a wrong file, a log, a dump). */
    public static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    /** Nodes a document may add through aliases (each time an anchored node is used again) before it is an alias bomb. */
    static final int MAX_EXPANDED_NODES = 100_000;

    private static final int MAX_ALIASES = 100;
    private static final int MAX_DEPTH = 64;

    /**
     * Loads one file.
     *
     * @param file the file to read
     * @param shown the path to show users (relative to the working directory when possible)
     */
    public Result<YamlDocument> load(Path file, Path shown) {
        SourceRange start = SourceRange.fileStart(shown);
        long size;
        byte[] bytes;
        if (!Files.isRegularFile(file)) {
            return Result.failed(Diagnostic.error(
                    ConfigCodes.UNREADABLE_FILE,
                    "Cannot read configuration file",
                    Files.isSymbolicLink(file) ? "The file is a link to something that does not exist."
                            : "The path is not a regular file.",
                    "Point the link at a real file, or remove this entry from the directory.",
                    start));
        }
        try {
            size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                return Result.failed(Diagnostic.error(
                        ConfigCodes.FILE_TOO_LARGE,
                        "Configuration file is too large",
                        "The file has " + size + " bytes; cem reads configuration files of at most "
                                + MAX_FILE_BYTES / (1024 * 1024) + " MiB.",
                        "Is this the right file? Split a large configuration into several files in the directory.",
                        start));
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return Result.failed(Diagnostic.error(
                    ConfigCodes.UNREADABLE_FILE,
                    "Cannot read configuration file",
                    e.getClass().getSimpleName() + ": " + e.getMessage(),
                    "Check that the file exists and that you may read it.",
                    start));
        }
        String text;
        try {
            text = decode(bytes);
        } catch (CharacterCodingException e) {
            return Result.failed(Diagnostic.error(
                    ConfigCodes.BINARY_FILE,
                    "File is not UTF-8 text",
                    "The file contains bytes that are not UTF-8 text (a NUL byte or an invalid sequence); it looks binary.",
                    "Configuration files are UTF-8 YAML. Remove this file from the directory or save it as UTF-8.",
                    start));
        }
        return parse(text, file, shown);
    }

    /**
     * Parses text that is not (or not only) on disk, e.g. a configuration rendered from a template.
     *
     * @param source the path relative paths in the text start from (its parent directory)
     * @param shown the path to show users
     */
    public Result<YamlDocument> parse(String text, Path source, Path shown) {
        Path file = source;
        SourceRange start = SourceRange.fileStart(shown);
        List<String> lines = List.of(text.split("\r\n|\r|\n", -1));
        Node node;
        try {
            node = new Yaml(options()).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            return Result.failed(syntaxError(e, shown));
        } catch (YAMLException e) {
            return Result.failed(yamlError(e, shown));
        }
        if (node == null) {
            return Result.failed(Diagnostic.error(
                    ConfigCodes.EMPTY_FILE,
                    "Configuration file is empty",
                    "The file has no YAML document.",
                    "Start the file with \"version: 1\", or remove it.",
                    start));
        }
        Converter converter = new Converter(shown);
        try {
            JsonNode root = converter.convert(node, "", null);
            return Result.of(new YamlDocument(shown, file.toAbsolutePath().normalize(), lines, root, converter.spans));
        } catch (ConversionException e) {
            return Result.failed(e.diagnostic);
        }
    }

    private static String decode(byte[] bytes) throws CharacterCodingException {
        for (byte b : bytes) {
            if (b == 0) {
                throw new CharacterCodingException();
            }
        }
        String text = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static LoaderOptions options() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit((int) MAX_FILE_BYTES);
        options.setProcessComments(false);
        return options;
    }

    private static Diagnostic syntaxError(MarkedYAMLException e, Path file) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = e.getProblem() == null ? "invalid YAML" : e.getProblem();
        String context = e.getContext();
        String hint = "Fix the YAML syntax at this place; a YAML linter or the editor's schema support shows more.";
        if (problem.contains("\\t") || problem.contains("\t")) {
            problem = "a tab character is used for indentation";
            hint = "YAML does not allow tabs for indentation; indent with spaces.";
        } else if (context != null && context.contains("quoted scalar") && e.getContextMark() != null) {
            mark = e.getContextMark();
            problem = "a quoted string is not closed";
            hint = "Add the closing quote, or escape the quote character inside the string.";
        } else if (problem.contains("mapping values are not allowed")) {
            hint = "A value contains \": \"; quote the value, or check the indentation of the line above.";
        }
        String detail = "YAML parser: " + (context == null ? "" : context + ", ") + problem + ".";
        return Diagnostic.error(ConfigCodes.YAML_SYNTAX, "Invalid YAML syntax", detail, hint, range(file, mark, mark));
    }

    private static Diagnostic yamlError(YAMLException e, Path file) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("aliases") || message.contains("recursive")) {
            return aliasBomb(SourceRange.fileStart(file), "uses more than " + MAX_ALIASES + " aliases");
        }
        if (message.contains("code points")) {
            return Diagnostic.error(ConfigCodes.FILE_TOO_LARGE, "Configuration file is too large", message,
                    "Split a large configuration into several files in the directory.", SourceRange.fileStart(file));
        }
        return Diagnostic.error(ConfigCodes.YAML_SYNTAX, "Invalid YAML", message,
                "Fix the YAML syntax; a YAML linter shows more.", SourceRange.fileStart(file));
    }

    private static Diagnostic aliasBomb(SourceRange at, String detail) {
        return Diagnostic.error(
                ConfigCodes.ALIAS_BOMB,
                "Too many YAML aliases",
                "The document " + detail + " (anchors &name used again as *name); configurations never need that many.",
                "Write the values out, or use fewer aliases; cem refuses documents that expand to more than "
                        + MAX_EXPANDED_NODES + " nodes.",
                at);
    }

    static SourceRange range(Path file, Mark start, Mark end) {
        if (start == null) {
            return SourceRange.fileStart(file);
        }
        SourcePos s = new SourcePos(start.getLine() + 1, start.getColumn() + 1, start.getIndex());
        SourcePos e = end == null ? s : new SourcePos(end.getLine() + 1, end.getColumn() + 1, end.getIndex());
        return new SourceRange(file, s, e);
    }

    private static final class ConversionException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Diagnostic diagnostic;

        ConversionException(Diagnostic diagnostic) {
            super(diagnostic.summary(), null, false, false);
            this.diagnostic = diagnostic;
        }
    }

    /** Turns the composed node graph into JSON nodes, recording spans and refusing duplicates and bombs. */
    private static final class Converter {
        private final Path file;
        private final Map<String, NodeSpan> spans = new HashMap<>();
        private final Set<Node> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Set<Node> converted = Collections.newSetFromMap(new IdentityHashMap<>());
        private int expanded;
        private SourceRange topLevelEntry;

        Converter(Path file) {
            this.file = file;
        }

        JsonNode convert(Node node, String pointer, SourceRange key) throws ConversionException {
            SourceRange here = range(file, node.getStartMark(), node.getEndMark());
            if (key != null && pointer.lastIndexOf('/') == 0) {
                topLevelEntry = key;
            }
            if (!converted.add(node) && ++expanded > MAX_EXPANDED_NODES) {
                // Nodes reached through aliases carry their anchor's position; the entry being
                // expanded is where the bomb is.
                throw new ConversionException(aliasBomb(topLevelEntry != null ? topLevelEntry : here,
                        "expands through aliases to more than " + MAX_EXPANDED_NODES + " extra nodes"));
            }
            if (!inProgress.add(node)) {
                throw new ConversionException(aliasBomb(here, "refers to a node inside itself"));
            }
            try {
                // Spans of nodes reached through an alias stay those of the first place they stand.
                spans.putIfAbsent(pointer, new NodeSpan(key, here));
                if (node instanceof MappingNode mapping) {
                    return mapping(mapping, pointer);
                }
                if (node instanceof SequenceNode sequence) {
                    ArrayNode array = JsonNodeFactory.instance.arrayNode();
                    int i = 0;
                    for (Node item : sequence.getValue()) {
                        array.add(convert(item, YamlDocument.pointer(pointer, i++), null));
                    }
                    return array;
                }
                return scalar((ScalarNode) node);
            } finally {
                inProgress.remove(node);
            }
        }

        private ObjectNode mapping(MappingNode mapping, String pointer) throws ConversionException {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            Map<String, SourceRange> seen = new HashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node keyNode = tuple.getKeyNode();
                SourceRange keyRange = range(file, keyNode.getStartMark(), keyNode.getEndMark());
                if (!(keyNode instanceof ScalarNode scalarKey)) {
                    throw new ConversionException(Diagnostic.error(
                            ConfigCodes.YAML_SYNTAX,
                            "Key is not a plain value",
                            "A mapping key here is a list or a mapping; cem keys are names.",
                            "Write the key as a plain word, e.g. \"port:\".",
                            keyRange));
                }
                String name = scalarKey.getValue();
                SourceRange first = seen.putIfAbsent(name, keyRange);
                if (first != null) {
                    throw new ConversionException(Diagnostic.error(
                            ConfigCodes.DUPLICATE_KEY,
                            "Duplicate key \"" + name + "\"",
                            "The key is already defined at line " + first.start().line() + ", column "
                                    + first.start().column() + "; YAML keeps only one of them.",
                            "Remove one of the two entries, or merge them.",
                            keyRange));
                }
                object.set(name, convert(tuple.getValueNode(), YamlDocument.pointer(pointer, name), keyRange));
            }
            return object;
        }

        private static JsonNode scalar(ScalarNode scalar) {
            String value = scalar.getValue();
            Tag tag = scalar.getTag();
            JsonNodeFactory f = JsonNodeFactory.instance;
            try {
                if (Tag.NULL.equals(tag)) {
                    return f.nullNode();
                }
                if (Tag.BOOL.equals(tag)) {
                    return f.booleanNode(Boolean.parseBoolean(value.toLowerCase(java.util.Locale.ROOT))
                            || value.equalsIgnoreCase("yes") || value.equalsIgnoreCase("on"));
                }
                if (Tag.INT.equals(tag)) {
                    String digits = value.replace("_", "");
                    BigInteger big = digits.startsWith("0x") ? new BigInteger(digits.substring(2), 16)
                            : digits.startsWith("0o") ? new BigInteger(digits.substring(2), 8)
                            : new BigInteger(digits);
                    return big.bitLength() < 63 ? f.numberNode(big.longValue()) : f.numberNode(big);
                }
                if (Tag.FLOAT.equals(tag)) {
                    return f.numberNode(Double.parseDouble(value.replace("_", "")));
                }
            } catch (NumberFormatException e) {
                return f.textNode(value);
            }
            return f.textNode(value);
        }
    }
}

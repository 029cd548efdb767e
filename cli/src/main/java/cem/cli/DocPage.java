package cem.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A page of the reference (a resource type, a command) as a few kinds of blocks, rendered as the
 * Markdown of {@code docs/} or as text wrapped at a terminal's width. Inline text may hold
 * {@code `code`} and {@code **bold**}; the text form drops the asterisks.
 */
record DocPage(List<Block> blocks) {

    DocPage {
        blocks = List.copyOf(blocks);
    }

    sealed interface Block permits Heading, Para, Items, Code {}

    /** A heading: level 1 is the page's title. */
    record Heading(int level, String text) implements Block {}

    record Para(String text) implements Block {}

    /**
     * A list. {@code compact}: each item on one line ("term: text"); otherwise the term stands on
     * its own line in the text form, its text indented below it (as in man pages).
     */
    record Items(boolean compact, List<Item> items) implements Block {

        Items {
            items = List.copyOf(items);
        }
    }

    /** @param term the item's name, or null for a plain bullet */
    record Item(String term, String text) {}

    record Code(String language, String text) implements Block {}

    String markdown() {
        StringBuilder out = new StringBuilder();
        for (Block b : blocks) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            if (b instanceof Heading h) {
                out.append("#".repeat(h.level())).append(' ').append(md(h.text())).append('\n');
            } else if (b instanceof Para p) {
                out.append(md(p.text())).append('\n');
            } else if (b instanceof Items list) {
                for (Item i : list.items()) {
                    out.append("- ").append(i.term() == null ? "" : md(i.term()) + (list.compact() ? ": " : " — ")).append(md(i.text())).append('\n');
                }
            } else if (b instanceof Code c) {
                out.append("```").append(c.language()).append('\n').append(c.text().stripTrailing()).append("\n```\n");
            }
        }
        return out.toString();
    }

    /** The page for a terminal {@code width} columns wide: words wrapped, headings in capitals, code as written. */
    String text(int width) {
        StringBuilder out = new StringBuilder();
        for (Block b : blocks) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            if (b instanceof Heading h) {
                String t = plain(h.text()).replace("`", "");
                out.append(h.level() == 1 ? t : t.toUpperCase(java.util.Locale.ROOT)).append('\n');
            } else if (b instanceof Para p) {
                wrap(out, plain(p.text()), "", "", width);
            } else if (b instanceof Items list) {
                for (Item i : list.items()) {
                    if (i.term() == null) {
                        wrap(out, plain(i.text()), "  - ", "    ", width);
                    } else if (list.compact()) {
                        wrap(out, plain(i.term()) + ": " + plain(i.text()), "  ", "      ", width);
                    } else {
                        out.append("  ").append(plain(i.term()).replace("`", "")).append('\n');
                        wrap(out, plain(i.text()), "      ", "      ", width);
                    }
                }
            } else if (b instanceof Code c) {
                c.text().stripTrailing().lines().forEach(l -> out.append("    ").append(l).append('\n'));
            }
        }
        return out.toString();
    }

    /**
     * Inline text for Markdown: outside code spans, {@code <} would open an HTML tag and a lone {@code *} emphasis
     * ("<host address>", "a*.log" in a schema's description); both are escaped. {@code **bold**} stays.
     */
    static String md(String text) {
        String[] parts = text.split("`", -1);
        for (int i = 0; i < parts.length; i += 2) {
            parts[i] = parts[i].replace("<", "&lt;").replaceAll("(?<!\\*)\\*(?!\\*)", "\\\\*");
        }
        return String.join("`", parts);
    }

    private static String plain(String text) {
        return text.replace("**", "");
    }

    /** Appends {@code text} wrapped at word boundaries to {@code width} columns; a word longer than a line stands alone. */
    static void wrap(StringBuilder out, String text, String first, String rest, int width) {
        for (String paragraph : text.split("\n", -1)) {
            String indent = first;
            StringBuilder line = new StringBuilder(indent);
            boolean empty = true;
            for (String word : paragraph.split(" +")) {
                if (word.isEmpty()) {
                    continue;
                }
                if (!empty && line.length() + 1 + word.length() > width) {
                    out.append(line).append('\n');
                    indent = rest;
                    line = new StringBuilder(indent);
                    empty = true;
                }
                line.append(empty ? "" : " ").append(word);
                empty = false;
            }
            out.append(line.toString().stripTrailing()).append('\n');
            first = rest;
        }
    }

    /** Builds a page block by block. */
    static final class Builder {

        private final List<Block> blocks = new ArrayList<>();

        Builder heading(int level, String text) {
            blocks.add(new Heading(level, text));
            return this;
        }

        Builder para(String text) {
            blocks.add(new Para(text));
            return this;
        }

        Builder items(boolean compact, List<Item> items) {
            if (!items.isEmpty()) {
                blocks.add(new Items(compact, items));
            }
            return this;
        }

        Builder code(String language, String text) {
            blocks.add(new Code(language, text));
            return this;
        }

        DocPage build() {
            return new DocPage(blocks);
        }
    }
}

package cem.diag;

/**
 * A position in a source file.
 *
 * @param line 1-based line
 * @param column 1-based column, in characters
 * @param offset 0-based character offset from the start of the file
 */
public record SourcePos(int line, int column, int offset) implements Comparable<SourcePos> {

    public SourcePos {
        if (line < 1 || column < 1 || offset < 0) {
            throw new IllegalArgumentException("bad position " + line + ":" + column + "@" + offset);
        }
    }

    @Override
    public int compareTo(SourcePos other) {
        return Integer.compare(offset, other.offset);
    }
}

package cem.diag;

import java.nio.file.Path;
import java.util.Comparator;

/**
 * A span of a source file, from {@code start} (inclusive) to {@code end} (exclusive).
 *
 * @param file the file, as the user named it or relative to the working directory
 * @param start first character of the span
 * @param end position just after the span; equal to start for an empty span
 */
public record SourceRange(Path file, SourcePos start, SourcePos end) {

    /** Orders ranges by file name, then by position. */
    public static final Comparator<SourceRange> ORDER =
            Comparator.comparing((SourceRange r) -> r.file().toString()).thenComparing(SourceRange::start);

    public SourceRange {
        if (end.offset() < start.offset()) {
            end = start;
        }
    }

    /** A range covering a whole file (for problems that have no better place, e.g. an empty file). */
    public static SourceRange fileStart(Path file) {
        SourcePos first = new SourcePos(1, 1, 0);
        return new SourceRange(file, first, first);
    }

    /** The form users read: {@code file:line:column}. */
    public String label() {
        return file + ":" + start.line() + ":" + start.column();
    }

    @Override
    public String toString() {
        return label();
    }
}

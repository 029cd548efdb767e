package cem.diag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/** An immutable, ordered collection of diagnostics. Build one with {@link #builder()}. */
public final class Diagnostics implements Iterable<Diagnostic> {

    private static final Diagnostics EMPTY = new Diagnostics(List.of());

    /** Sourceless diagnostics first, then by file and position, then by code. */
    private static final Comparator<Diagnostic> ORDER = Comparator.comparing(
                    Diagnostic::subject, Comparator.nullsFirst(SourceRange.ORDER))
            .thenComparing(Diagnostic::code);

    private final List<Diagnostic> items;

    private Diagnostics(List<Diagnostic> items) {
        this.items = List.copyOf(items);
    }

    public static Diagnostics empty() {
        return EMPTY;
    }

    public static Diagnostics of(Diagnostic... diagnostics) {
        return new Diagnostics(List.of(diagnostics));
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Diagnostic> list() {
        return items;
    }

    public boolean hasErrors() {
        return items.stream().anyMatch(Diagnostic::isError);
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    public long errorCount() {
        return items.stream().filter(Diagnostic::isError).count();
    }

    public long warningCount() {
        return items.size() - errorCount();
    }

    /** The same diagnostics ordered as users read them: by file, line and column. */
    public Diagnostics sorted() {
        List<Diagnostic> copy = new ArrayList<>(items);
        copy.sort(ORDER);
        return new Diagnostics(copy);
    }

    public Diagnostics plus(Diagnostics more) {
        if (more.isEmpty()) {
            return this;
        }
        List<Diagnostic> all = new ArrayList<>(items);
        all.addAll(more.items);
        return new Diagnostics(all);
    }

    @Override
    public Iterator<Diagnostic> iterator() {
        return items.iterator();
    }

    @Override
    public String toString() {
        return items.toString();
    }

    /** Collects diagnostics; not thread-safe. */
    public static final class Builder {
        private final List<Diagnostic> items = new ArrayList<>();

        public Builder add(Diagnostic diagnostic) {
            items.add(diagnostic);
            return this;
        }

        public Builder addAll(Diagnostics diagnostics) {
            items.addAll(diagnostics.items);
            return this;
        }

        public boolean hasErrors() {
            return items.stream().anyMatch(Diagnostic::isError);
        }

        public Diagnostics build() {
            return new Diagnostics(items);
        }
    }
}

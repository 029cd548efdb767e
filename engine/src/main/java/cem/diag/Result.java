package cem.diag;

import java.util.function.Function;

/**
 * A best-effort value together with the diagnostics found while producing it.
 *
 * @param value the value; may be partial when there are errors, or null when nothing could be made
 * @param diagnostics what went wrong or looks suspicious
 * @param <T> the value's type
 */
public record Result<T>(T value, Diagnostics diagnostics) {

    public static <T> Result<T> of(T value) {
        return new Result<>(value, Diagnostics.empty());
    }

    public static <T> Result<T> failed(Diagnostic diagnostic) {
        return new Result<>(null, Diagnostics.of(diagnostic));
    }

    public boolean hasErrors() {
        return diagnostics.hasErrors();
    }

    public <U> Result<U> map(Function<T, U> mapper) {
        return new Result<>(value == null ? null : mapper.apply(value), diagnostics);
    }
}

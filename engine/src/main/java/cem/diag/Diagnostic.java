package cem.diag;

import java.util.Objects;

/**
 * One problem found in the user's input or environment.
 *
 * <p>Every user-facing diagnostic has a non-blank hint. Diagnostics of the {@code ENV} family may
 * have no subject (bad flags, a missing directory); all others point at the offending source.
 *
 * @param severity error or warning
 * @param code stable code, e.g. {@code SEM3101}; the family prefix names the stage
 * @param summary one line, sentence case, no final period
 * @param detail what was found and why it is a problem; may be empty
 * @param hint what to do next
 * @param subject the offending span, or null for a sourceless ({@code ENV}) diagnostic
 * @param address the resource address the problem belongs to, or null
 */
public record Diagnostic(
        Severity severity, String code, String summary, String detail, String hint, SourceRange subject, String address) {

    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(summary, "summary");
        detail = detail == null ? "" : detail;
        if (hint == null || hint.isBlank()) {
            throw new IllegalArgumentException("diagnostic " + code + " needs a hint");
        }
    }

    public static Diagnostic error(String code, String summary, String detail, String hint, SourceRange subject) {
        return new Diagnostic(Severity.ERROR, code, summary, detail, hint, subject, null);
    }

    public static Diagnostic warning(String code, String summary, String detail, String hint, SourceRange subject) {
        return new Diagnostic(Severity.WARNING, code, summary, detail, hint, subject, null);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** This diagnostic, pointing at {@code range}. */
    public Diagnostic withSubject(SourceRange range) {
        return new Diagnostic(severity, code, summary, detail, hint, range, address);
    }

    /** This diagnostic, attached to a resource address. */
    public Diagnostic withAddress(String resourceAddress) {
        return new Diagnostic(severity, code, summary, detail, hint, subject, resourceAddress);
    }
}

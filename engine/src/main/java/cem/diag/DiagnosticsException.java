package cem.diag;

/** Carries diagnostics from deep in a command to the CLI, which renders them. Not for bugs. */
public final class DiagnosticsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Diagnostics diagnostics;

    public DiagnosticsException(Diagnostics diagnostics) {
        super(diagnostics.toString(), null, false, false);
        this.diagnostics = diagnostics;
    }

    public DiagnosticsException(Diagnostic diagnostic) {
        this(Diagnostics.of(diagnostic));
    }

    public Diagnostics diagnostics() {
        return diagnostics;
    }
}

package cem.diag;

/** How bad a diagnostic is. Only errors make a command fail. */
public enum Severity {
    ERROR("Error"),
    WARNING("Warning");

    private final String label;

    Severity(String label) {
        this.label = label;
    }

    /** The word printed in front of the summary. */
    public String label() {
        return label;
    }
}

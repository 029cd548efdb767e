package cem.state;

/** A state backend problem, with what to do about it. */
public final class StateException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String hint;

    public StateException(String message, String hint) {
        super(message, null, false, false);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }
}

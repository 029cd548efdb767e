package cem.spi;

/**
 * A host answered something a provider cannot read: not the format it expects, a value of the
 * wrong type, nested or sized beyond reason. Parsers of host answers throw it (never a
 * NullPointerException, ClassCastException or NumberFormatException); the engine turns it into a
 * diagnostic that names the host, and treats the host as unreadable for the run. The message says
 * what was wrong in the answer and never copies more than a short excerpt of it.
 */
public final class HostAnswerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Characters of a host's answer a message may quote. */
    public static final int EXCERPT = 200;

    public HostAnswerException(String message) {
        super(message, null, false, false);
    }

    public HostAnswerException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** The start of a host's text, for a message: at most {@value #EXCERPT} characters. */
    public static String excerpt(String text) {
        if (text == null) {
            return "(nothing)";
        }
        return text.length() > EXCERPT ? text.substring(0, EXCERPT) + " …" : text;
    }
}

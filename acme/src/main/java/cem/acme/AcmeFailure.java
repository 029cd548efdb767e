package cem.acme;

/**
 * An issuance that did not succeed: the CA's problem document (RFC 8555 §6.7, RFC 7807) when it
 * sent one, else what failed on the way (DNS update, propagation, network).
 */
public final class AcmeFailure extends Exception {

    private final String problemType;
    private final boolean notPropagated;

    AcmeFailure(String message, String problemType, Throwable cause) {
        this(message, problemType, cause, false);
    }

    private AcmeFailure(String message, String problemType, Throwable cause, boolean notPropagated) {
        super(message, cause);
        this.problemType = problemType;
        this.notPropagated = notPropagated;
    }

    /** The challenge records did not reach every nameserver in time: the CA was not asked to check them. */
    static AcmeFailure notPropagated(String message) {
        return new AcmeFailure(message, null, null, true);
    }

    /** The problem type URN ({@code urn:ietf:params:acme:error:rateLimited}), or null when the CA sent none. */
    public String problemType() {
        return problemType;
    }

    /** Whether the nameservers did not answer the challenge records in time (nothing was asked of the CA's validation). */
    public boolean notPropagated() {
        return notPropagated;
    }
}

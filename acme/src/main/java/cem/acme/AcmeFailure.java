package cem.acme;

/**
 * An issuance that did not succeed: the CA's problem document (RFC 8555 §6.7, RFC 7807) when it
 * sent one, else what failed on the way (DNS update, network).
 */
public final class AcmeFailure extends Exception {

    private final String problemType;

    AcmeFailure(String message, String problemType, Throwable cause) {
        super(message, cause);
        this.problemType = problemType;
    }

    /** The problem type URN ({@code urn:ietf:params:acme:error:rateLimited}), or null when the CA sent none. */
    public String problemType() {
        return problemType;
    }
}

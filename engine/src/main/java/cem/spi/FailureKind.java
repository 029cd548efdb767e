package cem.spi;

/** Why a remote command failed, so that providers can write a precise hint. */
public enum FailureKind {
    /** The host could not be reached (DNS, refused, no route). Safe to retry: nothing ran. */
    UNREACHABLE,
    /** The credentials were refused. */
    AUTH,
    /** The server's identity could not be verified (unknown CA, changed host key). Never retried. */
    TRUST,
    /** No answer in time; the command may have started. */
    TIMEOUT,
    /** The connection broke or the protocol went wrong after the command may have started. */
    CONNECTION_LOST,
    /** The remote side refused the request (quota, bad command). */
    REMOTE_ERROR
}

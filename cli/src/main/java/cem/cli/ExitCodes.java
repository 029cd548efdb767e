package cem.cli;

/** Exit codes, as Terraform uses them. */
final class ExitCodes {

    private ExitCodes() {}

    static final int OK = 0;
    /** Any error, bad usage included. */
    static final int ERROR = 1;
    /** Only with {@code --detailed-exitcode}: the plan has changes. */
    static final int CHANGES = 2;
}

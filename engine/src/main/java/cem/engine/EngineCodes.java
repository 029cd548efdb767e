package cem.engine;

/** Stable codes of planning and apply diagnostics: {@code PRV4xxx} providers, {@code APL5xxx} plan/apply. */
public final class EngineCodes {

    private EngineCodes() {}

    public static final String NO_PROVIDER = "PRV4001";
    public static final String HOST_UNREADABLE = cem.spi.Sessions.HOST_PROBLEM;
    public static final String READ_FAILED = "PRV4003";
    public static final String APPLY_FAILED = "PRV4004";
    public static final String PROVIDER_BUG = "PRV4005";
    public static final String UNREADABLE_ANSWER = "PRV4006";

    public static final String PREVENT_DESTROY = "APL5001";
    public static final String MOVE_CONFLICT = "APL5002";
    public static final String UNKNOWN_TARGET = "APL5003";
    public static final String STALE_PLAN = "APL5004";
    public static final String SKIPPED = "APL5005";
    public static final String HOST_NOT_CONFIGURED = "APL5006";
    public static final String SECRET_UNAVAILABLE = "APL5007";

    /** A host answered something its provider cannot read ({@link cem.spi.HostAnswerException}): said of the host, never as a provider bug. */
    public static cem.diag.Diagnostic unreadableAnswer(String host, cem.spi.HostAnswerException e) {
        return new cem.diag.Diagnostic(cem.diag.Severity.ERROR, UNREADABLE_ANSWER, "Host \"" + host + "\" answered something cem cannot read",
                e.getMessage(), "cem changed nothing on the strength of this answer. Check what runs on host " + host
                        + " (its tools, a profile script that prints, who else can answer at its address), then run again.", null, null);
    }
    /** A warning on every plan made with {@code --no-credentials}: the state stood for what is live. */
    public static final String PLANNED_WITHOUT_CREDENTIALS = "APL5010";
    /** A warning: a moved resource keeps the name its object got from the old address. */
    public static final String MOVE_KEEPS_NAME = "APL5012";
    /** A warning: a destroy and a create of identical resources look like a rename without a moved entry. */
    public static final String RENAME_WITHOUT_MOVE = "APL5011";
}

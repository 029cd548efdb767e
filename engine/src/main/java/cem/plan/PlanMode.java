package cem.plan;

/** What a plan was asked for. */
public enum PlanMode {
    NORMAL,
    DESTROY,
    REFRESH_ONLY
}

package cem.plan;

/** What a plan does to one resource. The symbols are those users know from Terraform. */
public enum Action {
    NO_OP("no-op", " "),
    CREATE("create", "+"),
    READ("read", "<="),
    UPDATE("update", "~"),
    DELETE_THEN_CREATE("replace", "-/+"),
    CREATE_THEN_DELETE("replace", "+/-"),
    DELETE("delete", "-"),
    /** Forget: remove from state, leave the object on the host (a {@code removed} entry). */
    FORGET("forget", ".");

    private final String word;
    private final String symbol;

    Action(String word, String symbol) {
        this.word = word;
        this.symbol = symbol;
    }

    public String word() {
        return word;
    }

    public String symbol() {
        return symbol;
    }

    public boolean isReplace() {
        return this == DELETE_THEN_CREATE || this == CREATE_THEN_DELETE;
    }

    public boolean changesHost() {
        return this != NO_OP && this != READ && this != FORGET;
    }
}

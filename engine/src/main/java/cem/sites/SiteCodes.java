package cem.sites;

/**
 * The stable codes of multi-site diagnostics ({@code TPL6xxx}): the site inventory, template
 * rendering, site selection and rollout waves.
 */
public final class SiteCodes {

    private SiteCodes() {}

    public static final String NO_INVENTORY = "TPL6001";
    public static final String DUPLICATE_SITE = "TPL6002";
    public static final String NO_TEMPLATES = "TPL6003";
    public static final String RESERVED_VARIABLE = "TPL6004";
    public static final String TEMPLATE_SYNTAX = "TPL6010";
    public static final String UNDEFINED_VARIABLE = "TPL6011";
    public static final String TEMPLATE_ERROR = "TPL6012";
    public static final String UNKNOWN_SITE = "TPL6020";
    public static final String HOST_IN_TWO_SITES = "TPL6021";
    public static final String UNKNOWN_WAVE = "TPL6030";
    public static final String SITE_IN_NO_WAVE = "TPL6031";
    public static final String EMPTY_WAVE = "TPL6032";
    public static final String BOTH_BUDGETS = "TPL6033";
    public static final String RENDER_OUT_OF_DATE = "TPL6040";
}

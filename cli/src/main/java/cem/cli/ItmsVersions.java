package cem.cli;

/**
 * ITMS versions compared by their numbers ("8.8.1" &lt; "8.8.1.2" &lt; "8.10"), and what 8.8.1 changed
 * for CEM (KB 440752): ephemeral agent certificates that live about six hours, agents the gateway
 * cannot match to NS registration data blocked until approved on the "Cloud-enabled Agents Access
 * Troubleshooting" page, and the NS and every gateway both on 8.8.1.
 */
final class ItmsVersions {

    static final String EPHEMERAL = "8.8.1";
    static final String ACCESS_PAGE = "the \"Cloud-enabled Agents Access Troubleshooting\" page of the SMP console (KB 440752)";

    private ItmsVersions() {}

    /** Negative, zero or positive as a is older than, equal to or newer than b; missing parts count as 0; null when either is not a version. */
    static Integer compare(String a, String b) {
        if (a == null || b == null || !a.matches("^[0-9]+(\\.[0-9]+)*$") || !b.matches("^[0-9]+(\\.[0-9]+)*$")) {
            return null;
        }
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? Long.parseLong(x[i]) : 0;
            long q = i < y.length ? Long.parseLong(y[i]) : 0;
            if (p != q) {
                return p < q ? -1 : 1;
            }
        }
        return 0;
    }

    /** Whether this version has 8.8.1's ephemeral agent certificates; false when it is not a version. */
    static boolean ephemeral(String version) {
        Integer c = compare(version, EPHEMERAL);
        return c != null && c >= 0;
    }
}

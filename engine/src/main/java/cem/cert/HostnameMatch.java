package cem.cert;

import java.util.Collection;
import java.util.Locale;

/**
 * Server identity matching as RFC 6125 §6.4 describes it for DNS names: exact matches, and a
 * wildcard only as the complete left-most label, standing for exactly one label. So
 * {@code *.example.com} covers {@code gw.example.com} but neither {@code example.com} nor
 * {@code a.gw.example.com}, and a wildcard directly under a public suffix such as {@code *.com}
 * covers nothing.
 */
public final class HostnameMatch {

    private HostnameMatch() {}

    public static boolean covers(Collection<String> patterns, String hostname) {
        return patterns.stream().anyMatch(p -> matches(p, hostname));
    }

    public static boolean matches(String pattern, String hostname) {
        String p = normalize(pattern);
        String h = normalize(hostname);
        if (p.isEmpty() || h.isEmpty()) {
            return false;
        }
        if (!p.startsWith("*.")) {
            return !p.contains("*") && p.equals(h);
        }
        String suffix = p.substring(2);
        if (suffix.contains("*") || suffix.indexOf('.') < 0) {
            return false; // "*.com", or a wildcard anywhere else than the left-most label
        }
        int dot = h.indexOf('.');
        return dot > 0 && h.substring(dot + 1).equals(suffix);
    }

    private static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}

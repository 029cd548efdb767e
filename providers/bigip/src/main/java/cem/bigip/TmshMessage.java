package cem.bigip;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One message tmsh printed on either stream, classified.
 *
 * <ul>
 *   <li>Error codes of F5's logging framework are hexadecimal, {@code 0107176c:3: …} (f5-ansible
 *       {@code library/modules/bigip_command.py}, {@code _check_known_errors}: {@code ^[0-9A-Fa-f]+:?\d+?:}),
 *       possibly after a {@code transaction failed:} prefix.
 *   <li>{@code 01020036:3: The requested Pool (/P/N) was not found.} (F5Networks/f5-appsvcs-extension,
 *       F5Networks/terraform-provider-bigip tests).
 *   <li>{@code 01020066:3: The requested … already exists …}.
 *   <li>An address and port taken: {@code 01070333:3: Virtual Server /P/A illegally shares destination
 *       address, source address, service port, ip-protocol, and vlan with Virtual Server /P/B.}
 *       (F5's App Services iApp tests, {@code tests/functional/*_BIP_scale.py}); from v14.1 a
 *       traffic-matching-criteria variant has code {@code 01b90011} — matched by code, its wording
 *       is a <b>[?]</b>.
 *   <li>{@code Syntax Error: unexpected argument "tmsh"} when the login shell is tmsh (ytti/oxidized
 *       issue 2955; f5-ansible {@code bigip_command.py} {@code is_tmsh} looks for {@code Syntax Error:});
 *       {@code usage: tmsh} when tmsh did not understand its arguments (f5-ansible issue 719).
 * </ul>
 *
 * @param kind what the message says
 * @param code the hexadecimal code (lower case), or "" for a message without one
 * @param text the line as printed, without the {@code transaction failed:} prefix
 */
record TmshMessage(Kind kind, String code, String text) {

    /** What a message says. */
    enum Kind { NOT_FOUND, EXISTS, ADDRESS_IN_USE, SYNTAX, USAGE, OTHER }

    private static final Pattern CODED = Pattern.compile("^(?:transaction failed:\\s*)?([0-9A-Fa-f]{8}):(\\d+):\\s*(.*)$", Pattern.CASE_INSENSITIVE);

    /** The messages of an output, in order; every other line is a listing or noise. */
    static List<TmshMessage> parse(String output) {
        List<TmshMessage> out = new ArrayList<>();
        for (String raw : output.split("\\R")) {
            TmshMessage m = of(raw.strip());
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    /** The message a line is, or null for a line that is none. */
    static TmshMessage of(String line) {
        Matcher m = CODED.matcher(line);
        if (m.matches()) {
            String code = m.group(1).toLowerCase(java.util.Locale.ROOT);
            String text = code + ":" + m.group(2) + ": " + m.group(3);
            Kind kind = switch (code) {
                case "01020036" -> Kind.NOT_FOUND;
                case "01020066" -> Kind.EXISTS;
                case "01070333", "01b90011" -> Kind.ADDRESS_IN_USE;
                default -> Kind.OTHER;
            };
            return new TmshMessage(kind, code, text);
        }
        String bare = line.replaceFirst("(?i)^transaction failed:\\s*", "");
        if (bare.startsWith("Syntax Error:")) {
            return new TmshMessage(Kind.SYNTAX, "", bare);
        }
        if (bare.startsWith("usage: tmsh")) {
            return new TmshMessage(Kind.USAGE, "", bare);
        }
        if (!bare.equals(line)) {
            return new TmshMessage(Kind.OTHER, "", line); // "transaction failed:" with a message of another shape
        }
        return null;
    }

    /** Whether the message names this object ({@code /P/N}, or {@code P/N} as printed from {@code /}). */
    boolean names(String path) {
        return text.contains(path + ")") || text.contains(path + " ") || text.contains(path + ".") || text.endsWith(path)
                || text.contains("(" + path.substring(1) + ")");
    }
}

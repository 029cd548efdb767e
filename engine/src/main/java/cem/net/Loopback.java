package cem.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Whether an address stays on this machine, decided from the address itself and never from how
 * its name starts: {@code 127.attacker.example} is a DNS name like any other.
 */
public final class Loopback {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\\]?");

    private Loopback() {}

    /** An IP literal in 127.0.0.0/8 or ::1, or "localhost"; no name is looked up (validation connects to nothing). */
    public static boolean literal(String address) {
        String a = address.trim();
        if (a.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!IPV4.matcher(a).matches() && !IPV6.matcher(a).matches()) {
            return false;
        }
        try {
            // A literal is parsed, never looked up (InetAddress.getByName on an IP literal).
            return InetAddress.getByName(a.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** {@link #literal}, or a name every address of which is a loopback address once resolved. */
    public static boolean resolved(String address) {
        if (literal(address)) {
            return true;
        }
        try {
            InetAddress[] all = InetAddress.getAllByName(address.trim());
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }
}

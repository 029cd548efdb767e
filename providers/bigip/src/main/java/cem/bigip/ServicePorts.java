package cem.bigip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The ports tmsh prints by service name. Unless {@code cli global-settings service number} is set,
 * tmsh lists a well-known port by its name from its /etc/services-like table
 * ({@code destination 203.0.113.1:https}: yukirii/go-tmsh {@code ltm_test.go}, TestGetVirtual).
 * cem never changes that device-wide setting; it maps the names back to numbers with the table in
 * {@code services.txt} (IANA names as a CentOS host lists them). Thread-safe.
 */
final class ServicePorts {

    private static final Map<String, Integer> BY_NAME = load();

    private ServicePorts() {}

    /** The number of a port as tmsh prints it: digits, or a service name; empty when unknown. */
    static OptionalInt port(String printed) {
        if (printed.matches("\\d{1,5}")) {
            int p = Integer.parseInt(printed);
            return p <= 65535 ? OptionalInt.of(p) : OptionalInt.empty();
        }
        Integer p = BY_NAME.get(printed.toLowerCase(java.util.Locale.ROOT));
        return p == null ? OptionalInt.empty() : OptionalInt.of(p);
    }

    private static Map<String, Integer> load() {
        Map<String, Integer> out = new HashMap<>();
        try (InputStream in = ServicePorts.class.getResourceAsStream("services.txt");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.strip().split("\\s+");
                if (f.length == 2 && !f[0].startsWith("#")) {
                    out.putIfAbsent(f[0].toLowerCase(java.util.Locale.ROOT), Integer.parseInt(f[1]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(out);
    }
}

package cem.spi;

import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

/** The transports on the class path, by scheme ({@code ssh}, {@code winrm}), found with {@link ServiceLoader}. */
public final class Transports {

    private final Map<String, TransportFactory> byScheme = new HashMap<>();

    private Transports() {}

    public static Transports load() {
        Transports t = new Transports();
        for (TransportFactory f : ServiceLoader.load(TransportFactory.class)) {
            TransportFactory other = t.byScheme.putIfAbsent(f.scheme(), f);
            if (other != null) {
                throw new IllegalStateException("two transports for scheme " + f.scheme() + ": " + other.getClass().getName() + " and "
                        + f.getClass().getName());
            }
        }
        return t;
    }

    /** Opens a session with the transport of {@code scheme}. */
    public Transport open(String scheme, ConnectionSpec spec) throws TransportException {
        TransportFactory f = byScheme.get(scheme);
        if (f == null) {
            throw new TransportException(FailureKind.UNREACHABLE, spec.host(), "No transport \"" + scheme + "\" in this cem.",
                    "Use transport: winrm or ssh.", null);
        }
        return f.open(spec);
    }
}

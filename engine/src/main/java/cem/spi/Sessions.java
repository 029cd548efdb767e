package cem.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A provider's sessions: one per host for the whole run, opened on first use with the transport
 * the host names, and dropped after a failure so that the next batch connects afresh.
 */
public final class Sessions implements AutoCloseable {

    private final ProviderContext context;
    private final String defaultScheme;
    private final Transports transports = Transports.load();
    private final Map<String, Transport> open = new ConcurrentHashMap<>();

    /** @param defaultScheme the transport of hosts that do not name one */
    public Sessions(ProviderContext context, String defaultScheme) {
        this.context = context;
        this.defaultScheme = defaultScheme;
    }

    /** The host's session, opened when there is none. */
    public Transport of(HostTarget host) throws TransportException {
        Transport existing = open.get(host.name());
        if (existing != null) {
            return existing;
        }
        JsonNode s = host.settings();
        ConnectionSpec spec = new ConnectionSpec(host.name(), s.path("address").asText(), s.path("port").asInt(0), s, host.secrets(),
                host.configDirectory(), context.acceptNewHostKeys(), Duration.ofSeconds(20),
                context.debug() ? System.err::println : null, context.environment());
        Transport t = transports.open(s.path("transport").asText(defaultScheme), spec);
        open.put(host.name(), t);
        return t;
    }

    /** The code of a host-level problem: it has no address, and makes every resource of its batch unknown. */
    public static final String HOST_PROBLEM = "PRV4002";

    /** A host-level problem (unreachable, refused, a tool missing on the host). */
    public static cem.diag.Diagnostic hostProblem(String summary, String detail, String hint) {
        return new cem.diag.Diagnostic(cem.diag.Severity.ERROR, HOST_PROBLEM, summary, detail, hint, null, null);
    }

    /** After a transport failure: drops the host's session (the next batch reconnects) and says what happened. */
    public cem.diag.Diagnostic failed(HostTarget host, TransportException e) {
        drop(host);
        return hostProblem(e.getMessage(), "", e.hint());
    }

    /** Forgets the host's session after a failure (the next batch reconnects). */
    public void drop(HostTarget host) {
        Transport t = open.remove(host.name());
        if (t != null) {
            t.close();
        }
    }

    @Override
    public void close() {
        open.values().forEach(Transport::close);
        open.clear();
    }
}

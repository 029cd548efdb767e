package cem.spi;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A test transport ({@code counting}) that records which hosts' sessions are open. */
public final class CountingTransportFactory implements TransportFactory {

    static final Map<String, AtomicInteger> OPEN = new ConcurrentHashMap<>();
    static final AtomicInteger OPENED = new AtomicInteger();

    @Override
    public String scheme() {
        return "counting";
    }

    @Override
    public Transport open(ConnectionSpec spec) {
        OPENED.incrementAndGet();
        OPEN.computeIfAbsent(spec.host(), h -> new AtomicInteger()).incrementAndGet();
        return new Transport() {
            private boolean closed;

            @Override
            public CommandResult exec(RemoteCommand command) throws TransportException {
                if (closed) {
                    throw new TransportException(FailureKind.CONNECTION_LOST, spec.host(), "used after close", "", null);
                }
                return new CommandResult(0, spec.host(), "", Duration.ZERO);
            }

            @Override
            public void close() {
                closed = true;
                OPEN.get(spec.host()).decrementAndGet();
            }
        };
    }
}

package cem.transport;

import cem.spi.ConnectionSpec;
import cem.spi.Transport;
import cem.spi.TransportException;
import cem.spi.TransportFactory;

/** Registers {@link SshTransport} for the {@code ssh} scheme. */
public final class SshTransportFactory implements TransportFactory {

    @Override
    public String scheme() {
        return "ssh";
    }

    @Override
    public Transport open(ConnectionSpec spec) throws TransportException {
        return SshTransport.open(spec);
    }
}

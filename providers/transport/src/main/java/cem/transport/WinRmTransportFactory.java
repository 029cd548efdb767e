package cem.transport;

import cem.spi.ConnectionSpec;
import cem.spi.Transport;
import cem.spi.TransportException;
import cem.spi.TransportFactory;

/** Registers {@link WinRmTransport} for the {@code winrm} scheme. */
public final class WinRmTransportFactory implements TransportFactory {

    @Override
    public String scheme() {
        return "winrm";
    }

    @Override
    public Transport open(ConnectionSpec spec) throws TransportException {
        return WinRmTransport.open(spec);
    }
}

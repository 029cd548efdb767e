package cem.spi;

/** The {@link java.util.ServiceLoader} entry point of a transport ({@code META-INF/services/cem.spi.TransportFactory}). */
public interface TransportFactory {

    /** {@code ssh} or {@code winrm}. */
    String scheme();

    /** Connects; failures are classified (unreachable, auth, trust …) and name the host. */
    Transport open(ConnectionSpec spec) throws TransportException;
}

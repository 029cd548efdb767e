package cem.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How to reach one host.
 *
 * @param host the host's name in the configuration (for messages)
 * @param address where to connect
 * @param port the port (the transport's default when 0)
 * @param settings the host's mapping: auth (scheme, username, keyFile), tls, ssh, insecureHttp
 * @param secrets resolved secrets by path ({@code auth/password}, {@code auth/passphrase}); never logged
 * @param baseDirectory where relative paths in the settings start
 * @param acceptNewHostKeys record the key of an SSH host seen for the first time (OpenSSH's accept-new)
 * @param connectTimeout how long connecting may take
 * @param debug where to log each round trip's duration and size (--debug), or null; never a
 *     command line or a credential
 * @param environment cem's environment (KRB5CCNAME, KRB5_CONFIG, SSH_AUTH_SOCK: where the
 *     logged-on user's credentials are)
 */
public record ConnectionSpec(String host, String address, int port, JsonNode settings, Map<String, String> secrets,
        Path baseDirectory, boolean acceptNewHostKeys, Duration connectTimeout, java.util.function.Consumer<String> debug,
        Map<String, String> environment) {

    public ConnectionSpec {
        secrets = Map.copyOf(secrets);
        environment = Map.copyOf(environment);
    }

    public ConnectionSpec(String host, String address, int port, JsonNode settings, Map<String, String> secrets,
            Path baseDirectory, boolean acceptNewHostKeys, Duration connectTimeout, java.util.function.Consumer<String> debug) {
        this(host, address, port, settings, secrets, baseDirectory, acceptNewHostKeys, connectTimeout, debug, System.getenv());
    }

    public ConnectionSpec(String host, String address, int port, JsonNode settings, Map<String, String> secrets,
            Path baseDirectory, boolean acceptNewHostKeys, Duration connectTimeout) {
        this(host, address, port, settings, secrets, baseDirectory, acceptNewHostKeys, connectTimeout, null);
    }

    /** Logs a round trip when --debug is on. */
    public void log(String scheme, String what, Duration took, long sent, long received, int exitCode) {
        if (debug != null) {
            debug.accept(String.format("[debug] %s %s: %s in %d ms, %d bytes sent, %d received, exit %d", scheme, host, what,
                    took.toMillis(), sent, received, exitCode));
        }
    }

    @Override
    public String toString() {
        return "ConnectionSpec[" + host + " " + address + ":" + port + "]"; // never the secrets
    }
}

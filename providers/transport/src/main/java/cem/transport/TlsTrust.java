package cem.transport;

import cem.spi.ConnectionSpec;
import cem.spi.FailureKind;
import cem.spi.TransportException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How a WinRM host's TLS certificate is trusted: a CA file ({@code tls.caFile}), a pinned SHA-256
 * fingerprint of the certificate ({@code tls.pinnedSha256}), or the JVM's trust store. Never off.
 */
final class TlsTrust {

    private final SSLContext context;
    private final boolean pinned;

    private TlsTrust(SSLContext context, boolean pinned) {
        this.context = context;
        this.pinned = pinned;
    }

    static TlsTrust of(ConnectionSpec spec) throws TransportException {
        var tls = spec.settings().path("tls");
        try {
            TrustManager[] managers;
            boolean pinned = false;
            if (tls.hasNonNull("pinnedSha256")) {
                String expected = tls.get("pinnedSha256").asText().replace(":", "").toLowerCase(Locale.ROOT);
                managers = new TrustManager[] {new Pinned(expected)};
                pinned = true;
            } else if (tls.hasNonNull("caFile")) {
                Path file = spec.baseDirectory().resolve(tls.get("caFile").asText()).normalize();
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)))) {
                    store.setCertificateEntry("ca" + i++, c);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                managers = tmf.getTrustManagers();
            } else {
                // The JVM's own trust store (cem never changes the JVM's default: no host's CA counts for another).
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init((KeyStore) null);
                managers = tmf.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, managers, null);
            return new TlsTrust(context, pinned);
        } catch (IOException | GeneralSecurityException e) {
            throw new TransportException(FailureKind.TRUST, spec.host(), "Cannot load the TLS trust settings of host " + spec.host() + ": "
                    + e.getMessage(), "Check tls.caFile (a PEM file of CA certificates) or tls.pinnedSha256.", e);
        }
    }

    SSLContext context() {
        return context;
    }

    /** This host's trust for the WinRM library's own connections, whatever the authentication scheme. */
    org.apache.cxf.configuration.jsse.TLSClientParameters clientParameters() {
        var parameters = new org.apache.cxf.configuration.jsse.TLSClientParameters();
        parameters.setSslContext(context);
        parameters.setHostnameVerifier(hostnameVerifier());
        return parameters;
    }

    /** Host names are checked unless the certificate itself is pinned. */
    HostnameVerifier hostnameVerifier() {
        return pinned ? (host, session) -> true : new org.apache.http.conn.ssl.DefaultHostnameVerifier(); // RFC 2818: DNS names and IP addresses
    }

    /**
     * Connects with a TLS handshake under these rules, before any credential is sent, so that an
     * untrusted host fails with a diagnostic of its own; the library's connections then hold the
     * same rules ({@link #clientParameters}).
     */
    void verify(ConnectionSpec spec, String address, int port) throws TransportException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new java.net.InetSocketAddress(address, port), (int) spec.connectTimeout().toMillis());
            if (!pinned) {
                SSLParameters params = socket.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(params);
            }
            socket.startHandshake();
        } catch (javax.net.ssl.SSLException e) {
            throw new TransportException(FailureKind.TRUST, spec.host(), "The TLS certificate of " + spec.host() + " (" + address + ":" + port
                    + ") is not trusted: " + rootMessage(e) + ".",
                    "Name the CA that issued the WinRM certificate with tls.caFile, or pin its SHA-256 fingerprint with tls.pinnedSha256 "
                            + "(`cem trust " + spec.host() + "` shows it). cem never turns verification off.", e);
        } catch (java.net.UnknownHostException e) {
            throw new TransportException(FailureKind.UNREACHABLE, spec.host(), "The name " + address + " of host " + spec.host()
                    + " does not resolve.", "Check the host's address, and the DNS server of the machine running cem.", e);
        } catch (IOException e) {
            throw new TransportException(FailureKind.UNREACHABLE, spec.host(), "Cannot connect to " + spec.host() + " (" + address + ":" + port
                    + "): " + e.getMessage() + ".", "Check the address and port, and that WinRM over HTTPS (5986) is enabled there.", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? e.getMessage() : t.getMessage();
    }

    /** Trusts exactly one certificate, by its SHA-256 fingerprint. */
    private record Pinned(String sha256) implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                String got = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
                if (!got.equals(sha256)) {
                    throw new CertificateException("its SHA-256 fingerprint " + got + " is not the pinned " + sha256);
                }
                chain[0].checkValidity();
            } catch (GeneralSecurityException e) {
                throw e instanceof CertificateException ce ? ce : new CertificateException(e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

package cem.cli;

import cem.cert.CertificateFacts;
import cem.cert.ChainCheck;
import cem.cert.HostnameMatch;
import cem.cli.Finding.Symptom;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * What the doctor checks over the network from where cem runs, as an agent on the Internet would
 * meet it: the name resolves, the port accepts a TCP connection, and the TLS handshake presents the
 * configured certificate — covering the name, with Server Authentication, a complete chain, not
 * expired. The handshake only looks: it sends nothing after it and no credential ever.
 */
final class NetworkChecks {

    private final Duration timeout;
    private final Instant now;

    NetworkChecks(Duration timeout, Instant now) {
        this.timeout = timeout;
        this.now = now;
    }

    /** The name resolves (with a time limit: the JVM's resolver has none of its own). */
    Finding dns(Symptom symptom, String subject, String name) {
        try {
            InetAddress[] addresses = CompletableFuture.supplyAsync(() -> {
                try {
                    return InetAddress.getAllByName(name);
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Finding.ok(symptom, "dns", subject, name + " → " + String.join(", ",
                    Arrays.stream(addresses).map(InetAddress::getHostAddress).toList()));
        } catch (ExecutionException e) {
            return Finding.fail(symptom, "dns", subject, name + " does not resolve", "no DNS record for the name agents use",
                    "Create the DNS record (for a gateway: in public DNS, pointing at the perimeter or F5).");
        } catch (TimeoutException e) {
            return Finding.fail(symptom, "dns", subject, "resolving " + name + " took more than " + timeout.toSeconds() + " s",
                    "the DNS server does not answer", "Check the resolver of this machine.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Finding.skip(symptom, "dns", subject, "interrupted");
        }
    }

    /** The port accepts a TCP connection. */
    Finding tcp(Symptom symptom, String subject, String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return Finding.ok(symptom, "tcp", subject, host + ":" + port + " accepts connections");
        } catch (IOException e) {
            return Finding.fail(symptom, "tcp", subject, host + ":" + port + ": " + e.getMessage(),
                    "a firewall blocks the port, or nothing listens on it", "Open " + port + "/tcp on the perimeter to this address, "
                            + "and check that the service listens.");
        }
    }

    /**
     * A TLS handshake to {@code host:port} with {@code serverName} as SNI, and the presented
     * certificate against what the configuration says.
     *
     * @param expectedThumbprint the SHA-1 thumbprint of the certificate that should be presented, or null
     * @param trusted CAs to trust besides the JVM's (a certificate resource's trustedCaFile)
     */
    List<Finding> tls(Symptom symptom, String subject, String serverName, String host, int port, String expectedThumbprint, int minDaysValid,
            List<X509Certificate> trusted) {
        List<Finding> out = new ArrayList<>();
        X509Certificate[] presented;
        try {
            presented = handshake(serverName, host, port);
        } catch (IOException | GeneralSecurityException e) {
            out.add(Finding.fail(symptom, "tls.handshake", subject, "no TLS handshake with " + host + ":" + port + ": " + e.getMessage(),
                    "the service does not speak TLS there (no certificate bound, or a device in the path ends TLS)",
                    "Check the HTTPS binding or the gateway's certificate; an F5 must pass TLS through."));
            return out;
        }
        X509Certificate leaf = presented[0];
        String thumbprint = thumbprint(leaf);
        if (expectedThumbprint != null && !expectedThumbprint.isEmpty()) {
            out.add(thumbprint.equalsIgnoreCase(expectedThumbprint)
                    ? Finding.ok(symptom, "tls.certificate", subject, "presents the configured certificate " + thumbprint)
                    : Finding.fail(symptom, "tls.certificate", subject, "presents " + thumbprint + " (" + leaf.getSubjectX500Principal().getName()
                            + "), not the configured " + expectedThumbprint, "a wrong certificate is bound, or another device answers",
                            "Rebind the configured certificate (cem apply), and check what sits in front of the host."));
        }
        List<String> names = dnsNames(leaf);
        out.add(HostnameMatch.covers(names, serverName) ? Finding.ok(symptom, "tls.name", subject, "covers " + serverName)
                : Finding.fail(symptom, "tls.name", subject, "names " + names + " do not cover " + serverName,
                        "the certificate was issued for another name", "Issue a certificate whose SAN holds " + serverName + "."));
        List<String> ekus = null;
        try {
            ekus = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            // unreadable extension: reported as missing below
        }
        out.add(ekus != null && ekus.contains(CertificateFacts.SERVER_AUTH)
                ? Finding.ok(symptom, "tls.eku", subject, "has Server Authentication")
                : Finding.fail(symptom, "tls.eku", subject, "no Server Authentication EKU (" + ekus + ")",
                        "the certificate was issued from the wrong template", "Issue it from a Web Server template (EKU 1.3.6.1.5.5.7.3.1)."));
        Optional<String> chain = selfSigned(leaf) ? Optional.of("the certificate is self-signed")
                : ChainCheck.problem(leaf, Arrays.asList(presented).subList(1, presented.length), trusted);
        out.add(chain.isEmpty() ? Finding.ok(symptom, "tls.chain", subject, "chain complete up to a trusted CA")
                : Finding.fail(symptom, "tls.chain", subject, chain.get(), "missing intermediate, or an internal CA agents do not trust",
                        "Import the intermediates on the host (or the CA on the agents)."));
        Instant notAfter = leaf.getNotAfter().toInstant();
        long days = Duration.between(now, notAfter).toDays();
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            out.add(Finding.fail(symptom, "tls.expiry", subject, "not valid before " + leaf.getNotBefore().toInstant(), "clock skew or a "
                    + "certificate dated in the future", "Check the clocks; reissue the certificate."));
        } else if (notAfter.isBefore(now)) {
            out.add(Finding.fail(Symptom.CERTIFICATE, "tls.expiry", subject, "expired on " + notAfter, "certificate expired",
                    "Renew it and apply."));
        } else if (days < minDaysValid) {
            out.add(Finding.warn(Symptom.CERTIFICATE, "tls.expiry", subject, days + " days left", "it expires soon", "Renew it before " + notAfter + "."));
        } else {
            out.add(Finding.ok(Symptom.CERTIFICATE, "tls.expiry", subject, days + " days left"));
        }
        out.add(Finding.skip(Symptom.CERTIFICATE, "tls.revocation", subject,
                "revocation (CRL/OCSP) is not checked yet; agents' certificates are revoked through cem_certificate"));
        return out;
    }

    /** The chain a server presents; trust is judged afterwards, by the checks, never by the handshake. */
    private X509Certificate[] handshake(String serverName, String host, int port) throws IOException, GeneralSecurityException {
        X509Certificate[][] seen = new X509Certificate[1][];
        TrustManager look = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                throw new UnsupportedOperationException("client side only");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                seen[0] = chain.clone(); // inspected by the checks; nothing is sent over this connection
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {look}, null);
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            raw.setSoTimeout((int) timeout.toMillis());
            try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(raw, serverName, port, false)) {
                SSLParameters p = s.getSSLParameters();
                if (!serverName.matches("[0-9.]+|.*:.*")) {
                    p.setServerNames(List.of(new SNIHostName(serverName)));
                }
                s.setSSLParameters(p);
                s.startHandshake();
            }
        }
        if (seen[0] == null || seen[0].length == 0) {
            throw new IOException("the server presented no certificate");
        }
        return seen[0];
    }

    private static boolean selfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
            return false;
        }
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<String> dnsNames(X509Certificate c) {
        List<String> out = new ArrayList<>();
        try {
            if (c.getSubjectAlternativeNames() != null) {
                c.getSubjectAlternativeNames().forEach(san -> {
                    if (Integer.valueOf(2).equals(san.get(0)) || Integer.valueOf(7).equals(san.get(0))) {
                        out.add(String.valueOf(san.get(1)));
                    }
                });
            }
        } catch (CertificateParsingException e) {
            // no readable SAN: no names
        }
        return out;
    }

    static String thumbprint(X509Certificate c) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

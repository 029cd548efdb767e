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
    private final String resolver;

    /** @param resolver a DNS server (host[:port]) to ask instead of the system's resolver, or null */
    NetworkChecks(Duration timeout, Instant now, String resolver) {
        this.timeout = timeout;
        this.now = now;
        this.resolver = resolver;
    }

    /** A name's DNS check, and the address to connect to (the name itself when the system resolver is used). */
    record Resolved(Finding finding, String address) {}

    /**
     * The name resolves — through the system's resolver, or through {@code resolver} (host[:port])
     * when one is named — with a time limit (the JVM's resolver has none of its own).
     */
    Resolved dns(Symptom symptom, String subject, String name) {
        try {
            List<String> addresses = CompletableFuture.supplyAsync(() -> {
                try {
                    return resolver == null ? Arrays.stream(InetAddress.getAllByName(name)).map(InetAddress::getHostAddress).toList()
                            : throughResolver(name);
                } catch (IOException | javax.naming.NamingException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            if (addresses.isEmpty()) {
                throw new ExecutionException(new IOException("no address"));
            }
            return new Resolved(Finding.ok(symptom, "dns", subject, name + " → " + String.join(", ", addresses)
                    + (resolver == null ? "" : " (via " + resolver + ")")), resolver == null ? name : addresses.get(0));
        } catch (ExecutionException e) {
            return new Resolved(Finding.fail(symptom, "dns", subject, name + " does not resolve" + (resolver == null ? "" : " at " + resolver),
                    "no DNS record for the name agents use", "Create the DNS record (for a gateway: in public DNS, pointing at the perimeter or F5)."),
                    null);
        } catch (TimeoutException e) {
            return new Resolved(Finding.fail(symptom, "dns", subject, "resolving " + name + " took more than " + timeout.toSeconds() * 2 + " s",
                    "the DNS server does not answer", "Check the resolver" + (resolver == null ? " of this machine." : " " + resolver + ".")), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Resolved(Finding.skip(symptom, "dns", subject, "interrupted"), null);
        }
    }

    /** A and AAAA records from a named DNS server (the JDK's DNS naming provider; no system resolver involved). */
    private List<String> throughResolver(String name) throws javax.naming.NamingException {
        java.util.Hashtable<String, String> env = new java.util.Hashtable<>();
        env.put(javax.naming.Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        env.put(javax.naming.Context.PROVIDER_URL, "dns://" + resolver);
        env.put("com.sun.jndi.dns.timeout.initial", String.valueOf(timeout.toMillis()));
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        javax.naming.directory.DirContext context = new javax.naming.directory.InitialDirContext(env);
        try {
            javax.naming.directory.Attributes records = context.getAttributes(name, new String[] {"A", "AAAA"});
            List<String> out = new ArrayList<>();
            for (String type : new String[] {"A", "AAAA"}) {
                javax.naming.directory.Attribute a = records.get(type);
                for (int i = 0; a != null && i < a.size(); i++) {
                    out.add(String.valueOf(a.get(i)));
                }
            }
            return out;
        } catch (javax.naming.NameNotFoundException e) {
            return List.of();
        } finally {
            context.close();
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
        out.add(revocation(subject, leaf, presented.length > 1 ? presented[1] : trustedIssuer(leaf, trusted)));
        return out;
    }

    /**
     * Whether the certificate is on its CA's CRL, where the certificate names one over HTTP and it
     * can be fetched from here. OCSP is not asked.
     */
    Finding revocation(String subject, X509Certificate leaf, X509Certificate issuer) {
        Symptom s = Symptom.CERTIFICATE;
        List<String> urls = crlUrls(leaf);
        if (urls.isEmpty()) {
            return Finding.skip(s, "tls.revocation", subject, "the certificate names no CRL distribution point (OCSP is not asked)");
        }
        List<String> problems = new ArrayList<>();
        for (String url : urls) {
            try {
                java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().connectTimeout(timeout)
                        .followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build();
                java.net.http.HttpResponse<byte[]> r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(timeout)
                        .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                    problems.add(url + " answered " + r.statusCode());
                    continue;
                }
                java.security.cert.X509CRL crl = (java.security.cert.X509CRL) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCRL(new java.io.ByteArrayInputStream(r.body()));
                if (issuer != null) {
                    crl.verify(issuer.getPublicKey());
                }
                java.security.cert.X509CRLEntry entry = crl.getRevokedCertificate(leaf);
                if (entry != null) {
                    return Finding.fail(s, "tls.revocation", subject, "revoked on " + entry.getRevocationDate().toInstant() + " (" + url + ")",
                            "the certificate was revoked", "Issue a new certificate, import it and bind it (cem apply).");
                }
                return Finding.ok(s, "tls.revocation", subject, "not on the CRL at " + url + (issuer == null ? " (its signature not checked)" : ""));
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                problems.add(url + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add(url + ": interrupted");
            }
        }
        return Finding.skip(s, "tls.revocation", subject, "no CRL could be read from here: " + String.join("; ", problems));
    }

    private static List<String> crlUrls(X509Certificate c) {
        List<String> out = new ArrayList<>();
        byte[] ext = c.getExtensionValue(org.bouncycastle.asn1.x509.Extension.cRLDistributionPoints.getId());
        if (ext == null) {
            return out;
        }
        try {
            org.bouncycastle.asn1.x509.CRLDistPoint points = org.bouncycastle.asn1.x509.CRLDistPoint.getInstance(
                    org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils.parseExtensionValue(ext));
            for (org.bouncycastle.asn1.x509.DistributionPoint p : points.getDistributionPoints()) {
                if (p.getDistributionPoint() != null && p.getDistributionPoint().getType() == org.bouncycastle.asn1.x509.DistributionPointName.FULL_NAME) {
                    for (org.bouncycastle.asn1.x509.GeneralName n : org.bouncycastle.asn1.x509.GeneralNames.getInstance(
                            p.getDistributionPoint().getName()).getNames()) {
                        String url = n.getName().toString();
                        if (n.getTagNo() == org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier && url.startsWith("http")) {
                            out.add(url);
                        }
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // an unreadable extension names nothing we can use
        }
        return out;
    }

    private static X509Certificate trustedIssuer(X509Certificate leaf, List<X509Certificate> trusted) {
        return trusted.stream().filter(t -> t.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())).findFirst().orElse(null);
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
        return cem.cert.ChainCheck.selfSigned(c);
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

package cem.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Real certificates for the lab, tests and examples, made with BouncyCastle: a CA, and server
 * certificates with any names, usages, key, signature algorithm and validity — good ones and each
 * kind of bad one.
 */
public final class Certificates {

    /** Far beyond the project's life: example certificates must not expire. */
    public static final Instant FAR_FUTURE = Instant.parse("9999-12-31T23:59:59Z");
    public static final Instant LONG_AGO = Instant.parse("2020-01-01T00:00:00Z");

    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime() & 0xffffffffL);

    private Certificates() {}

    /** A certificate with its key and the chain above it (issuer first, root last). */
    public record Issued(X509Certificate certificate, KeyPair keys, List<X509Certificate> chain) {

        public Issued {
            chain = List.copyOf(chain);
        }

        /** Writes a PKCS#12 file: key, certificate and (when asked) the chain. */
        public void writePfx(Path file, String password, boolean withChain) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                List<Certificate> all = new ArrayList<>();
                all.add(certificate);
                if (withChain) {
                    all.addAll(chain);
                }
                store.setKeyEntry("cem", keys.getPrivate(), password.toCharArray(), all.toArray(new Certificate[0]));
                Files.createDirectories(file.toAbsolutePath().getParent());
                try (OutputStream out = Files.newOutputStream(file)) {
                    store.store(out, password.toCharArray());
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes a PEM file: the certificate, then the chain, then (when asked) the PKCS#8 key. */
        public void writePem(Path file, boolean withKey, boolean withChain) {
            StringWriter w = new StringWriter();
            pem(w, "CERTIFICATE", encoded(certificate));
            if (withChain) {
                chain.forEach(c -> pem(w, "CERTIFICATE", encoded(c)));
            }
            if (withKey) {
                pem(w, "PRIVATE KEY", keys.getPrivate().getEncoded());
            }
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.writeString(file, w.toString(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** PEM of the certificate alone (for CA files). */
        public String certificatePem() {
            StringWriter w = new StringWriter();
            pem(w, "CERTIFICATE", encoded(certificate));
            return w.toString();
        }

        /** An SSL context that presents this certificate (and its chain), for a test or lab server. */
        public javax.net.ssl.SSLContext serverContext() {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                List<Certificate> all = new ArrayList<>();
                all.add(certificate);
                all.addAll(chain);
                store.setKeyEntry("server", keys.getPrivate(), new char[0], all.toArray(new Certificate[0]));
                javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                        javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, new char[0]);
                javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), null, null);
                return context;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A CRL signed by this CA that revokes these certificates (DER). */
        public byte[] crl(List<X509Certificate> revoked) {
            try {
                org.bouncycastle.cert.X509v2CRLBuilder b = new org.bouncycastle.cert.X509v2CRLBuilder(
                        X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), Date.from(Instant.now().minusSeconds(60)));
                b.setNextUpdate(Date.from(Instant.now().plusSeconds(86400)));
                for (X509Certificate r : revoked) {
                    b.addCRLEntry(r.getSerialNumber(), Date.from(Instant.now().minusSeconds(30)), org.bouncycastle.asn1.x509.CRLReason.keyCompromise);
                }
                String alg = keys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
                return b.build(new JcaContentSignerBuilder(alg).build(keys.getPrivate())).getEncoded();
            } catch (IOException | OperatorCreationException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Starts a certificate issued by this one. */
        public Builder issue(String subject) {
            return new Builder(subject, this);
        }
    }

    /** Starts a self-signed CA certificate. */
    public static Issued rootCa(String subject) {
        return new Builder(subject, null).ca().eku().build();
    }

    /** Starts a self-signed server certificate. */
    public static Builder selfSigned(String subject) {
        return new Builder(subject, null);
    }

    /** Describes a certificate to make; every setting has a sound default. */
    public static final class Builder {
        private final String subject;
        private final Issued issuer;
        private final List<String> dnsNames = new ArrayList<>();
        private final List<String> ipAddresses = new ArrayList<>();
        private List<KeyPurposeId> eku = List.of(KeyPurposeId.id_kp_serverAuth);
        private String keyAlgorithm = "RSA";
        private int keyBits = 2048;
        private String signature;
        private Instant notBefore = LONG_AGO;
        private Instant notAfter = FAR_FUTURE;
        private boolean ca;
        private String crlUrl;

        private Builder(String subject, Issued issuer) {
            this.subject = subject;
            this.issuer = issuer;
        }

        public Builder dns(String... names) {
            dnsNames.addAll(List.of(names));
            return this;
        }

        public Builder ip(String... addresses) {
            ipAddresses.addAll(List.of(addresses));
            return this;
        }

        /** Extended key usages; none at all leaves the extension out. */
        public Builder eku(KeyPurposeId... usages) {
            eku = List.of(usages);
            return this;
        }

        public Builder rsa(int bits) {
            keyAlgorithm = "RSA";
            keyBits = bits;
            return this;
        }

        public Builder ecdsa() {
            keyAlgorithm = "EC";
            keyBits = 256;
            return this;
        }

        public Builder signature(String algorithm) {
            signature = algorithm;
            return this;
        }

        public Builder validity(Instant from, Instant to) {
            notBefore = from;
            notAfter = to;
            return this;
        }

        public Builder ca() {
            ca = true;
            return this;
        }

        /** A CRL distribution point (an http URL). */
        public Builder crl(String url) {
            crlUrl = url;
            return this;
        }

        public Issued build() {
            try {
                KeyPair keys = keyPair();
                X500Name name = new X500Name(subject);
                X500Name issuerName = issuer == null ? name : X500Name.getInstance(
                        issuer.certificate().getSubjectX500Principal().getEncoded());
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                        BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), name,
                        keys.getPublic());
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(ca
                        ? KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature
                        : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                if (!ca && !eku.isEmpty()) {
                    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku.toArray(new KeyPurposeId[0])));
                }
                if (!dnsNames.isEmpty() || !ipAddresses.isEmpty()) {
                    List<GeneralName> all = new ArrayList<>();
                    dnsNames.forEach(n -> all.add(new GeneralName(GeneralName.dNSName, n)));
                    ipAddresses.forEach(n -> all.add(new GeneralName(GeneralName.iPAddress, n)));
                    GeneralName[] names = all.toArray(GeneralName[]::new);
                    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
                }
                if (crlUrl != null) {
                    GeneralNames where = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, crlUrl));
                    b.addExtension(Extension.cRLDistributionPoints, false, new org.bouncycastle.asn1.x509.CRLDistPoint(
                            new org.bouncycastle.asn1.x509.DistributionPoint[] {new org.bouncycastle.asn1.x509.DistributionPoint(
                                    new org.bouncycastle.asn1.x509.DistributionPointName(where), null, null)}));
                }
                KeyPair signer = issuer == null ? keys : issuer.keys();
                String sigAlg = signature != null ? signature
                        : signer.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
                X509Certificate cert = new JcaX509CertificateConverter()
                        .getCertificate(b.build(new JcaContentSignerBuilder(sigAlg).build(signer.getPrivate())));
                List<X509Certificate> chain = new ArrayList<>();
                if (issuer != null) {
                    chain.add(issuer.certificate());
                    chain.addAll(issuer.chain());
                }
                return new Issued(cert, keys, chain);
            } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
                throw new IllegalStateException(e);
            }
        }

        private KeyPair keyPair() throws GeneralSecurityException {
            KeyPairGenerator g = KeyPairGenerator.getInstance(keyAlgorithm);
            if (keyAlgorithm.equals("EC")) {
                g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            } else {
                g.initialize(keyBits, new SecureRandom());
            }
            return g.generateKeyPair();
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pem(StringWriter w, String type, byte[] der) {
        w.write("-----BEGIN " + type + "-----\n");
        w.write(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der));
        w.write("\n-----END " + type + "-----\n");
    }
}

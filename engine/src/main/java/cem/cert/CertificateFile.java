package cem.cert;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a PFX (PKCS#12) or PEM file into {@link CertificateFacts}. */
public final class CertificateFile {

    /** Larger files are not certificates. */
    static final long MAX_BYTES = 1024 * 1024;

    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private CertificateFile() {}

    /** Why a file could not be read. */
    public static final class ReadException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean wrongPassword;

        ReadException(String message, boolean wrongPassword) {
            super(message, null, false, false);
            this.wrongPassword = wrongPassword;
        }

        public boolean wrongPassword() {
            return wrongPassword;
        }
    }

    /** PFX files already opened (opening one costs a PBKDF2 run). */
    private static final PfxCache<CertificateFacts> OPENED = new PfxCache<>();

    public static CertificateFacts readPfx(Path file, char[] password) throws ReadException {
        byte[] bytes = read(file);
        return OPENED.get(bytes, new String(password), () -> openPfx(file, bytes, password));
    }

    private static CertificateFacts openPfx(Path file, byte[] bytes, char[] password) throws ReadException {
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), password);
        } catch (IOException e) {
            boolean wrong = e.getCause() instanceof UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("password");
            throw new ReadException(wrong ? "the password does not open this PFX file"
                    : "not a readable PKCS#12 (PFX) file: " + e.getMessage(), wrong);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new ReadException("not a readable PKCS#12 (PFX) file: " + e.getMessage(), false);
        }
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    List<X509Certificate> chain = x509(store.getCertificateChain(alias));
                    if (!chain.isEmpty()) {
                        return facts(chain.get(0), chain.subList(1, chain.size()), true);
                    }
                }
            }
            List<X509Certificate> certs = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.getCertificate(alias) instanceof X509Certificate x) {
                    certs.add(x);
                }
            }
            if (certs.isEmpty()) {
                throw new ReadException("the PFX file holds no certificate with a private key", false);
            }
            return facts(certs.get(0), certs.subList(1, certs.size()), false);
        } catch (GeneralSecurityException e) {
            throw new ReadException("cannot read the PFX entries: " + e.getMessage(), false);
        }
    }

    /** A PEM file: the leaf first, then its chain; a private key block anywhere in the file. */
    public static CertificateFacts readPem(Path file) throws ReadException {
        return readPem(new String(read(file), StandardCharsets.US_ASCII));
    }

    /** PEM text held in memory (a certificate an ACME CA issued): the leaf first, then its chain; a private key block anywhere. */
    public static CertificateFacts readPem(String text) throws ReadException {
        List<X509Certificate> certs = new ArrayList<>();
        boolean key = false;
        Matcher m = PEM_BLOCK.matcher(text);
        while (m.find()) {
            String kind = m.group(1);
            if (kind.equals("CERTIFICATE")) {
                byte[] der;
                try {
                    der = Base64.getMimeDecoder().decode(m.group(2));
                } catch (IllegalArgumentException e) {
                    throw new ReadException("a CERTIFICATE block is not valid base64", false);
                }
                certs.addAll(parse(der));
            } else if (kind.endsWith("PRIVATE KEY")) {
                key = true;
            }
        }
        if (certs.isEmpty()) {
            throw new ReadException("no \"BEGIN CERTIFICATE\" block in the PEM file", false);
        }
        return facts(certs.get(0), certs.subList(1, certs.size()), key);
    }

    /** Certificates of a PEM bundle (a CA file). */
    public static List<X509Certificate> readCertificates(Path file) throws ReadException {
        String text = new String(read(file), StandardCharsets.US_ASCII);
        List<X509Certificate> certs = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                certs.addAll(parse(Base64.getMimeDecoder().decode(m.group(2))));
            }
        }
        return certs;
    }

    private static byte[] read(Path file) throws ReadException {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ReadException("the file is larger than " + MAX_BYTES / 1024 + " KiB; it is not a certificate", false);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ReadException("cannot read " + file.getFileName() + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()), false);
        }
    }

    private static List<X509Certificate> parse(byte[] der) throws ReadException {
        try {
            Collection<? extends Certificate> parsed =
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(der));
            return x509(parsed.toArray(new Certificate[0]));
        } catch (CertificateException e) {
            throw new ReadException("a CERTIFICATE block is not an X.509 certificate: " + e.getMessage(), false);
        }
    }

    private static List<X509Certificate> x509(Certificate[] certs) {
        List<X509Certificate> out = new ArrayList<>();
        if (certs != null) {
            for (Certificate c : certs) {
                if (c instanceof X509Certificate x) {
                    out.add(x);
                }
            }
        }
        return out;
    }

    static CertificateFacts facts(X509Certificate leaf, List<X509Certificate> chain, boolean hasKey) throws ReadException {
        List<String> dns = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        dns.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new ReadException("the subject alternative names cannot be read: " + e.getMessage(), false);
        }
        if (dns.isEmpty()) {
            commonName(leaf).ifPresent(dns::add); // RFC 6125: the CN counts only when there is no DNS SAN
        }
        List<String> eku;
        try {
            eku = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new ReadException("the extended key usage cannot be read: " + e.getMessage(), false);
        }
        PublicKey key = leaf.getPublicKey();
        String algorithm;
        int bits;
        if (key instanceof RSAPublicKey rsa) {
            algorithm = "RSA";
            bits = rsa.getModulus().bitLength();
        } else if (key instanceof ECPublicKey ec) {
            algorithm = "EC";
            bits = ec.getParams().getCurve().getField().getFieldSize();
        } else {
            algorithm = key.getAlgorithm();
            bits = 0;
        }
        return new CertificateFacts(leaf, chain, hasKey, dns, eku, algorithm, bits, leaf.getSigAlgName(),
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
    }

    private static java.util.Optional<String> commonName(X509Certificate cert) {
        try {
            var name = new javax.naming.ldap.LdapName(cert.getSubjectX500Principal().getName());
            for (var rdn : name.getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return java.util.Optional.of(String.valueOf(rdn.getValue()));
                }
            }
        } catch (javax.naming.InvalidNameException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }
}

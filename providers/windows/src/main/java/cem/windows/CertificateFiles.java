package cem.windows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The certificate file a {@code certificate} resource names, as Windows will see it: its
 * thumbprint (SHA-1 of the certificate, as Windows computes it) and the PFX bytes to import —
 * a PEM file (certificate chain and PKCS#8 key) is turned into a PFX here.
 */
final class CertificateFiles {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private CertificateFiles() {}

    /** A PFX to import and the password that opens it. */
    record Pfx(byte[] bytes, String password) {}

    /** Thumbprints already computed, by file, size, time and a digest of the password: a PFX costs a PBKDF2 run to open. */
    private static final java.util.Map<String, String> THUMBPRINTS = new java.util.concurrent.ConcurrentHashMap<>();

    static Optional<String> thumbprint(JsonNode attributes, Path base) {
        try {
            // computeIfAbsent: the hosts of a large estate read the same file at once, and one of them opens it.
            return Optional.ofNullable(THUMBPRINTS.computeIfAbsent(cacheKey(attributes, base), k -> {
                try {
                    return thumbprint(leaf(attributes, base));
                } catch (IOException | GeneralSecurityException | RuntimeException e) {
                    return null; // not kept: the next read tries again
                }
            }));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String cacheKey(JsonNode attributes, Path base) throws IOException, GeneralSecurityException {
        if (attributes.hasNonNull("pemData")) {
            return "pemData|" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(attributes.get("pemData").asText().getBytes(StandardCharsets.US_ASCII)));
        }
        Path file = base.resolve(attributes.hasNonNull("pfx") ? attributes.get("pfx").asText() : attributes.path("pem").asText()).toAbsolutePath().normalize();
        String password = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(attributes.path("password").asText("").getBytes(StandardCharsets.UTF_8)));
        return file + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis() + "|" + password;
    }

    /**
     * The certificate a resource's file holds, read before apply: what Windows will show of it once
     * imported (see {@link #shown}), for the plan. Empty when the file cannot be read (validate says why).
     */
    static Optional<cem.cert.CertificateFacts> facts(JsonNode attributes, Path base) {
        try {
            if (attributes.hasNonNull("pfx")) {
                return Optional.of(cem.cert.CertificateFile.readPfx(base.resolve(attributes.get("pfx").asText()).normalize(),
                        attributes.path("password").asText("").toCharArray()));
            }
            return Optional.of(cem.cert.CertificateFile.readPem(base.resolve(attributes.path("pem").asText()).normalize()));
        } catch (cem.cert.CertificateFile.ReadException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A certificate's computed attributes as cem records them: thumbprint (upper case), subject (RFC 1779) and notAfter. */
    static java.util.Map<String, JsonNode> shown(X509Certificate cert) {
        try {
            var json = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
            return java.util.Map.of("thumbprint", json.textNode(thumbprint(cert)),
                    "subject", json.textNode(cert.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC1779)),
                    "notAfter", json.textNode(cert.getNotAfter().toInstant().toString()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String thumbprint(X509Certificate cert) throws GeneralSecurityException {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
    }

    static Pfx pfx(JsonNode attributes, Path base) throws IOException, GeneralSecurityException {
        if (attributes.hasNonNull("pfx")) {
            return new Pfx(Files.readAllBytes(base.resolve(attributes.get("pfx").asText()).normalize()), attributes.path("password").asText(""));
        }
        String text = pemText(attributes, base);
        List<Certificate> chain = new ArrayList<>();
        PrivateKey key = null;
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            if (m.group(1).equals("CERTIFICATE")) {
                chain.addAll(CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(der)));
            } else if (m.group(1).equals("PRIVATE KEY")) {
                PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
                try {
                    key = KeyFactory.getInstance("RSA").generatePrivate(spec);
                } catch (GeneralSecurityException e) {
                    key = KeyFactory.getInstance("EC").generatePrivate(spec);
                }
            }
        }
        String password = UUID.randomUUID().toString();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        if (key != null) {
            store.setKeyEntry("cem", key, password.toCharArray(), chain.toArray(new Certificate[0]));
        } else {
            store.setCertificateEntry("cem", chain.get(0));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.store(out, password.toCharArray());
        return new Pfx(out.toByteArray(), password);
    }

    /** The PEM text: held in memory for a certificate cem issued through ACME ({@code pemData}), else read from the file. */
    private static String pemText(JsonNode attributes, Path base) throws IOException {
        if (attributes.hasNonNull("pemData")) {
            return attributes.get("pemData").asText();
        }
        if (attributes.has("acme")) {
            throw new IOException("the ACME certificate is not issued yet");
        }
        return Files.readString(base.resolve(attributes.path("pem").asText()).normalize(), StandardCharsets.US_ASCII);
    }

    private static X509Certificate leaf(JsonNode attributes, Path base) throws IOException, GeneralSecurityException {
        if (attributes.hasNonNull("pfx")) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(Files.newInputStream(base.resolve(attributes.get("pfx").asText()).normalize()),
                    attributes.path("password").asText("").toCharArray());
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    return (X509Certificate) ks.getCertificateChain(alias)[0];
                }
            }
            return (X509Certificate) ks.getCertificate(Collections.list(ks.aliases()).get(0));
        }
        Matcher m = PEM.matcher(pemText(attributes, base));
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                return (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(Base64.getMimeDecoder().decode(m.group(2))));
            }
        }
        throw new IOException("no certificate in " + attributes.path("pem").asText());
    }
}

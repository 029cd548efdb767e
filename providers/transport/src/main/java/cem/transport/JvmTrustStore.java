package cem.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Collections;

/**
 * winrm4j's HTTP conduit (CXF) builds its TLS context from the JVM's default trust store and
 * ignores the one cem hands it. So that a host's CA file or pinned certificate also holds there,
 * cem points the JVM at a trust store of its own: the JVM's CA certificates plus the anchors the
 * configuration names. Every host is first checked with its own trust alone, host name included,
 * before any credential is sent ({@link TlsTrust#verify}); this store only lets the library's
 * second connection succeed. Verification is never turned off.
 */
final class JvmTrustStore {

    private static KeyStore store;
    private static Path file;

    /** The JVM's own trust store, as it was before cem changed the default. */
    private static final KeyStore ORIGINAL = original();

    private JvmTrustStore() {}

    /** The trust store the JVM had before cem pointed it at its own (what "the JVM's trust store" means in the configuration). */
    static KeyStore original() {
        if (ORIGINAL != null) {
            return ORIGINAL;
        }
        try {
            String configured = System.getProperty("javax.net.ssl.trustStore");
            Path path = configured != null ? Path.of(configured) : Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
            KeyStore ks = KeyStore.getInstance(System.getProperty("javax.net.ssl.trustStoreType", KeyStore.getDefaultType()));
            String password = System.getProperty("javax.net.ssl.trustStorePassword");
            try (InputStream in = Files.newInputStream(path)) {
                ks.load(in, password == null ? null : password.toCharArray());
            }
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the JVM's trust store: " + e.getMessage(), e);
        }
    }

    static synchronized void add(Collection<X509Certificate> anchors) {
        try {
            if (store == null) {
                // JKS, not PKCS12: CXF loads this file on every TLS connection, and a PKCS12 store's password-based MAC
                // (PBKDF2, 10,000 rounds) made that load the largest CPU cost of a 300-host plan. It holds only public certificates.
                store = KeyStore.getInstance("JKS");
                store.load(null, null);
                KeyStore jvm = original();
                for (String alias : Collections.list(jvm.aliases())) {
                    if (jvm.isCertificateEntry(alias)) {
                        store.setCertificateEntry("jvm-" + alias, jvm.getCertificate(alias));
                    }
                }
                file = Files.createTempFile("cem-truststore", ".jks");
                file.toFile().deleteOnExit();
            }
            boolean added = false;
            for (X509Certificate anchor : anchors) {
                if (store.getCertificateAlias(anchor) == null) {
                    store.setCertificateEntry("cem-" + store.size(), anchor);
                    added = true;
                }
            }
            if (!added && System.getProperty("javax.net.ssl.trustStore", "").equals(file.toString())) {
                return; // nothing new: rewriting the file would only race with connections reading it
            }
            // Written aside and moved into place: a connection opening on another thread never reads half a file.
            Path next = Files.createTempFile(file.toAbsolutePath().getParent(), "cem-truststore", ".tmp");
            try (OutputStream out = Files.newOutputStream(next)) {
                store.store(out, "cem".toCharArray());
            }
            Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            System.setProperty("javax.net.ssl.trustStore", file.toString());
            System.setProperty("javax.net.ssl.trustStorePassword", "cem");
            System.setProperty("javax.net.ssl.trustStoreType", "JKS");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot prepare the TLS trust store: " + e.getMessage(), e);
        }
    }
}

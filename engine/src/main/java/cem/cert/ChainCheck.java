package cem.cert;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Whether a certificate's chain is complete: from the leaf, each issuer is found (in the file, in
 * the extra CA certificates, or among the JVM's trust anchors) and its key verifies the signature,
 * up to a self-signed certificate or a trust anchor.
 */
public final class ChainCheck {

    private static volatile List<X509Certificate> jvmAnchors;

    private ChainCheck() {}

    /** The problem with the chain, or empty when it is complete. */
    public static Optional<String> problem(X509Certificate leaf, List<X509Certificate> chain, List<X509Certificate> extraCas) {
        List<X509Certificate> pool = new ArrayList<>(chain);
        pool.addAll(extraCas);
        X509Certificate current = leaf;
        for (int depth = 0; depth < 10; depth++) {
            if (selfSigned(current)) {
                return Optional.empty();
            }
            X509Certificate issuer = issuerOf(current, pool);
            if (issuer == null) {
                issuer = issuerOf(current, anchors());
                if (issuer != null) {
                    return Optional.empty();
                }
                return Optional.of("the issuer \"" + current.getIssuerX500Principal().getName() + "\" of \""
                        + current.getSubjectX500Principal().getName() + "\" is neither in the file nor a trusted CA");
            }
            current = issuer;
        }
        return Optional.of("the chain is longer than 10 certificates");
    }

    /** Whether a certificate names itself as issuer and its own key verifies its signature. */
    public static boolean selfSigned(X509Certificate cert) {
        return issuedBy(cert, cert);
    }

    /** Whether {@code candidate} issued {@code cert}: its subject is cert's issuer and its key verifies cert's signature. */
    public static boolean issuedBy(X509Certificate cert, X509Certificate candidate) {
        if (!candidate.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
            return false;
        }
        try {
            cert.verify(candidate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false; // same name, another key
        }
    }

    private static X509Certificate issuerOf(X509Certificate cert, List<X509Certificate> candidates) {
        for (X509Certificate candidate : candidates) {
            if (issuedBy(cert, candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static List<X509Certificate> anchors() {
        List<X509Certificate> anchors = jvmAnchors;
        if (anchors == null) {
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init((KeyStore) null);
                List<X509Certificate> found = new ArrayList<>();
                for (var tm : tmf.getTrustManagers()) {
                    if (tm instanceof X509TrustManager x) {
                        found.addAll(List.of(x.getAcceptedIssuers()));
                    }
                }
                anchors = List.copyOf(found);
            } catch (GeneralSecurityException e) {
                anchors = List.of();
            }
            jvmAnchors = anchors;
        }
        return anchors;
    }
}

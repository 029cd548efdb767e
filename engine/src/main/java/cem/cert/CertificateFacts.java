package cem.cert;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * What cem checks about a certificate file: the leaf's names, usage, key and validity, and the
 * chain it comes with.
 *
 * @param leaf the server certificate
 * @param chain the certificates the file holds besides the leaf, as found
 * @param hasPrivateKey whether the file holds the leaf's private key
 * @param dnsNames the SAN dNSName entries, or the subject CN when there are none
 * @param extendedKeyUsages EKU OIDs; null when the extension is absent
 * @param keyAlgorithm RSA or EC
 * @param keyBits RSA modulus size or EC field size
 * @param signatureAlgorithm the leaf's signature algorithm, e.g. SHA256withRSA
 * @param notBefore start of validity
 * @param notAfter end of validity
 */
public record CertificateFacts(
        X509Certificate leaf,
        List<X509Certificate> chain,
        boolean hasPrivateKey,
        List<String> dnsNames,
        List<String> extendedKeyUsages,
        String keyAlgorithm,
        int keyBits,
        String signatureAlgorithm,
        Instant notBefore,
        Instant notAfter) {

    public static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    /** Days a certificate must still be valid unless a resource says otherwise (minDaysValid). */
    public static final int DEFAULT_MIN_DAYS_VALID = 30;

    public CertificateFacts {
        chain = List.copyOf(chain);
        dnsNames = List.copyOf(dnsNames);
        extendedKeyUsages = extendedKeyUsages == null ? null : List.copyOf(extendedKeyUsages);
    }

    public boolean hasServerAuth() {
        return extendedKeyUsages != null && extendedKeyUsages.contains(SERVER_AUTH);
    }

    public String subject() {
        return leaf.getSubjectX500Principal().getName();
    }
}

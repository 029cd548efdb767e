package cem.windows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;

/**
 * Secrets sealed to a host, as PowerShell DSC does with a node's document-encryption certificate, so
 * that a PFX or a password never appears in a command line (event 4688) or in script text (script
 * block logging, event 4104). The agent's install makes the certificate on the host (LocalMachine\My,
 * subject {@value #SUBJECT}, private key not exportable); op {@code agent.info} lists it; Java seals
 * an op's secret arguments into a CMS EnvelopedData (RFC 5652): key transport RSA PKCS#1 v1.5
 * (rsaEncryption, RFC 3370 §4.2.1), the recipient named by issuer and serial number, content
 * AES-256-CBC (RFC 3565), DER. The agent opens it with EnvelopedCms.Decode and Decrypt (.NET
 * Framework, System.Security.Cryptography.Pkcs), which handles that key transport; that it also
 * decrypts AES-256-CBC content on Windows Server 2016's .NET Framework 4.6.2 is [?] (probe:
 * Unprotect-CmsMessage of a Protect-CmsMessage made with AES-256 elsewhere).
 */
final class Sealing {

    static final String SUBJECT = "CN=cem agent document encryption";
    static final String DOCUMENT_ENCRYPTION = "1.3.6.1.4.1.311.80.1";
    private static final int KEY_ENCIPHERMENT = 2;

    private Sealing() {}

    /** {@code {"sealed": base64 DER EnvelopedData of the UTF-8 JSON of secrets, "recipient": thumbprint}}. */
    static ObjectNode seal(ObjectNode secrets, X509Certificate recipient) {
        try {
            CMSEnvelopedDataGenerator generator = new CMSEnvelopedDataGenerator();
            generator.addRecipientInfoGenerator(new JceKeyTransRecipientInfoGenerator(recipient));
            CMSEnvelopedData sealed = generator.generate(new CMSProcessableByteArray(secrets.toString().getBytes(StandardCharsets.UTF_8)),
                    new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_CBC).build());
            byte[] der = sealed.toASN1Structure().getEncoded(ASN1Encoding.DER);
            return Agent.JSON.createObjectNode().put("sealed", Base64.getEncoder().encodeToString(der)).put("recipient", thumbprint(recipient));
        } catch (CMSException | IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal secrets to " + recipient.getSubjectX500Principal() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The newest certificate of {@code agentInfoData.encryptionCertificates} that can receive sealed
     * secrets at {@code now}: subject {@value #SUBJECT}, valid, RSA of 2048 bits or more, EKU Document
     * Encryption ({@value #DOCUMENT_ENCRYPTION}), key usage (when present) with keyEncipherment, and a
     * thumbprint that is its own. Others are ignored; empty when none is left.
     */
    static Optional<X509Certificate> recipient(JsonNode agentInfoData, Instant now) {
        List<X509Certificate> fit = new java.util.ArrayList<>();
        for (JsonNode entry : agentInfoData.path("encryptionCertificates")) {
            try {
                X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(entry.path("rawData").asText())));
                if (fit(c, now) && thumbprint(c).equalsIgnoreCase(entry.path("thumbprint").asText())) {
                    fit.add(c);
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // not a certificate: ignored like any unfit one
            }
        }
        return fit.stream().max(Comparator.comparing((X509Certificate c) -> c.getNotBefore()).thenComparing(X509Certificate::getNotAfter));
    }

    private static boolean fit(X509Certificate c, Instant now) throws GeneralSecurityException {
        if (!c.getSubjectX500Principal().equals(new X500Principal(SUBJECT))) {
            return false;
        }
        if (now.isBefore(c.getNotBefore().toInstant()) || now.isAfter(c.getNotAfter().toInstant())) {
            return false;
        }
        if (!(c.getPublicKey() instanceof RSAPublicKey rsa) || rsa.getModulus().bitLength() < 2048) {
            return false;
        }
        List<String> eku = c.getExtendedKeyUsage();
        if (eku == null || !eku.contains(DOCUMENT_ENCRYPTION)) {
            return false;
        }
        boolean[] usage = c.getKeyUsage();
        return usage == null || (usage.length > KEY_ENCIPHERMENT && usage[KEY_ENCIPHERMENT]);
    }

    /** What Windows shows as X509Certificate2.Thumbprint: SHA-1 of the DER certificate, upper-case hex (Microsoft Learn .NET API). */
    static String thumbprint(X509Certificate c) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

package cem.windows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Certificates;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.KeyTransRecipientId;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientId;
import org.junit.jupiter.api.Test;

/**
 * {@link Agent#seal} makes what EnvelopedCms decrypts (checked by opening it with BouncyCastle and
 * by reading its algorithms), and {@link Agent#recipient} picks only a certificate fit to receive it.
 */
class SealingTest {

    private static final KeyPurposeId DOCUMENT_ENCRYPTION = KeyPurposeId.getInstance(new ASN1ObjectIdentifier(Sealing.DOCUMENT_ENCRYPTION));
    private static final Instant NOW = Instant.now();
    /** One RSA key is reused where the test is not about keys: a 2048-bit key costs about 100 ms. */
    private static final Certificates.Issued HOST = encryption(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(700)));

    private static Certificates.Issued encryption(Instant from, Instant to) {
        return Certificates.selfSigned(Sealing.SUBJECT).eku(DOCUMENT_ENCRYPTION).validity(from, to).build();
    }

    private static ObjectNode info(X509Certificate... certificates) throws Exception {
        ObjectNode data = Agent.JSON.createObjectNode();
        var list = data.putArray("encryptionCertificates");
        for (X509Certificate c : certificates) {
            list.addObject().put("thumbprint", Sealing.thumbprint(c)).put("rawData", Base64.getEncoder().encodeToString(c.getEncoded()))
                    .put("notAfter", c.getNotAfter().toInstant().toString());
        }
        return data;
    }

    @Test
    void sealedSecretsOpenWithTheHostsKeyAndUseTheAlgorithmsEnvelopedCmsDecrypts() throws Exception {
        ObjectNode secrets = Agent.JSON.createObjectNode().put("pfx", "TUlJQ2Fr...").put("password", "it's a \"secret\" ü");
        ObjectNode sealed = Agent.seal(secrets, HOST.certificate());
        assertEquals(List.of("sealed", "recipient"), List.copyOf(iterable(sealed.fieldNames())));
        assertEquals(Sealing.thumbprint(HOST.certificate()), sealed.path("recipient").asText());
        assertTrue(sealed.path("recipient").asText().matches("[0-9A-F]{40}"), "Windows' thumbprint form");
        byte[] der = Base64.getDecoder().decode(sealed.path("sealed").asText());
        CMSEnvelopedData envelope = new CMSEnvelopedData(der);
        assertArrayEquals(der, envelope.toASN1Structure().getEncoded(ASN1Encoding.DER), "DER, not BER");
        assertEquals(CMSAlgorithm.AES256_CBC.getId(), envelope.getEncryptionAlgOID(), "content: AES-256-CBC");
        assertEquals(1, envelope.getRecipientInfos().size());
        RecipientInformation only = envelope.getRecipientInfos().getRecipients().iterator().next();
        assertEquals("1.2.840.113549.1.1.1", only.getKeyEncryptionAlgOID(), "key transport: rsaEncryption (PKCS#1 v1.5)");
        KeyTransRecipientId id = (KeyTransRecipientId) only.getRID();
        assertEquals(HOST.certificate().getSerialNumber(), id.getSerialNumber(), "recipient named by issuer and serial number");
        RecipientInformation mine = envelope.getRecipientInfos().get(new JceKeyTransRecipientId(HOST.certificate()));
        assertNotNull(mine);
        JsonNode opened = Agent.JSON.readTree(new String(mine.getContent(new JceKeyTransEnvelopedRecipient(HOST.keys().getPrivate())),
                StandardCharsets.UTF_8));
        assertEquals(secrets, opened);
        assertTrue(!sealed.toString().contains("secret") && !sealed.toString().contains("TUlJQ2Fr"), "nothing readable in what is sent");
    }

    @Test
    void twoSealsOfTheSameSecretsDiffer() {
        ObjectNode secrets = Agent.JSON.createObjectNode().put("password", "same");
        assertTrue(!Agent.seal(secrets, HOST.certificate()).equals(Agent.seal(secrets, HOST.certificate())), "a fresh content key each time");
    }

    @Test
    void theNewestValidDocumentEncryptionCertificateIsChosen() throws Exception {
        Certificates.Issued older = encryption(NOW.minus(Duration.ofDays(400)), NOW.plus(Duration.ofDays(300)));
        assertEquals(Optional.of(HOST.certificate()), Agent.recipient(info(older.certificate(), HOST.certificate())));
        assertEquals(Optional.of(HOST.certificate()), Agent.recipient(info(HOST.certificate(), older.certificate())));
        assertEquals(Optional.empty(), Agent.recipient(Agent.JSON.createObjectNode()), "no certificate at all");
    }

    @Test
    void unfitCertificatesAreRejected() throws Exception {
        X509Certificate expired = encryption(NOW.minus(Duration.ofDays(800)), NOW.minus(Duration.ofDays(1))).certificate();
        X509Certificate future = encryption(NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(800))).certificate();
        X509Certificate ecdsa = Certificates.selfSigned(Sealing.SUBJECT).ecdsa().eku(DOCUMENT_ENCRYPTION).build().certificate();
        X509Certificate serverAuth = Certificates.selfSigned(Sealing.SUBJECT).eku(KeyPurposeId.id_kp_serverAuth).build().certificate();
        X509Certificate otherSubject = Certificates.selfSigned("CN=someone else").eku(DOCUMENT_ENCRYPTION).build().certificate();
        X509Certificate small = Certificates.selfSigned(Sealing.SUBJECT).rsa(1024).eku(DOCUMENT_ENCRYPTION).build().certificate();
        for (X509Certificate unfit : List.of(expired, future, ecdsa, serverAuth, otherSubject, small)) {
            assertEquals(Optional.empty(), Agent.recipient(info(unfit)), unfit.toString());
            assertEquals(Optional.of(HOST.certificate()), Agent.recipient(info(unfit, HOST.certificate())), "the fit one is still found");
        }
        ObjectNode lying = info(HOST.certificate());
        ((ObjectNode) lying.path("encryptionCertificates").get(0)).put("thumbprint", "00".repeat(20));
        assertEquals(Optional.empty(), Agent.recipient(lying), "a thumbprint that is not the certificate's");
        ObjectNode garbage = Agent.JSON.createObjectNode();
        garbage.putArray("encryptionCertificates").addObject().put("thumbprint", "AB").put("rawData", "not base64!");
        assertEquals(Optional.empty(), Agent.recipient(garbage));
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}

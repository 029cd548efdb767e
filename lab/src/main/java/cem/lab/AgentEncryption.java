package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.jcajce.JceKeyTransEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientId;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A lab host's document-encryption certificate, the one cem's install makes on a Windows host with
 * {@code New-SelfSignedCertificate -Subject 'CN=cem agent document encryption' -Type
 * DocumentEncryptionCertLegacyCsp -KeyLength 2048 -NotAfter (Get-Date).AddYears(2)} in
 * LocalMachine\My: RSA 2048, self-signed, EKU Document Encryption (1.3.6.1.4.1.311.80.1), key usages
 * KeyEncipherment and DataEncipherment (as PowerShell DSC's "Securing the MOF File" requires of such a
 * certificate), a 16-byte random serial ({@code -SerialNumber}'s documented default) and NotBefore 10
 * minutes back ({@code -NotBefore}'s documented default). Sources: windows-powershell-docs
 * docset/winserver2016-ps/pki/New-SelfSignedCertificate.md; PowerShell-Docs-DSC
 * dsc-1.1/pull-server/secureMOF.md. With its private key it opens what cem seals.
 *
 * <p>The key and certificate are kept in one owner-only PEM file beside the host's state, made once
 * and reused by later runs: an RSA 2048 key takes roughly 50-200 ms to generate, every lab start would
 * pay it per host otherwise. Hosts without a state file keep theirs in memory.
 */
final class AgentEncryption {

    static final String SUBJECT = "CN=cem agent document encryption";
    static final String DOCUMENT_ENCRYPTION = "1.3.6.1.4.1.311.80.1";
    /**
     * CRYPT_E_RECIPIENT_NOT_FOUND (0x8009100B), the text of [MS-ERREF] 2.1.1 HRESULT Values; that
     * EnvelopedCms.Decrypt on .NET Framework carries exactly this system message is [?].
     */
    static final String NOT_RECIPIENT = "The enveloped-data message does not contain the specified recipient.";

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----\\s+([A-Za-z0-9+/=\\s]+?)-----END \\1-----");
    private static final DateTimeFormatter ROUND_TRIP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final X509Certificate certificate;
    private final PrivateKey key;

    private AgentEncryption(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** The one kept in {@code file} when it is still valid for 30 days (the install's own rule), else a new one written there; null file: in memory. */
    static AgentEncryption loadOrCreate(Path file) {
        if (file != null && Files.exists(file)) {
            AgentEncryption kept = read(file);
            if (kept.certificate.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(30)))) {
                return kept;
            }
        }
        AgentEncryption made = create();
        if (file != null) {
            made.write(file);
        }
        return made;
    }

    /** Forgets the certificate, as remove.ps1 removes it from LocalMachine\My. */
    static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** X509Certificate2.Thumbprint: the SHA-1 of the DER certificate in upper-case hex (Microsoft Learn .NET API). */
    String thumbprint() {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One entry of agent.info's {@code encryptionCertificates}; notAfter as .NET's round-trip ("o") format of the UTC time. */
    ObjectNode info(ObjectMapper json) {
        try {
            return json.createObjectNode().put("thumbprint", thumbprint())
                    .put("rawData", Base64.getEncoder().encodeToString(certificate.getEncoded()))
                    .put("notAfter", ROUND_TRIP.format(certificate.getNotAfter().toInstant()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Opens a sealed op's secrets, as the agent does with EnvelopedCms.Decode and Decrypt: the
     * members of the enveloped JSON object. A message for another certificate (another thumbprint, or
     * no RecipientInfo for this one) fails with Windows' text.
     */
    ObjectNode open(ObjectMapper json, String sealed, String recipient) {
        if (!thumbprint().equalsIgnoreCase(recipient)) {
            throw new IllegalStateException(NOT_RECIPIENT);
        }
        try {
            CMSEnvelopedData envelope = new CMSEnvelopedData(Base64.getDecoder().decode(sealed));
            RecipientInformation mine = envelope.getRecipientInfos().get(new JceKeyTransRecipientId(certificate));
            if (mine == null) {
                throw new IllegalStateException(NOT_RECIPIENT);
            }
            JsonNode secrets = json.readTree(new String(mine.getContent(new JceKeyTransEnvelopedRecipient(key)), StandardCharsets.UTF_8));
            if (!(secrets instanceof ObjectNode object)) {
                throw new IllegalStateException("The sealed content is not a JSON object.");
            }
            return object;
        } catch (CMSException | IllegalArgumentException e) {
            // EnvelopedCms.Decode of something that is no CMS message: ASN.1 errors on Windows; the text is [?].
            throw new IllegalStateException("ASN1 bad tag value met.");
        } catch (IOException e) {
            throw new IllegalStateException("The sealed content is not JSON.");
        }
    }

    /** Replaces {@code sealed} and {@code recipient} in an op's arguments by the members they carry. */
    ObjectNode unseal(ObjectMapper json, JsonNode args) {
        ObjectNode out = args.deepCopy();
        ObjectNode secrets = open(json, out.remove("sealed").asText(), out.path("recipient").asText());
        out.remove("recipient");
        for (Iterator<String> names = secrets.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            out.set(name, secrets.get(name));
        }
        return out;
    }

    private static AgentEncryption create() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, new SecureRandom());
            KeyPair keys = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name(SUBJECT);
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(1, randomBytes(16)),
                    Date.from(now.minus(Duration.ofMinutes(10))), Date.from(now.atZone(ZoneOffset.UTC).plusYears(2).toInstant()), name,
                    keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment | KeyUsage.dataEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(KeyPurposeId.getInstance(new ASN1ObjectIdentifier(DOCUMENT_ENCRYPTION))));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
            return new AgentEncryption(cert, keys.getPrivate());
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private void write(Path file) {
        try {
            Base64.Encoder mime = Base64.getMimeEncoder(64, new byte[] {'\n'});
            String text = "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n"
                    + "-----BEGIN CERTIFICATE-----\n" + mime.encodeToString(certificate.getEncoded()) + "\n-----END CERTIFICATE-----\n";
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            try {
                // Owner-only from its creation: the private key is never readable by others, not even briefly.
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(temp); // no POSIX modes (NTFS): restricted before the first byte is written
                cem.state.OwnerOnly.restrict(temp);
            } catch (FileAlreadyExistsException e) {
                throw new IllegalStateException(e);
            }
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot keep the lab host's encryption key in " + file + ": " + e.getMessage(), e);
        }
    }

    private static AgentEncryption read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            PrivateKey key = null;
            X509Certificate cert = null;
            Matcher m = PEM.matcher(text);
            while (m.find()) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                if (m.group(1).equals("PRIVATE KEY")) {
                    key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
                } else if (m.group(1).equals("CERTIFICATE")) {
                    cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der));
                }
            }
            if (key == null || cert == null) {
                throw new IllegalStateException("the lab host's encryption key file " + file + " is damaged; delete it");
            }
            return new AgentEncryption(cert, key);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the lab host's encryption key " + file + ": " + e.getMessage(), e);
        }
    }
}

package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * LocalMachine\My, \CA and \Root of a lab host: each certificate kept as its DER
 * (X509Certificate2.RawData), as the agent returns it raw and Java parses it.
 */
final class CertificateStores {

    private CertificateStores() {}

    /** Friendly name of the ECC certificate every lab host holds, as if another product had installed it. */
    static final String OTHER_PRODUCT = "ECC certificate of another product";

    /** Parsed certificates by thumbprint: reading a store parses each DER once per process. */
    private static final Map<String, X509Certificate> PARSED = new ConcurrentHashMap<>();

    /**
     * Seeds a new host's My store with one ECDSA P-256 certificate: machines often hold ECC
     * certificates other products installed, and .NET Framework's PublicKey.Key throws
     * NotSupportedException for them (it handles RSA and DSA only — docs of
     * System.Security.Cryptography.X509Certificates.PublicKey.Key) — the failure of the old agent.
     */
    static void seed(ObjectNode s) {
        s.putObject("certificates");
        s.putObject("caStore");
        s.putObject("rootStore");
        Certificates.Issued ecc = Certificates.selfSigned("CN=Device ECC,O=Other Product").ecdsa().eku(KeyPurposeId.id_kp_clientAuth).build();
        add(s, "certificates", ecc.certificate(), true, OTHER_PRODUCT);
    }

    /** Puts a certificate in a store ("certificates" = My, "caStore", "rootStore"); returns its thumbprint. */
    static String add(ObjectNode s, String store, X509Certificate c, boolean privateKey, String friendlyName) {
        String tp = thumbprint(c);
        ObjectNode entry = s.with(store).putObject(tp);
        entry.put("thumbprint", tp).put("rawData", Base64.getEncoder().encodeToString(der(c)));
        if (store.equals("certificates")) {
            entry.put("hasPrivateKey", privateKey).put("friendlyName", friendlyName);
        }
        PARSED.put(tp, c);
        return tp;
    }

    static void trust(ObjectNode s, X509Certificate root) {
        add(s, "rootStore", root, false, "");
    }

    /** certificate.read: every certificate of My, raw, with the chain status X509Chain.Build reports. */
    static JsonNode read(ObjectNode s) {
        ArrayNode out = WindowsState.array();
        for (JsonNode c : s.path("certificates")) {
            ObjectNode item = out.addObject();
            item.put("thumbprint", c.path("thumbprint").asText()).put("rawData", c.path("rawData").asText())
                    .put("hasPrivateKey", c.path("hasPrivateKey").asBoolean()).put("friendlyName", c.path("friendlyName").asText(""));
            ArrayNode status = item.putArray("chainStatus");
            chainStatus(s, parse(c)).forEach(status::add);
        }
        return out;
    }

    /**
     * X509Chain.Build over the host's stores, as the agent calls it (RevocationMode NoCheck: no
     * revocation flags). Flag names are X509ChainStatusFlags members (learn.microsoft.com, .NET API
     * "X509ChainStatusFlags"): PartialChain when an issuer is in no store, UntrustedRoot when the
     * chain ends in a self-signed certificate that LocalMachine\Root does not hold, NotTimeValid
     * when a certificate of the chain is outside its validity. Empty when the chain builds.
     */
    static Set<String> chainStatus(JsonNode s, X509Certificate leaf) {
        Set<String> status = new LinkedHashSet<>();
        X509Certificate c = leaf;
        Date now = new Date();
        for (int depth = 0; depth < 8; depth++) {
            if (now.before(c.getNotBefore()) || now.after(c.getNotAfter())) {
                status.add("NotTimeValid");
            }
            if (selfSigned(c)) {
                if (!s.path("rootStore").has(thumbprint(c))) {
                    status.add("UntrustedRoot");
                }
                return status;
            }
            X509Certificate issuer = issuer(s, c);
            if (issuer == null) {
                status.add("PartialChain");
                return status;
            }
            c = issuer;
        }
        return status;
    }

    private static X509Certificate issuer(JsonNode s, X509Certificate c) {
        for (String store : new String[] {"certificates", "caStore", "rootStore"}) {
            for (JsonNode entry : s.path(store)) {
                X509Certificate candidate = parse(entry);
                if (cem.cert.ChainCheck.issuedBy(c, candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    static boolean selfSigned(X509Certificate c) {
        return cem.cert.ChainCheck.selfSigned(c);
    }

    /** A PFX as X509Certificate2Collection.Import reads it: all its certificates, and which of them have a key. */
    private record Opened(List<X509Certificate> all, List<String> keyAliases, X509Certificate keyCertificate, Key key,
            Certificate[] chain, String alias) {}

    /** PFX files already opened (opening one costs a PBKDF2 run, and many hosts import the same PFX at once). */
    private static final cem.cert.PfxCache<Opened> OPENED = new cem.cert.PfxCache<>();

    private static Opened open(byte[] pfx, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(pfx), password.toCharArray());
        List<X509Certificate> all = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        X509Certificate keyCert = null;
        Key key = null;
        Certificate[] chain = null;
        String alias = "";
        for (String a : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(a)) {
                keys.add(a);
                chain = ks.getCertificateChain(a);
                keyCert = (X509Certificate) chain[0];
                key = ks.getKey(a, password.toCharArray());
                alias = a;
                for (Certificate c : chain) {
                    addOnce(all, (X509Certificate) c);
                }
            } else if (ks.isCertificateEntry(a)) {
                addOnce(all, (X509Certificate) ks.getCertificate(a));
            }
        }
        return new Opened(all, keys, keyCert, key, chain, alias);
    }

    private static void addOnce(List<X509Certificate> all, X509Certificate c) {
        if (all.stream().noneMatch(x -> thumbprint(x).equals(thumbprint(c)))) {
            all.add(c);
        }
    }

    /**
     * certificate.import, as the agent does it with X509Certificate2Collection.Import (MachineKeySet,
     * PersistKeySet; learn.microsoft.com, .NET API "X509Certificate2Collection.Import"): every
     * certificate of the PFX is read; the one with a private key goes to My, every other one that
     * is not self-signed to CA (intermediates), self-signed ones are not added (roots). A wrong
     * password fails with the text of Win32 error 86, ERROR_INVALID_PASSWORD ("System Error Codes
     * (0-499)", learn.microsoft.com), which the CryptographicException of PFXImportCertStore carries.
     * More than one certificate with a key, or none, is refused by the agent (its own messages).
     */
    static JsonNode importPfx(ObjectNode s, JsonNode args, Path file) {
        byte[] pfx = Base64.getDecoder().decode(args.path("pfx").asText());
        Opened opened;
        try {
            opened = OPENED.get(pfx, args.path("password").asText(""), () -> open(pfx, args.path("password").asText("")));
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalStateException("The specified network password is not correct.");
            }
            // [?] Not a PKCS#12 file at all: the text PFXImportCertStore's CRYPT_E_NOT_FOUND gives (kept from the first lab).
            throw new IllegalStateException("Cannot find the requested object.");
        } catch (Exception e) {
            throw new IllegalStateException("Cannot find the requested object.");
        }
        if (opened.keyAliases().size() > 1) {
            throw new IllegalStateException("The PFX holds more than one certificate with a private key.");
        }
        if (opened.keyCertificate() == null) {
            throw new IllegalStateException("The PFX holds no certificate with a private key.");
        }
        String friendly = args.hasNonNull("friendlyName") ? args.get("friendlyName").asText() : opened.alias(); // [?] the PFX's friendlyName bag attribute, as Java's PKCS12 reads it (alias)
        String thumbprint = add(s, "certificates", opened.keyCertificate(), true, friendly);
        if (file != null && file.getParent() != null) {
            // The machine key store: the lab presents this certificate in real TLS handshakes (LabKeys).
            LabKeys.keep(file.getParent(), thumbprint, opened.key(), opened.chain());
        }
        ObjectNode out = WindowsState.object().put("thumbprint", thumbprint);
        ArrayNode intermediates = out.putArray("intermediates");
        ArrayNode roots = out.putArray("roots");
        for (X509Certificate c : opened.all()) {
            if (c == opened.keyCertificate() || thumbprint(c).equals(thumbprint)) {
                continue;
            }
            if (selfSigned(c)) {
                roots.add(thumbprint(c));
            } else {
                intermediates.add(add(s, "caStore", c, false, ""));
            }
        }
        return out;
    }

    /** certificate.remove: X509Store.Remove of the certificate with exactly this thumbprint. */
    static JsonNode remove(ObjectNode s, JsonNode args) {
        String tp = args.path("thumbprint").asText().toUpperCase(Locale.ROOT);
        boolean removed = s.with("certificates").remove(tp) != null;
        return WindowsState.object().put("thumbprint", tp).put("removed", removed);
    }

    /**
     * The certificate the lab's gateway listener presents: the newest of My with a private key, the
     * Server Authentication EKU and a DNS name. [?] Gateway Manager's certificate choice is not
     * among the settings values cem reads, so the lab takes the one cem imported last.
     */
    static String gatewayCertificate(JsonNode s) {
        String found = "";
        for (JsonNode c : s.path("certificates")) {
            X509Certificate x = parse(c);
            if (c.path("hasPrivateKey").asBoolean() && serverAuth(x) && !dnsNames(x).isEmpty()) {
                found = c.path("thumbprint").asText();
            }
        }
        return found;
    }

    static X509Certificate parse(JsonNode entry) {
        String tp = entry.path("thumbprint").asText();
        return PARSED.computeIfAbsent(tp, k -> {
            try {
                byte[] der = Base64.getDecoder().decode(entry.path("rawData").asText());
                return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the lab's store holds a certificate that does not parse: " + tp, e);
            }
        });
    }

    static List<String> dnsNames(X509Certificate c) {
        List<String> out = new ArrayList<>();
        try {
            if (c.getSubjectAlternativeNames() != null) {
                c.getSubjectAlternativeNames().forEach(san -> {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        out.add(String.valueOf(san.get(1)));
                    }
                });
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Whether the certificate may authenticate a server: no EKU extension means every purpose (RFC 5280 4.2.1.12). */
    static boolean serverAuth(X509Certificate c) {
        try {
            return c.getExtendedKeyUsage() == null || c.getExtendedKeyUsage().contains(WindowsState.SERVER_AUTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> ekus(X509Certificate c) {
        try {
            return c.getExtendedKeyUsage() == null ? List.of() : c.getExtendedKeyUsage();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean covers(String pattern, String name) {
        String p = WindowsState.lower(pattern);
        String n = WindowsState.lower(name);
        if (p.startsWith("*.")) {
            int dot = n.indexOf('.');
            return dot > 0 && n.substring(dot).equals(p.substring(1));
        }
        return p.equals(n);
    }

    static String thumbprint(X509Certificate c) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(der(c)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

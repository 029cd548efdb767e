package cem.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest of state documents and saved plans: AES-256-GCM with a random 96-bit IV per
 * document, the key named by a short fingerprint so that a document says which key it needs. The
 * envelope keeps {@code lineage} and {@code serial} in the clear — locking and compare-and-swap
 * read them — and binds them to the ciphertext as associated data, so they cannot be edited
 * either; the associated data also binds the document's kind (a state, a saved plan) and the key's
 * fingerprint, so a sealed plan never opens as a state nor the reverse. Reading tries the current
 * key, then the fallback keys (rotation): the next write uses the current key. Envelopes without a
 * kind (written before the kind was bound) are still read; the next write binds it.
 */
public final class StateEncryption {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALGORITHM = "AES-256-GCM";

    /** What a sealed document is; bound into its associated data. */
    public enum Kind {
        STATE("state"), PLAN("saved plan"), DOCUMENT("kept document");

        private final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private final byte[] key;
    private final List<byte[]> fallbacks;
    private final boolean required;

    /**
     * @param key the current key, 32 bytes
     * @param fallbacks older keys that may still be needed to read
     * @param required refuse to read an unencrypted document
     */
    public StateEncryption(byte[] key, List<byte[]> fallbacks, boolean required) {
        this.key = key.clone();
        this.fallbacks = new ArrayList<>();
        fallbacks.forEach(k -> this.fallbacks.add(k.clone()));
        this.required = required;
    }

    /** A key from its configured text: base64 of exactly 32 bytes. */
    public static byte[] parseKey(String text, String what) throws StateException {
        byte[] k;
        try {
            k = Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            k = new byte[0];
        }
        if (k.length != 32) {
            throw new StateException("The " + what + " is not an AES-256 key (base64 of 32 bytes).",
                    "Make one with `head -c 32 /dev/urandom | base64` and keep it where the secret reference points.");
        }
        return k;
    }

    /** A key's public name: the first 8 bytes of its SHA-256, in hex. */
    static String fingerprint(byte[] k) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(k), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether reading refuses a document that is not sealed. */
    public boolean required() {
        return required;
    }

    /**
     * The key of the digests of secrets in the state ({@link SecretDigest}): derived from the current key, so it
     * is never in the state; the fallback keys' follow, so a rotation does not make every secret look changed.
     */
    public SecretDigest secretDigest() {
        List<byte[]> keys = new ArrayList<>();
        keys.add(key);
        keys.addAll(fallbacks);
        return SecretDigest.keyed(keys.stream().map(k -> Integrity.hmac(k, "cem secret digest".getBytes(StandardCharsets.UTF_8))).toList());
    }

    /** The sealed form of a document of {@code kind} whose clear text is {@code plain}. */
    public String seal(String plain, Kind kind, String lineage, long serial) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            c.updateAAD(aad(kind, fingerprint(key), lineage, serial));
            byte[] data = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            ObjectNode root = JSON.createObjectNode();
            root.put("version", State.FORMAT_VERSION).put("lineage", lineage).put("serial", serial);
            root.putObject("encrypted").put("alg", ALGORITHM).put("kind", kind.name().toLowerCase(java.util.Locale.ROOT)).put("key", fingerprint(key))
                    .put("iv", Base64.getEncoder().encodeToString(iv)).put("data", Base64.getEncoder().encodeToString(data));
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /** Whether a document is sealed (without opening it). */
    public static boolean isSealed(String text) {
        try {
            return JSON.readTree(text).has("encrypted");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The clear text of a document: opened with the key it names, or returned as it is when it is
     * not sealed and encryption is not required.
     */
    public String open(String text, Kind kind, String where) throws StateException {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            return text; // not JSON at all: the codec says what is wrong with it
        }
        JsonNode sealed = root == null ? null : root.get("encrypted");
        if (sealed == null) {
            if (required) {
                throw new StateException(where + " is not encrypted, and the configuration requires encryption.",
                        "Migrate it once with encryption.required: false (the next write encrypts it), or restore an encrypted copy.");
            }
            return text;
        }
        if (!ALGORITHM.equals(sealed.path("alg").asText())) {
            throw new StateException(where + " is encrypted with " + sealed.path("alg").asText() + ", which this cem does not know.",
                    "Use the cem that wrote it.");
        }
        String stated = sealed.path("kind").asText(null);
        if (stated != null && !stated.equals(kind.name().toLowerCase(java.util.Locale.ROOT))) {
            throw new StateException(where + " is a sealed " + stated.replace("plan", "saved plan") + ", not a " + kind.label + ".",
                    "Put the right file back (or restore the " + kind.label + " from a backup); cem reads only what it sealed as a " + kind.label + ".");
        }
        String wanted = sealed.path("key").asText();
        List<byte[]> keys = new ArrayList<>();
        keys.add(key);
        keys.addAll(fallbacks);
        for (byte[] k : keys) {
            if (!fingerprint(k).equals(wanted)) {
                continue;
            }
            try {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, "AES"),
                        new GCMParameterSpec(128, Base64.getDecoder().decode(sealed.path("iv").asText())));
                String lineage = root.path("lineage").asText();
                long serial = root.path("serial").asLong();
                c.updateAAD(stated == null ? legacyAad(lineage, serial) : aad(kind, wanted, lineage, serial));
                return new String(c.doFinal(Base64.getDecoder().decode(sealed.path("data").asText())), StandardCharsets.UTF_8);
            } catch (AEADBadTagException e) {
                throw new StateException(where + " does not decrypt: it was altered (or its lineage, serial, kind or key edited).",
                        "Restore it from a backup or an earlier version; do not edit encrypted state.");
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new StateException(where + " cannot be decrypted: " + e.getMessage(), "Restore it from a backup.");
            }
        }
        throw new StateException(where + " is encrypted with key " + wanted + ", which is neither the configured key ("
                + fingerprint(key) + ") nor a fallback key.", "Add the old key to encryption.fallbackKeys (rotation), or fix encryption.key."
                        + " Nothing was written.");
    }

    private static byte[] aad(Kind kind, String keyFingerprint, String lineage, long serial) {
        return ("cem-sealed/2|" + kind.name() + "|" + keyFingerprint + "|" + lineage + "|" + serial).getBytes(StandardCharsets.UTF_8);
    }

    /** The associated data of envelopes written before the kind and key were bound (no "kind" field). */
    private static byte[] legacyAad(String lineage, long serial) {
        return ("cem-state|" + lineage + "|" + serial).getBytes(StandardCharsets.UTF_8);
    }
}

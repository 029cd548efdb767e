package cem.state;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * How the state keeps a secret (a certificate's password) so that a plan can tell it changed without
 * holding it. With encryption at rest, an HMAC-SHA256 keyed with a key derived from the state's
 * encryption key ({@link StateEncryption#secretDigest()}): the key is never in the state, so the
 * digest cannot be tested against guesses by whoever reads the state. Without it, PBKDF2-HMAC-SHA256
 * with a random salt and {@value #ITERATIONS} iterations: over ten times the work of OpenSSL's
 * default PKCS#12 key derivation (2048 iterations, {@code PKCS12_DEFAULT_ITER} in openssl's
 * {@code include/openssl/pkcs12.h}), so the state is no cheaper a way to guess the password than the
 * PFX it opens. Digests of older cem (one salted SHA-256) never match: the next plan shows the
 * password as changed, and applying it records the new form.
 */
public final class SecretDigest {

    static final int ITERATIONS = 25_000;
    private static final String HMAC = "hmac-sha256:";
    private static final String PBKDF2 = "pbkdf2-sha256:";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** No key: salted PBKDF2. */
    public static final SecretDigest UNKEYED = new SecretDigest(List.of());

    private final List<byte[]> keys;

    private SecretDigest(List<byte[]> keys) {
        this.keys = keys.stream().map(byte[]::clone).toList();
    }

    /** Digests with the first key; matches with any of them (the ones after it are older keys). */
    static SecretDigest keyed(List<byte[]> keys) {
        return new SecretDigest(keys);
    }

    /** The digest of {@code secret} as the state keeps it. */
    public String of(String secret) {
        if (!keys.isEmpty()) {
            return hmac(keys.get(0), secret);
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return pbkdf2(secret, salt, ITERATIONS);
    }

    /** Whether a state value is a secret's digest (as this class writes it, or a plain SHA-256 as older states hold). */
    public static boolean isDigest(String value) {
        return value.startsWith(HMAC) || value.startsWith(PBKDF2) || value.startsWith("sha256:");
    }

    /** Whether {@code digest} (from the state) is a digest of {@code secret}. */
    public boolean matches(String digest, String secret) {
        if (digest == null) {
            return false;
        }
        if (digest.startsWith(HMAC)) {
            return keys.stream().anyMatch(k -> same(hmac(k, secret), digest));
        }
        String[] parts = digest.split(":");
        if (digest.startsWith(PBKDF2) && parts.length == 4 && parts[1].matches("\\d{1,6}") && parts[2].matches("([0-9a-f]{2}){8,64}")) {
            return same(pbkdf2(secret, HexFormat.of().parseHex(parts[2]), Integer.parseInt(parts[1])), digest);
        }
        return false;
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static String hmac(byte[] key, String secret) {
        return HMAC + StateEncryption.fingerprint(key) + ":"
                + HexFormat.of().formatHex(Integrity.hmac(key, secret.getBytes(StandardCharsets.UTF_8)));
    }

    private static String pbkdf2(String secret, byte[] salt, int iterations) {
        try {
            byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(secret.toCharArray(), salt, Math.max(iterations, 1), 256)).getEncoded();
            return PBKDF2 + iterations + ":" + HexFormat.of().formatHex(salt) + ":" + HexFormat.of().formatHex(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2 is not available: " + e.getMessage(), e);
        }
    }
}

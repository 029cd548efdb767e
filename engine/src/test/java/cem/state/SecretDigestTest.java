package cem.state;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 24, item 8: the state kept a certificate password as one salted SHA-256, cheaper to guess against than the PFX. */
class SecretDigestTest {

    private static final String PASSWORD = "Pfx-Passw0rd";

    /** What anyone who reads a state could do with the previous digest: test a guess with one SHA-256. */
    private static boolean guessableWithOneSha256(String digest, String guess) throws Exception {
        String[] parts = digest.split(":");
        if (parts.length != 3) {
            return false;
        }
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(HexFormat.of().parseHex(parts[1]));
        md.update(guess.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest()).equals(parts[2]);
    }

    private static StateEncryption encryption(byte[] key, byte[]... older) {
        return new StateEncryption(key, List.of(older), true);
    }

    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        k[0] = (byte) seed;
        return k;
    }

    @Test
    void withEncryptionTheDigestIsKeyedAndCannotBeCheckedWithoutTheKey() throws Exception {
        String digest = encryption(key(1)).secretDigest().of(PASSWORD);
        assertTrue(digest.startsWith("hmac-sha256:"), digest);
        assertFalse(digest.contains(PASSWORD));
        assertFalse(guessableWithOneSha256(digest, PASSWORD), "a reader of the state cannot test guesses");
        assertFalse(SecretDigest.UNKEYED.matches(digest, PASSWORD), "nor without the key");
        assertFalse(encryption(key(2)).secretDigest().matches(digest, PASSWORD), "nor with another key");
        assertTrue(encryption(key(1)).secretDigest().matches(digest, PASSWORD));
        assertFalse(encryption(key(1)).secretDigest().matches(digest, "other"), "a changed password is a change");
        assertTrue(encryption(key(2), key(1)).secretDigest().matches(digest, PASSWORD), "a rotated key still recognises it");
    }

    @Test
    void withoutEncryptionTheDigestCostsMoreThanThePfxKeyDerivation() throws Exception {
        String digest = SecretDigest.UNKEYED.of(PASSWORD);
        assertTrue(digest.startsWith("pbkdf2-sha256:" + SecretDigest.ITERATIONS + ":"), digest);
        assertTrue(SecretDigest.ITERATIONS >= 10 * 2048, "ten times OpenSSL's PKCS12_DEFAULT_ITER");
        assertFalse(guessableWithOneSha256(digest, PASSWORD));
        assertTrue(SecretDigest.UNKEYED.matches(digest, PASSWORD));
        assertFalse(SecretDigest.UNKEYED.matches(digest, "other"));
        assertFalse(SecretDigest.UNKEYED.matches(digest.replace(":" + SecretDigest.ITERATIONS + ":", ":99999999:"), PASSWORD),
                "an iteration count from the state is bounded");
        assertTrue(SecretDigest.UNKEYED.matches(SecretDigest.UNKEYED.of(""), ""), "an empty password too");
    }

    @Test
    void aDigestOfThePreviousFormatNeverMatches() throws Exception {
        byte[] salt = new byte[16];
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(salt);
        md.update(PASSWORD.getBytes(StandardCharsets.UTF_8));
        String old = "sha256:" + HexFormat.of().formatHex(salt) + ":" + HexFormat.of().formatHex(md.digest());
        assertFalse(SecretDigest.UNKEYED.matches(old, PASSWORD), "the next apply records the new form");
    }
}

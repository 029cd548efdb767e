package cem.cert;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What was read from a PFX, kept by a digest of its bytes and password: opening one costs a
 * PBKDF2 run, and the hosts of an estate (or the sites of a fleet) name the same file at once —
 * one of them opens it, the others wait for that. A failed opening is not kept.
 */
public final class PfxCache<V> {

    /** Opens the PFX. */
    public interface Opener<V, E extends Exception> {
        V open() throws E;
    }

    private final Map<String, V> opened = new ConcurrentHashMap<>();
    private final Map<String, Object> opening = new ConcurrentHashMap<>();

    public <E extends Exception> V get(byte[] pfx, String password, Opener<V, E> opener) throws E {
        String key = key(pfx, password);
        V known = opened.get(key);
        if (known != null) {
            return known;
        }
        synchronized (opening.computeIfAbsent(key, k -> new Object())) {
            known = opened.get(key);
            if (known == null) {
                known = opener.open();
                opened.put(key, known);
            }
            return known;
        }
    }

    private static String key(byte[] pfx, String password) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(pfx);
            md.update((byte) 0);
            md.update(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

package cem.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a state or a saved plan must carry to be read. Always its {@link Checksum}, which catches
 * edits and damage. With a MAC key, also an HMAC-SHA256 of the same content, named by the key's
 * fingerprint: a document without it, or with another, is refused. The key is given from outside
 * the configuration ({@value #KEY_VARIABLE}, or a file named by {@value #KEY_FILE_VARIABLE}), so a
 * change to the YAML cannot name it, and a job that does not hold it (a pull request's plan)
 * cannot make a document that a job holding it accepts. Reading without the key accepts a MAC it
 * cannot check: the checksum still applies.
 */
public final class Integrity {

    public static final String FIELD = "mac";
    public static final String KEY_VARIABLE = "CEM_MAC_KEY";
    public static final String KEY_FILE_VARIABLE = "CEM_MAC_KEY_FILE";
    private static final String PREFIX = "hmac-sha256:";

    /** The checksum alone: no MAC key is set. */
    public static final Integrity CHECKSUM = new Integrity(null, false);

    private final byte[] key;
    private final boolean adopt;

    private Integrity(byte[] key, boolean adopt) {
        this.key = key == null ? null : key.clone();
        this.adopt = adopt;
    }

    /** Checks the checksum and a MAC made with {@code key} (32 bytes). */
    public static Integrity keyed(byte[] key) {
        return new Integrity(key, false);
    }

    /** The MAC key the environment gives ({@value #KEY_VARIABLE} or {@value #KEY_FILE_VARIABLE}), else the checksum alone. */
    public static Integrity of(Map<String, String> env) throws StateException {
        String text = env.get(KEY_VARIABLE);
        String file = env.get(KEY_FILE_VARIABLE);
        if (text == null && file != null) {
            try {
                text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new StateException("Cannot read the MAC key file " + file + " (" + KEY_FILE_VARIABLE + "): " + e.getMessage(),
                        "Point " + KEY_FILE_VARIABLE + " at a readable file holding the key, or unset it.");
            }
        }
        return text == null || text.isBlank() ? CHECKSUM : keyed(StateEncryption.parseKey(text, "MAC key (" + KEY_VARIABLE + ")"));
    }

    /**
     * The same checks, except that a document with no checksum or no MAC is taken as it is (a state written by
     * an older cem or before the key was set): for {@code cem state sign}, which rewrites it with both.
     */
    public Integrity adopting() {
        return new Integrity(key, true);
    }

    /** Whether a MAC key is set. */
    public boolean keyed() {
        return key != null;
    }

    /** Puts the checksum, and the MAC when a key is set, into {@code root}. */
    public ObjectNode add(ObjectNode root) {
        root.remove(FIELD);
        Checksum.add(root);
        if (key != null) {
            root.put(FIELD, mac(key, root));
        }
        return root;
    }

    /** Why {@code root} may not be read (a phrase that follows "it"), or null when it may. */
    public String problem(JsonNode root) {
        if (!root.has(Checksum.FIELD) && !adopt) {
            return "has no checksum; cem writes one into every state and saved plan, so it was written by a development build of cem"
                    + " or the checksum was removed";
        }
        if (root.has(Checksum.FIELD) && !Checksum.matches(root)) {
            return "was changed outside cem: its checksum does not match its content (edited by hand, or damaged)";
        }
        if (key == null || !root.has(FIELD) && adopt) {
            return null;
        }
        String stated = root.path(FIELD).asText("");
        if (stated.isEmpty()) {
            return "has no MAC, and " + KEY_VARIABLE + " is set: it was written without the key, or its MAC was removed";
        }
        if (!stated.startsWith(PREFIX + StateEncryption.fingerprint(key) + ":")) {
            return "has a MAC made with another key than " + KEY_VARIABLE + " (" + StateEncryption.fingerprint(key) + ")";
        }
        if (!MessageDigest.isEqual(stated.getBytes(StandardCharsets.UTF_8), mac(key, (ObjectNode) root).getBytes(StandardCharsets.UTF_8))) {
            return "has a MAC that does not match its content: it was changed by someone who does not hold " + KEY_VARIABLE;
        }
        return null;
    }

    private static String mac(byte[] key, ObjectNode root) {
        return PREFIX + StateEncryption.fingerprint(key) + ":" + HexFormat.of().formatHex(hmac(key, Checksum.content(root)));
    }

    /** HMAC-SHA256 of {@code data} with {@code key}. */
    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available: " + e.getMessage(), e);
        }
    }
}

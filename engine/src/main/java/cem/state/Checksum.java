package cem.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The checksum cem writes into its state and saved plan files: SHA-256 of the document's compact
 * JSON without the checksum and MAC fields. It catches edits and damage (whitespace aside); it is
 * not a signature — whoever may write the file may recompute it. A MAC ({@link Integrity}) or
 * encryption at rest (AES-GCM) authenticates.
 */
public final class Checksum {

    public static final String FIELD = "checksum";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checksum() {}

    /** Puts the checksum of {@code root} into it (last), replacing one it had. */
    public static ObjectNode add(ObjectNode root) {
        root.remove(FIELD);
        root.put(FIELD, of(root));
        return root;
    }

    /** Whether {@code root} carries a checksum, and it matches its content. */
    public static boolean matches(JsonNode root) {
        return root.isObject() && root.path(FIELD).isTextual() && of((ObjectNode) root).equals(root.get(FIELD).asText());
    }

    private static String of(ObjectNode root) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content(root)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the checksum and the MAC cover: the compact JSON of {@code root} without either. */
    static byte[] content(ObjectNode root) {
        ObjectNode copy = root.deepCopy();
        copy.remove(FIELD);
        copy.remove(Integrity.FIELD);
        try {
            return JSON.writeValueAsString(copy).getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

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
 * JSON without the checksum field. It catches edits and damage (whitespace aside); it is not a
 * signature — whoever may write the file may recompute it. Encryption at rest (AES-GCM)
 * authenticates.
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

    /** Whether {@code root} has no checksum (a file of an older cem) or a checksum that matches its content. */
    public static boolean matches(JsonNode root) {
        if (!root.isObject() || !root.has(FIELD)) {
            return true;
        }
        ObjectNode copy = ((ObjectNode) root).deepCopy();
        String stated = copy.remove(FIELD).asText();
        return of(copy).equals(stated);
    }

    private static String of(ObjectNode root) {
        try {
            ObjectNode copy = root.deepCopy();
            copy.remove(FIELD);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsString(copy).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package cem.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateEncryptionTest {

    @TempDir
    Path tmp;

    static byte[] key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    static State state() {
        return new State(State.FORMAT_VERSION, "L1", 3, "test", Map.of()).with(new ResourceState("certificate.secret-name", "certificate", "ns1",
                "THUMB", new ObjectMapper().createObjectNode().put("subject", "CN=confidential.example.com"), List.of(), false));
    }

    @Test
    void sealedStateKeepsLineageAndSerialReadableAndNothingElse() throws Exception {
        StateEncryption e = new StateEncryption(key(), List.of(), true);
        String sealed = e.seal(StateCodec.write(state()), StateEncryption.Kind.STATE, "L1", 3);
        assertFalse(sealed.contains("confidential") || sealed.contains("secret-name"), sealed);
        var root = new ObjectMapper().readTree(sealed);
        assertEquals("L1", root.path("lineage").asText());
        assertEquals(3, root.path("serial").asLong());
        assertEquals(StateCodec.write(state()), e.open(sealed, StateEncryption.Kind.STATE, "s"));
    }

    @Test
    void wrongKeysTamperingAndClearTextAreRefusedClearly() throws Exception {
        byte[] k = key();
        String sealed = new StateEncryption(k, List.of(), true).seal(StateCodec.write(state()), StateEncryption.Kind.STATE, "L1", 3);
        StateException wrong = assertThrows(StateException.class, () -> new StateEncryption(key(), List.of(), true).open(sealed, StateEncryption.Kind.STATE, "State file x"));
        assertTrue(wrong.getMessage().contains("is encrypted with key " + StateEncryption.fingerprint(k)), wrong.getMessage());
        assertTrue(wrong.hint().contains("Nothing was written"), wrong.hint());
        String edited = sealed.replace("\"serial\" : 3", "\"serial\" : 4");
        StateException tampered = assertThrows(StateException.class, () -> new StateEncryption(k, List.of(), true).open(edited, StateEncryption.Kind.STATE, "State file x"));
        assertTrue(tampered.getMessage().contains("altered"), tampered.getMessage());
        StateException clear = assertThrows(StateException.class, () -> new StateEncryption(k, List.of(), true).open(StateCodec.write(state()), StateEncryption.Kind.STATE, "s"));
        assertTrue(clear.getMessage().contains("not encrypted"), clear.getMessage());
        assertEquals(StateCodec.write(state()), new StateEncryption(k, List.of(), false).open(StateCodec.write(state()), StateEncryption.Kind.STATE, "s"),
                "clear text is read while encryption is not required (the first write seals it)");
        assertThrows(StateException.class, () -> StateEncryption.parseKey("dG9vIHNob3J0", "encryption.key"));
    }

    @Test
    void rotationReadsWithTheFallbackAndWritesWithTheNewKey() throws Exception {
        byte[] old = key();
        byte[] next = key();
        LocalStateStore before = new LocalStateStore(tmp, null, new StateEncryption(old, List.of(), true));
        before.write(state());
        LocalStateStore rotated = new LocalStateStore(tmp, null, new StateEncryption(next, List.of(old), true));
        State read = rotated.read().orElseThrow();
        assertEquals(1, read.all().size());
        rotated.write(read.nextSerial("test"));
        String file = Files.readString(tmp.resolve("state.json"));
        assertTrue(file.contains(StateEncryption.fingerprint(next)), "re-sealed with the new key");
        assertThrows(StateException.class, () -> new LocalStateStore(tmp, null, new StateEncryption(old, List.of(), true)).read());
        StateException none = assertThrows(StateException.class, () -> new LocalStateStore(tmp, null).read());
        assertTrue(none.getMessage().contains("is encrypted, and no key is configured"), none.getMessage());
    }
}

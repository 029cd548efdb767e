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

    /** Issue 24, item 10: the associated data bound lineage and serial only, not what the document is nor which key sealed it. */
    @Test
    void aSealedPlanNeverOpensAsAStateAndKindAndKeyAreBound() throws Exception {
        byte[] k = key();
        StateEncryption e = new StateEncryption(k, List.of(), true);
        String plan = e.seal("{\"plan\": 1}", StateEncryption.Kind.PLAN, "L1", 3);
        StateException asState = assertThrows(StateException.class, () -> e.open(plan, StateEncryption.Kind.STATE, "State file x"));
        assertTrue(asState.getMessage().contains("is a sealed saved plan, not a state"), asState.getMessage());
        StateException relabelled = assertThrows(StateException.class,
                () -> e.open(plan.replace("\"kind\" : \"plan\"", "\"kind\" : \"state\""), StateEncryption.Kind.STATE, "State file x"));
        assertTrue(relabelled.getMessage().contains("altered"), relabelled.getMessage());
        StateException unlabelled = assertThrows(StateException.class,
                () -> e.open(plan.replace("\"kind\" : \"plan\",", ""), StateEncryption.Kind.STATE, "State file x"));
        assertTrue(unlabelled.getMessage().contains("altered"), "stripping the kind does not fall back to the old binding: " + unlabelled.getMessage());
        assertEquals("{\"plan\": 1}", e.open(plan, StateEncryption.Kind.PLAN, "p"));
    }

    /** The envelope of the previous format (no kind; lineage and serial bound) is still read; the next write binds the kind. */
    @Test
    void anEnvelopeOfThePreviousFormatIsStillRead() throws Exception {
        byte[] k = key();
        byte[] iv = new byte[12];
        javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        c.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(k, "AES"), new javax.crypto.spec.GCMParameterSpec(128, iv));
        c.updateAAD("cem-state|L1|3".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String data = java.util.Base64.getEncoder().encodeToString(c.doFinal("clear".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        String old = "{\"version\": 1, \"lineage\": \"L1\", \"serial\": 3, \"encrypted\": {\"alg\": \"AES-256-GCM\", \"key\": \""
                + StateEncryption.fingerprint(k) + "\", \"iv\": \"" + java.util.Base64.getEncoder().encodeToString(iv) + "\", \"data\": \"" + data + "\"}}";
        assertEquals("clear", new StateEncryption(k, List.of(), true).open(old, StateEncryption.Kind.STATE, "s"));
    }
}

package cem.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Loopback is the address, not a prefix of its text (issue 24, item 9). */
class LoopbackTest {

    @Test
    void aNameThatStartsWith127IsNotLoopback() {
        assertFalse(Loopback.literal("127.attacker.example"));
        assertFalse(Loopback.resolved("127.attacker.invalid"), "an unresolvable name is not loopback");
        assertFalse(Loopback.literal("1270.0.0.1"));
        assertFalse(Loopback.literal("10.0.0.1"));
    }

    @Test
    void loopbackLiteralsAndLocalhostAre() {
        assertTrue(Loopback.literal("127.0.0.1"));
        assertTrue(Loopback.literal("127.8.9.10"));
        assertTrue(Loopback.literal("::1"));
        assertTrue(Loopback.literal("[::1]"));
        assertTrue(Loopback.literal("localhost"));
        assertTrue(Loopback.resolved("127.0.0.1"));
    }
}

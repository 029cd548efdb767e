package cem.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

    private static final List<String> KEYS = List.of("certificate", "listenerPort", "externalFqdn", "servers");

    @Test
    void suggestsCloseNames() {
        assertEquals(Optional.of("certificate"), Suggestions.closest("certifcate", KEYS));
        assertEquals(Optional.of("listenerPort"), Suggestions.closest("listenerport", KEYS));
        assertEquals(Optional.of("servers"), Suggestions.closest("sevrers", KEYS));
    }

    @Test
    void staysQuietWhenNothingIsClose() {
        assertEquals(Optional.empty(), Suggestions.closest("banana", KEYS));
        assertEquals(Optional.empty(), Suggestions.closest("x", List.of()));
    }
}

package cem.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import org.junit.jupiter.api.Test;

/** Host answers are read with caps on nesting and sizes (issue 24, item 13). */
class HostJsonTest {

    @Test
    void nestingBeyondTheCapIsRefusedBeforeAnyTreeIsBuilt() throws Exception {
        String ok = "[".repeat(HostJson.MAX_DEPTH) + "]".repeat(HostJson.MAX_DEPTH);
        assertEquals(ok, HostJson.MAPPER.readTree(ok).toString());
        String deep = "[".repeat(HostJson.MAX_DEPTH + 1) + "]".repeat(HostJson.MAX_DEPTH + 1);
        assertTrue(assertThrows(StreamConstraintsException.class, () -> HostJson.MAPPER.readTree(deep)).getMessage().contains("nesting depth"));
    }

    @Test
    void aNumberOfAHundredDigitsIsRefused() {
        assertThrows(StreamConstraintsException.class, () -> HostJson.MAPPER.readTree("[" + "9".repeat(101) + "]"));
    }
}

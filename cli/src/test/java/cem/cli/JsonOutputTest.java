package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.diag.TerminalText;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The JSON cem prints escapes what TerminalText escapes, in names and values, and parses back to the same values. */
class JsonOutputTest {

    @Test
    void everyCharacterATerminalObeysIsEscapedAndTheJsonParsesBackUnchanged() throws Exception {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (char c = 0; c < 0xd800; c++) {
            node.put("k" + c, "v" + c + "é…");
        }
        String json = JsonOutput.write(node);
        assertFalse(json.chars().anyMatch(TerminalText::unsafe), "no character a terminal obeys");
        assertTrue(json.contains("\"k\\u009B\" : \"v\\u009Bé…\""), "C1, in names and values");
        assertTrue(json.contains("\"v\\u202Eé…\"") && json.contains("\"v\\u2069é…\"") && json.contains("\"v\\u007Fé…\""), "bidi, DEL");
        assertTrue(json.contains("\"v\u00a0é…\"") && json.contains("\"v\u200bé…\""), "what a terminal only shows stays as it is");
        assertEquals(node, new ObjectMapper().readTree(json));
    }

    @Test
    void theLayoutIsJacksonsPrettyPrint() {
        ObjectNode node = JsonNodeFactory.instance.objectNode().put("a", "ü").put("n", 1.5);
        node.putArray("list").add(1).addObject().put("x", true);
        node.putObject("empty");
        assertEquals(node.toPrettyString(), JsonOutput.write(node));
    }
}

package cem.cli;

import cem.diag.TerminalText;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The JSON cem prints ({@code --json}, reports): indented as {@code toPrettyString} does, and with
 * every character {@link TerminalText} escapes in text — C0 (Jackson escapes those anyway), DEL, C1
 * and the bidirectional overrides and isolates — written as a JSON {@code \\uXXXX} escape. A host's
 * text in the output then cannot move the cursor, retitle a window or reorder a line in a terminal
 * or log viewer that shows the JSON, and the JSON parses back to the same values.
 */
final class JsonOutput {

    private static final JsonMapper JSON = JsonMapper.builder(new JsonFactoryBuilder().characterEscapes(new TerminalEscapes()).build())
            .enable(SerializationFeature.INDENT_OUTPUT).build();

    private JsonOutput() {}

    /** {@code value} (a JsonNode, or anything Jackson serializes) as indented JSON, without a final newline. */
    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Jackson's escapes for JSON, plus a {@code \\uXXXX} escape for each character a terminal could obey. */
    private static final class TerminalEscapes extends CharacterEscapes {

        private static final long serialVersionUID = 1L;

        private final int[] ascii = standardAsciiEscapesForJSON();

        TerminalEscapes() {
            for (int c = 0; c < ascii.length; c++) {
                if (ascii[c] == 0 && TerminalText.unsafe(c)) {
                    ascii[c] = ESCAPE_STANDARD;
                }
            }
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int c) {
            return TerminalText.unsafe(c) ? new SerializedString(String.format("\\u%04X", c)) : null;
        }
    }
}

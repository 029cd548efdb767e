package cem.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one JSON reader for what hosts answer (the Windows agent's batches, nft's listings): nesting
 * and sizes capped by Jackson's {@link StreamReadConstraints}, so that a hostile answer ends in a
 * {@link HostAnswerException}, never in a stack overflow or a string that fills the heap.
 */
public final class HostJson {

    /** Depth of nested arrays and objects: cem's answers go about ten deep (nft's expressions are the deepest). */
    public static final int MAX_DEPTH = 64;

    /** The mapper for host answers (it also writes: a provider may use it for both). */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxDocumentLength(Transport.MAX_OUTPUT_BYTES)
                    .maxStringLength((int) Transport.MAX_OUTPUT_BYTES)
                    .maxNumberLength(100)
                    .build())
            .build());

    private HostJson() {}
}

package cem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cem.spi.ConnectionSpec;
import cem.spi.FailureKind;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How a WinRM failure is named: by what happened, never by digits or words of the endpoint's URL. */
class WinRmClassifyTest {

    private static FailureKind kind(String message) {
        ConnectionSpec spec = new ConnectionSpec("ns1", "127.0.0.1", 5986, new ObjectMapper().createObjectNode(), Map.of(), Path.of("."),
                false, Duration.ofSeconds(1));
        RuntimeException e = new RuntimeException("failed task \"signal\" after 1 attempt(s)",
                new IllegalStateException("Could not send Message.", new IllegalStateException(message)));
        return WinRmTransport.classify(spec, "WinRM", e).kind();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Connection is closed when communicating with https://127.0.0.1:40123/wsman | UNREACHABLE",
        "Connection reset when communicating with https://srv401.example.net:5986/wsman | UNREACHABLE",
        "Read timed out when communicating with https://ssl-gw.certificate.example.net:5986/wsman | UNREACHABLE",
        "HTTP response '401: Unauthorized' when communicating with https://127.0.0.1:5986/wsman | AUTH",
        "PKIX path building failed when communicating with https://127.0.0.1:5986/wsman | TRUST"})
    void aFailureIsNamedByWhatHappened(String message, FailureKind expected) {
        assertEquals(expected, kind(message));
    }
}

package cem.cert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostnameMatchTest {

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
        "gateway.example.com, gateway.example.com, true",
        "GATEWAY.example.com, gateway.EXAMPLE.com, true",
        "gateway.example.com., gateway.example.com, true",
        "gateway.example.com, other.example.com, false",
        "*.example.com, gateway.example.com, true",
        "*.example.com, a.gateway.example.com, false",
        "*.example.com, example.com, false",
        "*.com, example.com, false",
        "gw*.example.com, gw1.example.com, false",
        "*.*.example.com, a.b.example.com, false",
        "a.*.example.com, a.b.example.com, false",
        "*.example.com, .example.com, false",
    })
    void followsRfc6125(String pattern, String host, boolean expected) {
        assertEquals(expected, HostnameMatch.matches(pattern, host));
    }
}

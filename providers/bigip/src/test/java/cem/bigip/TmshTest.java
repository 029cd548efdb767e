package cem.bigip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.spi.CommandResult;
import cem.spi.RemoteCommand;
import cem.testkit.Golden;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What cem sends to tmsh and how it reads tmsh's answers, without a device. */
class TmshTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Vip vip(String name, String destination, String member) throws Exception {
        return Vip.of(name, JSON.readTree("{\"destination\":{\"address\":\"" + destination + "\",\"port\":443},"
                + "\"member\":{\"address\":\"" + member + "\",\"port\":443}}"));
    }

    private static String text(RemoteCommand c) {
        return "$ " + c.commandLine() + "\n" + new String(c.stdin(), StandardCharsets.UTF_8);
    }

    @Test
    void theExactTmshCommandsOfAnApplyAndAReadArePinned() throws Exception {
        List<String> lines = Tmsh.applyLines(List.of(vip("old", "203.0.113.9", "172.16.10.9")),
                List.of(vip("ig1", "203.0.113.11", "172.16.10.15"), vip("ig3", "203.0.113.13%1", "172.16.10.17%1")),
                List.of(vip("ig2", "2001:db8::12", "2001:db8:10::16")), Set.of("Common"));
        Golden.assertMatches(String.join("\n", lines) + "\n", Path.of("src/test/resources/golden/apply.tmsh"));
        Golden.assertMatches(text(Tmsh.command(Tmsh.Shell.BASH, Tmsh.readLines(), true)), Path.of("src/test/resources/golden/read.tmsh"));
        Golden.assertMatches(text(Tmsh.command(Tmsh.Shell.TMSH, Tmsh.readLines(), true)),
                Path.of("src/test/resources/golden/read-tmsh-shell.tmsh"));
    }

    @Test
    void thePartitionIsCreatedOnlyWhenTheReadShowsItMissing() throws Exception {
        List<Vip> creates = List.of(vip("ig1", "203.0.113.11", "172.16.10.15"));
        assertTrue(Tmsh.applyLines(List.of(), creates, List.of(), Set.of("Common")).contains("create auth partition cem"));
        assertTrue(Tmsh.applyLines(List.of(), creates, List.of(), Set.of("Common", "cem")).stream().noneMatch(l -> l.contains("partition")));
    }

    @Test
    void aTmshShellGetsOneCommandLineAndNoStandardInput() {
        RemoteCommand c = Tmsh.command(Tmsh.Shell.TMSH, List.of("cd /", "list auth partition"), true);
        assertEquals("cd /; list auth partition", c.commandLine());
        assertEquals(0, c.stdin().length);
        assertEquals("tmsh -q", Tmsh.command(Tmsh.Shell.BASH, List.of(), true).commandLine());
    }

    static Stream<Arguments> messages() {
        return Stream.of(Arguments.of("0107176c:3: Invalid virtual server destination", TmshMessage.Kind.OTHER, "0107176c"),
                Arguments.of("01b90011:3: Virtual Server /cem/a's Traffic Matching Criteria /cem/a_tmc illegally shares destination address, "
                        + "source address, service port, and ip-protocol with Virtual Server /Common/b.", TmshMessage.Kind.ADDRESS_IN_USE, "01b90011"),
                Arguments.of("01070333:3: Virtual Server /cem/a illegally shares destination address, source address, service port, "
                        + "ip-protocol, and vlan with Virtual Server /Common/b.", TmshMessage.Kind.ADDRESS_IN_USE, "01070333"),
                Arguments.of("transaction failed:01020036:3: The requested Pool (/cem/x) was not found.", TmshMessage.Kind.NOT_FOUND, "01020036"),
                Arguments.of("01020066:3: The requested Pool (/cem/cem-ig1-pool) already exists in partition cem.", TmshMessage.Kind.EXISTS,
                        "01020066"),
                Arguments.of("Syntax Error: unexpected argument \"tmsh\"", TmshMessage.Kind.SYNTAX, ""),
                Arguments.of("usage: tmsh <options ...> <command>", TmshMessage.Kind.USAGE, ""),
                Arguments.of("transaction failed: something else", TmshMessage.Kind.OTHER, ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void tmshMessagesAreClassifiedWithHexadecimalCodes(String line, TmshMessage.Kind kind, String code) {
        TmshMessage m = TmshMessage.of(line);
        assertNotNull(m, line);
        assertEquals(kind, m.kind());
        assertEquals(code, m.code());
        assertNull(TmshMessage.of("ltm pool cem/cem-ig1-pool { members { Common/172.16.10.15:https { address 172.16.10.15 } } }"));
        assertNull(TmshMessage.of("Saving running configuration..."));
    }

    @Test
    void aReadWithNeitherListingsNorNotFoundErrorsIsAFailure() {
        assertNotNull(Snapshot.of(result(0, "", "")).problem(), "nothing printed");
        assertNotNull(Snapshot.of(result(1, "", "Syntax Error: unexpected argument \"tmsh\"\n")).problem());
        assertNotNull(Snapshot.of(result(0, "auth partition Common { }\n", "01070734:3: Configuration error: whatever\n")).problem());
        assertNull(Snapshot.of(result(0, "auth partition Common { }\n", "")).problem());
        assertNull(Snapshot.of(result(1, "", "01020036:3: The requested Pool (/cem/x) was not found.\n")).problem(), "not found is an answer");
    }

    private static CommandResult result(int exit, String out, String err) {
        return new CommandResult(exit, out, err, Duration.ZERO);
    }

    @Test
    void listingsAreReadWhateverTheFolderTheyWerePrintedFrom() {
        String fromRoot = "ltm virtual cem/cem-ig1 { destination cem/203.0.113.11:https ip-protocol tcp pool cem/cem-ig1-pool profiles { "
                + "Common/tcp { } } disabled source-address-translation { type automap } }\n";
        Map<String, Object> v = Listing.objects(fromRoot, "/").get("ltm virtual /cem/cem-ig1");
        assertEquals("cem/cem-ig1-pool", v.get("pool"));
        assertEquals("", v.get("disabled"));
        assertEquals("/cem/cem-ig1-pool", Listing.resolve("cem/cem-ig1-pool", "/"));
        assertEquals("/cem/cem-ig1-pool", Listing.resolve("cem-ig1-pool", "/cem"));
        assertEquals("/Common/tcp", Listing.resolve("/Common/tcp", "/cem"));
        // go-tmsh's ltm_test.go (TestGetVirtual): the default layout, printed from the virtual's own folder
        String multiLine = "ltm virtual api.example.com_443 {\n\tdestination 203.0.113.1:https\n\tip-protocol tcp\n\tmask 255.255.255.255\n"
                + "\tpartition partition1\n\tpool api.example.com_443\n\tprofiles {\n\t\t/Common/tcp {\n\t\t\tcontext all\n\t\t}\n\t}\n"
                + "\tsource 0.0.0.0/0\n\tvs-index 1234\n}\nauth partition Common {\n    description \"Repository for system objects\"\n}\n";
        var objects = Listing.objects(multiLine, "/partition1");
        assertEquals("203.0.113.1:https", objects.get("ltm virtual /partition1/api.example.com_443").get("destination"));
        assertEquals("Repository for system objects", objects.get("auth partition Common").get("description"));
    }

    @Test
    void portsPrintedAsServiceNamesAndRouteDomainAddressesAreRead() {
        assertEquals(new Listing.Endpoint("203.0.113.1", OptionalInt.of(443), "https"), Listing.endpoint("203.0.113.1:https"));
        assertEquals(new Listing.Endpoint("10.0.0.5%1", OptionalInt.of(443), "https"), Listing.endpoint("Common/10.0.0.5%1:https"));
        assertEquals(new Listing.Endpoint("10.0.0.5", OptionalInt.of(80), "http"), Listing.endpoint("/Common/10.0.0.5:http"));
        assertEquals(new Listing.Endpoint("2001:db8::1%2", OptionalInt.of(443), "https"), Listing.endpoint("2001:db8::1%2.https"));
        assertEquals(OptionalInt.of(8080), ServicePorts.port("webcache"));
        assertEquals(OptionalInt.of(8443), ServicePorts.port("pcsync-https"));
        assertEquals(OptionalInt.of(4726), ServicePorts.port("4726"));
        assertEquals(OptionalInt.of(0), ServicePorts.port("any"));
        assertEquals(OptionalInt.empty(), ServicePorts.port("no-such-service"));
    }

    @Test
    void valuesThatCouldEndATmshCommandAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> vip("ig1", "203.0.113.11 } delete ltm pool all", "172.16.10.15"));
        assertThrows(IllegalArgumentException.class, () -> vip("ig1", "203.0.113.11; delete ltm pool all", "172.16.10.15"));
        assertThrows(IllegalArgumentException.class, () -> vip("ig1\nsave", "203.0.113.11", "172.16.10.15"));
        assertThrows(IllegalArgumentException.class, () -> vip("ig1", "203.0.113.11%1;", "172.16.10.15"));
        assertThrows(IllegalArgumentException.class, () -> Vip.of("x", JSON.readTree("{\"destination\":{\"address\":\"203.0.113.1\",\"port\":443},"
                + "\"member\":{\"address\":\"172.16.10.1\",\"port\":443},\"profiles\":[\"tcp }\"]}")));
        assertThrows(IllegalArgumentException.class, () -> Vip.of("x", JSON.readTree("{\"destination\":{\"address\":\"203.0.113.1\",\"port\":443},"
                + "\"member\":{\"address\":\"172.16.10.1\",\"port\":443},\"snat\":\"automap; delete\"}")));
    }
}

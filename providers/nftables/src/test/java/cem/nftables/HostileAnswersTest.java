package cem.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cem.lab.LinuxHost;
import cem.spi.ApplyRequest;
import cem.spi.CommandResult;
import cem.spi.HostTarget;
import cem.spi.ProviderContext;
import cem.spi.RemoteCommand;
import cem.spi.ResourceInstance;
import cem.testkit.hostile.HostileAnswers;
import cem.testkit.hostile.HostileTransportFactory;
import cem.testkit.hostile.Mutation;
import cem.testkit.hostile.ProviderHarness;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The hostile-answer harness for nftables (issue 24, item 13): the lab firewall's answers to a read
 * and to an apply — section headers, nft's JSON listings, its messages — mutated as a hostile host
 * could send them, end in diagnostics naming the host or a {@link cem.spi.HostAnswerException},
 * never in another exception, a hang or unbounded memory.
 */
class HostileAnswersTest extends ProviderHarness {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR;
    private static final LinuxHost FIREWALL;
    private static final java.util.function.Function<RemoteCommand, CommandResult> LAB;
    private static final HostTarget HOST = new HostTarget("fw1", JSON.createObjectNode().put("transport", "hostile").put("address", "192.0.2.1"),
            Map.of(), Path.of("."));
    private static final List<ResourceInstance> RULES = List.of(
            NftContractTest.rule("web", 0, "{\"hook\":\"input\",\"dport\":[8443,443],\"action\":\"reject\",\"counter\":true}"),
            NftContractTest.rule("lan", 1, "{\"hook\":\"input\",\"saddr\":[\"10.1.2.3/8\",\"192.0.2.7/32\"],\"log\":true,\"protocol\":\"udp\"}"),
            NftContractTest.rule("fwd", 0, "{\"hook\":\"forward\",\"priority\":-10,\"daddr\":[\"192.0.2.9\"],\"dport\":[4726],\"action\":\"drop\"}"));

    static {
        try {
            DIR = Files.createTempDirectory("cem-hostile-nft");
            FIREWALL = new LinuxHost("fw1", DIR.resolve("fw1-nftables.json"));
            LAB = HostileAnswers.lab(FIREWALL, "root");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HostileTransportFactory.answerWith(LAB);
        List<ApplyRequest.Change> create = new ArrayList<>();
        RULES.forEach(r -> create.add(new ApplyRequest.Change(ApplyRequest.Operation.CREATE, r)));
        try (NftProvider provider = new NftProvider(new ProviderContext(Map.of(), DIR, false))) {
            var applied = provider.apply(new ApplyRequest(HOST, create, List.of()));
            if (applied.diagnostics().hasErrors()) {
                throw new IllegalStateException("the lab firewall refused the harness's rules: " + applied.diagnostics());
            }
        }
    }

    HostileAnswersTest() {
        super(LAB, HOST, RULES);
    }

    @Override
    protected NftProvider provider() {
        return new NftProvider(new ProviderContext(Map.of(), DIR, false));
    }

    @Example
    void aSectionHeaderWithAnExitStatusShNeverPrintsIsAHostAnswerException() {
        // found by this harness: Integer.parseInt of "99999999999999999999999999" threw NumberFormatException
        String answer = "### table inet cem 99999999999999999999999999\n{}\n";
        org.junit.jupiter.api.Assertions.assertThrows(cem.spi.HostAnswerException.class, () -> NftCommands.sections(answer));
        assertEquals(255, NftCommands.sections("### table inet cem 255\n").get(0).exitCode());
    }

    @Property
    void aHostileAnswerToAnApplyEndsInADiagnosticOfTheHost(@ForAll("mutations") List<Mutation> mutations) {
        List<ApplyRequest.Change> update = List.of(new ApplyRequest.Change(ApplyRequest.Operation.UPDATE, RULES.get(0)));
        tryApply(new ApplyRequest(HOST, update, RULES.subList(1, RULES.size())), mutations);
    }
}

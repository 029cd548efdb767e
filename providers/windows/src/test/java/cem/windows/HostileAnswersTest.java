package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cem.lab.WindowsHost;
import cem.lab.WindowsState;
import cem.spi.CommandResult;
import cem.spi.HostTarget;
import cem.spi.ProviderContext;
import cem.spi.ReadRequest;
import cem.spi.ReadResponse;
import cem.spi.RemoteCommand;
import cem.spi.ResourceInstance;
import cem.testkit.hostile.HostileAnswers;
import cem.testkit.hostile.HostileTransportFactory;
import cem.testkit.hostile.Mutation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The hostile-answer harness for the Windows provider (issue 24, item 13): the lab's answers to a
 * read of every resource type — the agent's JSON, the ASDK's XML inside it, the follow-up batch —
 * mutated as a hostile host could send them, end in diagnostics naming the host or a
 * {@link cem.spi.HostAnswerException}, never in another exception, a hang or unbounded memory.
 */
class HostileAnswersTest extends cem.testkit.hostile.HostileHarness {

    private static final Path CONFIG = Path.of("../../examples/quickstart").toAbsolutePath().normalize();
    private static final WindowsHost NS = new WindowsHost("ns1", new WindowsState(null, List.of("Default Web Site", "CEM Agent"),
            Map.of("W3SVC", "running")));
    private static final java.util.function.Function<RemoteCommand, CommandResult> LAB = HostileAnswers.lab(NS, "cem");
    private static final HostTarget HOST = new HostTarget("ns1", Agent.JSON.createObjectNode().put("transport", "hostile")
            .put("address", "smp.example.net").put("fqdn", "smp.example.net"), Map.of(), CONFIG);
    private static final List<ResourceInstance> RESOURCES;

    static {
        try {
            RESOURCES = AgentContractTest.resources();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }


    private static ReadResponse read() {
        try (WindowsProvider provider = new WindowsProvider(new ProviderContext(Map.of(), CONFIG, false))) {
            return provider.read(new ReadRequest(HOST, RESOURCES));
        }
    }

    @AfterContainer
    static void report() {
        System.out.println(HostileAnswers.report("Windows agent, ASDK"));
    }

    @Example
    void theLabsOwnAnswersAreReadWithoutAnError() {
        HostileTransportFactory.answerWith(LAB);
        ReadResponse r = read();
        assertEquals(List.of(), r.diagnostics().list().stream().filter(cem.diag.Diagnostic::isError).toList());
        assertEquals(RESOURCES.size(), r.resources().size()); // answered, present or not: the lab has no revocations or site servers
    }

    @Property
    void aHostileAnswerEndsInADiagnosticOfTheHost(@ForAll("mutations") List<Mutation> mutations) {
        HostileAnswers.tryWith(LAB, mutations, HOST.name(), () -> read().diagnostics());
    }
}

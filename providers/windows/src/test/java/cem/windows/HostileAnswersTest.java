package cem.windows;

import cem.lab.WindowsHost;
import cem.lab.WindowsState;
import cem.spi.CommandResult;
import cem.spi.HostTarget;
import cem.spi.ProviderContext;
import cem.spi.RemoteCommand;
import cem.spi.ResourceInstance;
import cem.testkit.hostile.HostileAnswers;
import cem.testkit.hostile.ProviderHarness;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The hostile-answer harness for the Windows provider (issue 24, item 13): the lab's answers to a
 * read of every resource type — the agent's JSON, the ASDK's XML inside it, the follow-up batch —
 * mutated as a hostile host could send them, end in diagnostics naming the host or a
 * {@link cem.spi.HostAnswerException}, never in another exception, a hang or unbounded memory.
 */
class HostileAnswersTest extends ProviderHarness {

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

    /** A fresh lab host has W3SVC, the Default Web Site's binding on port 80, and the NS's CEM policy. */
    HostileAnswersTest() {
        super(LAB, HOST, RESOURCES, java.util.Set.of("windows_service.bare", "windows_service.w3svc", "iis_binding.plain", "cem_policy.default"));
    }

    @Override
    protected WindowsProvider provider() {
        return new WindowsProvider(new ProviderContext(Map.of(), CONFIG, false));
    }

    @net.jqwik.api.Example
    void xmlThatDoesNotParseIsAFailureAndPrintsNothing() {
        // found by this harness: the JDK's default error handler printed "[Fatal Error] …" with the host's text on stderr
        String printed = HostileAnswers.stderrOf(() -> org.junit.jupiter.api.Assertions.assertThrows(Asdk.Failure.class,
                () -> Asdk.items("<ArrayOfItemDetails>\u001b]0;pwned\u0007<")));
        org.junit.jupiter.api.Assertions.assertEquals("", printed);
    }
}

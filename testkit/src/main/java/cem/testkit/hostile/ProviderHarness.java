package cem.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cem.diag.Diagnostic;
import cem.spi.ApplyRequest;
import cem.spi.CommandResult;
import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.Provider;
import cem.spi.ReadRequest;
import cem.spi.ReadResponse;
import cem.spi.RemoteCommand;
import cem.spi.ResourceInstance;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * A provider's hostile-answer harness: a lab host's answers to a read of its resources —
 * first as the lab gives them, then through each try's mutations — and, where a subclass says so,
 * to an apply ({@link #tryApply}). A subclass gives only what is its own: the lab host, the host
 * target (transport {@code hostile}), the resources (to its constructor) and a fresh provider.
 */
public abstract class ProviderHarness extends HostileHarness {

    private final Function<RemoteCommand, CommandResult> lab;
    private final HostTarget host;
    private final List<ResourceInstance> resources;
    private final Set<String> present;

    /**
     * @param lab the lab host answering as the transport would hand its answers on ({@link HostileAnswers#lab})
     * @param host the host target (transport {@code hostile})
     * @param resources what the read asks for
     * @param present the addresses of those the lab holds
     */
    protected ProviderHarness(Function<RemoteCommand, CommandResult> lab, HostTarget host, List<ResourceInstance> resources, Set<String> present) {
        this.lab = lab;
        this.host = host;
        this.resources = resources;
        this.present = present;
    }

    /** A harness whose lab holds every resource it reads. */
    protected ProviderHarness(Function<RemoteCommand, CommandResult> lab, HostTarget host, List<ResourceInstance> resources) {
        this(lab, host, resources, resources.stream().map(ResourceInstance::address).collect(Collectors.toSet()));
    }

    /** A new provider for one try (closed after it). */
    protected abstract Provider provider();

    @Example
    void theLabsOwnAnswersAreReadWithoutAnError() {
        HostileTransportFactory.answerWith(lab);
        try (Provider provider = provider()) {
            ReadResponse read = provider.read(new ReadRequest(host, resources));
            assertEquals(List.of(), read.diagnostics().list().stream().filter(Diagnostic::isError).toList());
            assertEquals(resources.size(), read.resources().size(), "every resource is answered, present or not");
            assertEquals(present, read.resources().values().stream().filter(LiveResource::exists).map(LiveResource::address)
                    .collect(Collectors.toSet()));
        }
    }

    @Property
    void aHostileAnswerToAReadEndsInADiagnosticOfTheHost(@ForAll("mutations") List<Mutation> mutations) {
        HostileAnswers.tryWith(lab, mutations, host.name(), () -> {
            try (Provider provider = provider()) {
                return provider.read(new ReadRequest(host, resources)).diagnostics();
            }
        });
    }

    /** One try of an apply: the lab's answers to {@code apply} through {@code mutations}. */
    protected void tryApply(ApplyRequest apply, List<Mutation> mutations) {
        HostileAnswers.tryWith(lab, mutations, host.name(), () -> {
            try (Provider provider = provider()) {
                return provider.apply(apply).diagnostics();
            }
        });
    }
}

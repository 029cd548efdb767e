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
 * A provider's hostile-answer harness: a lab host's answers to a read of {@link #resources()} —
 * first as the lab gives them, then through each try's mutations — and, where a subclass says so,
 * to an apply ({@link #tryApply}). A subclass gives only what is its own: the lab host, the host
 * target (transport {@code hostile}), the resources and a fresh provider.
 */
public abstract class ProviderHarness extends HostileHarness {

    /** The lab host answering as the transport would hand its answers on ({@link HostileAnswers#lab}). */
    protected abstract Function<RemoteCommand, CommandResult> lab();

    protected abstract HostTarget host();

    protected abstract List<ResourceInstance> resources();

    /** A new provider for one try (closed after it). */
    protected abstract Provider provider();

    /** The addresses of the {@link #resources()} the lab holds (all of them unless a subclass says otherwise). */
    protected Set<String> present() {
        return resources().stream().map(ResourceInstance::address).collect(Collectors.toSet());
    }

    @Example
    void theLabsOwnAnswersAreReadWithoutAnError() {
        HostileTransportFactory.answerWith(lab());
        try (Provider provider = provider()) {
            ReadResponse read = provider.read(new ReadRequest(host(), resources()));
            assertEquals(List.of(), read.diagnostics().list().stream().filter(Diagnostic::isError).toList());
            assertEquals(resources().size(), read.resources().size(), "every resource is answered, present or not");
            assertEquals(present(), read.resources().values().stream().filter(LiveResource::exists).map(LiveResource::address)
                    .collect(Collectors.toSet()));
        }
    }

    @Property
    void aHostileAnswerToAReadEndsInADiagnosticOfTheHost(@ForAll("mutations") List<Mutation> mutations) {
        HostileAnswers.tryWith(lab(), mutations, host().name(), () -> {
            try (Provider provider = provider()) {
                return provider.read(new ReadRequest(host(), resources())).diagnostics();
            }
        });
    }

    /** One try of an apply: the lab's answers to {@code apply} through {@code mutations}. */
    protected void tryApply(ApplyRequest apply, List<Mutation> mutations) {
        HostileAnswers.tryWith(lab(), mutations, host().name(), () -> {
            try (Provider provider = provider()) {
                return provider.apply(apply).diagnostics();
            }
        });
    }
}

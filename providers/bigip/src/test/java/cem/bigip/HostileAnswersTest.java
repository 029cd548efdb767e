package cem.bigip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cem.diag.Diagnostic;
import cem.lab.BigipHost;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The hostile-answer harness for the F5 (issue 24, item 13): the lab BIG-IP's answers to a read and
 * to an apply — tmsh listings ({@link Listing}), its messages ({@link TmshMessage}), the shell probe —
 * mutated as a hostile host could send them, end in diagnostics naming the host or a
 * {@link cem.spi.HostAnswerException}, never in another exception, a hang or unbounded memory.
 */
class HostileAnswersTest extends ProviderHarness {

    private static final Path DIR;
    private static final BigipHost DEVICE;
    private static final java.util.function.Function<RemoteCommand, CommandResult> LAB;
    private static final HostTarget HOST = new HostTarget("f5", LabF5.JSON.createObjectNode().put("transport", "hostile")
            .put("address", "192.0.2.5").put("os", "bigip"), Map.of(), Path.of("."));
    private static final List<ResourceInstance> VIPS = List.of(LabF5.vip("ig1", "203.0.113.11", 443, "172.16.10.15"),
            LabF5.vip("ig2", "203.0.113.12%1", 8443, "172.16.10.16%1"));

    static {
        try {
            DIR = Files.createTempDirectory("cem-hostile-f5");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DEVICE = new BigipHost("f5", DIR.resolve("f5-bigip.json"));
        LAB = HostileAnswers.lab(DEVICE, "admin");
        HostileTransportFactory.answerWith(LAB);
        try (BigipProvider provider = new BigipProvider(new ProviderContext(Map.of(), DIR, false))) {
            var applied = provider.apply(new ApplyRequest(HOST, VIPS.stream().map(v -> new ApplyRequest.Change(ApplyRequest.Operation.CREATE, v))
                    .toList()));
            if (applied.diagnostics().hasErrors()) {
                throw new IllegalStateException("the lab BIG-IP refused the harness's VIPs: " + applied.diagnostics());
            }
        }
        DEVICE.addMember("/cem/cem-ig1-pool", "172.16.10.99:443"); // a member cem did not add: the listing has more to read
    }

    HostileAnswersTest() {
        super(LAB, HOST, VIPS);
    }

    @Override
    protected BigipProvider provider() {
        return new BigipProvider(new ProviderContext(Map.of(), DIR, false));
    }

    @Example
    void anApplyWhoseListingHoldsAValueNoVipHasIsNotAppliedNotAnException() {
        // found by this harness: Vip.of threw IllegalArgumentException on the address read back after the transaction
        HostileTransportFactory.answerWith(c -> {
            CommandResult r = LAB.apply(c);
            return new CommandResult(r.exitCode(), r.stdout().replace("203.0.113.12", "no-address"), r.stderr(), r.duration());
        });
        try (BigipProvider provider = provider()) {
            var applied = provider.apply(new ApplyRequest(HOST, List.of(new ApplyRequest.Change(ApplyRequest.Operation.UPDATE, VIPS.get(1)))));
            assertEquals(List.of("PRV4203"), applied.diagnostics().list().stream().map(Diagnostic::code).toList());
        }
    }

    @Property
    void aHostileAnswerToAnApplyEndsInADiagnosticOfTheHost(@ForAll("mutations") List<Mutation> mutations) {
        tryApply(new ApplyRequest(HOST, List.of(new ApplyRequest.Change(ApplyRequest.Operation.UPDATE, VIPS.get(1)))), mutations);
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.config.Configuration;
import cem.diag.Result;
import cem.diag.Severity;
import cem.lab.WindowsHost;
import cem.lab.WindowsState;
import cem.spi.CommandResult;
import cem.spi.HostAnswerException;
import cem.spi.HostTarget;
import cem.spi.ProviderContext;
import cem.spi.RemoteCommand;
import cem.spi.Sessions;
import cem.spi.TransportException;
import cem.testkit.hostile.HostileAnswers;
import cem.testkit.hostile.HostileHarness;
import cem.testkit.hostile.HostileTransportFactory;
import cem.testkit.hostile.Mutation;
import cem.windows.Assumptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The hostile-answer harness for what `cem probe` and the doctor ask Windows hosts outside a plan
 * (issue 24, items 11 and 13): the quickstart lab's answers — the agent's batch of probe ops, the
 * ASDK's XML, host.facts' clock and IIS log, W3SVC's state, the agent's status — mutated as a
 * hostile host could send them, end in checks and findings, or in a HostAnswerException or
 * TransportException the command turns into the host's check or finding; never in another
 * exception, a hang or unbounded memory.
 */
class HostileProbeDoctorTest extends HostileHarness {

    private static final Path SITE;
    private static final Configuration CONFIG;
    private static final Map<String, Function<RemoteCommand, CommandResult>> LAB = new LinkedHashMap<>();
    private static final Assumptions.Target GATEWAY = new Assumptions.Target("ig1", true, false, false, Assumptions.defaultSettingsKey(),
            Assumptions.defaultLogDirectory(), Set.of());
    private static final Assumptions.Target NS = new Assumptions.Target("ns1", false, true, true, Assumptions.defaultSettingsKey(),
            Assumptions.defaultLogDirectory(), Set.of("0.0.0.0:443"));

    static {
        try {
            Path tmp = Files.createTempDirectory("cem-hostile-doctor");
            SITE = CliRun.copyExample(tmp, "quickstart");
            CliRun applied = CliRun.run(Map.of(), tmp, "apply", "--auto-approve", "quickstart");
            if (applied.exitCode() != 0) {
                throw new IllegalStateException("the quickstart did not apply: " + applied.err());
            }
            Session session = new Session(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(), tmp, false,
                    java.io.InputStream.nullInputStream());
            CONFIG = Workspace.validator(session, session.secrets(), Severity.WARNING).validate(SITE).value();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
        List<WindowsState> network = new ArrayList<>();
        for (String name : List.of("ns1", "ig1", "laptop1")) {
            WindowsHost host = new WindowsHost(name, new WindowsState(SITE.resolve(".cem/lab/" + name + ".json"), List.of("Default Web Site",
                    "CEM Agent"), Map.of("W3SVC", "running")));
            network.add(host.state());
            LAB.put(name, HostileAnswers.lab(host, "cem"));
        }
        network.forEach(s -> s.peers(() -> network));
    }

    /** A host of the quickstart reached through the hostile transport. */
    private static HostTarget target(String name) {
        return new HostTarget(name, JsonNodeFactory.instance.objectNode().put("transport", "hostile").put("address",
                CONFIG.hosts().get(name).address()), Map.of(), SITE);
    }

    private static JsonNode policy() {
        return CONFIG.ofType("cem_policy").get(0).body();
    }

    /** Every host answers as the lab does, through {@code mutations} (none: as the lab does). */
    private static void answer(List<Mutation> mutations) {
        Map<String, Function<RemoteCommand, CommandResult>> hostile = new LinkedHashMap<>();
        LAB.forEach((name, lab) -> hostile.put(name, mutations.isEmpty() ? lab : c -> HostileAnswers.mutate(lab.apply(c), mutations)));
        HostileTransportFactory.answerEach(hostile);
    }

    /** One host's probe, as `cem probe` runs it in its pool: checks, or the clean failure the command makes the host's check. */
    private static List<Assumptions.Check> probe(Assumptions.Target t) {
        try (Sessions sessions = new Sessions(new ProviderContext(Map.of(), SITE, false), "winrm")) {
            return ProbeCommand.probe(sessions, target(t.host()), t, policy());
        } catch (TransportException e) {
            throw new HostAnswerException("cannot ask host " + t.host() + ": " + e.getMessage());
        }
    }

    private static List<Finding> doctor() {
        try (Sessions sessions = new Sessions(new ProviderContext(Map.of(), SITE, false), "winrm")) {
            return HostFacts.check(CONFIG, name -> Result.of(target(name)), sessions, List.of("laptop1"),
                    new HostFacts.LogWindow(null, "the whole newest log"), new LinkedHashMap<>());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Checks and findings say what they are about and what was seen, whatever the host sent. */
    private static void assertComplete(List<?> records) {
        for (Object r : records) {
            for (java.lang.reflect.RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    assertTrue(c.getAccessor().invoke(r) != null, c.getName() + " of " + r);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    @Example
    void theLabsOwnAnswersAreConfirmedAndFoundHealthy() {
        answer(List.of());
        List<Assumptions.Check> checks = new ArrayList<>(probe(GATEWAY));
        checks.addAll(probe(NS));
        // the quickstart has no SNI binding: nothing shows how netsh names one
        assertEquals(List.of("iis.sni"), checks.stream().filter(c -> c.status() != Assumptions.Status.CONFIRMED).map(Assumptions.Check::id).toList());
        assertEquals(12, checks.size());
        List<Finding> findings = doctor();
        assertFalse(findings.isEmpty());
        assertEquals(List.of(), findings.stream().filter(f -> f.status() == Finding.Status.SKIP).toList());
    }

    @Property(tries = 500)
    void aHostileAnswerToTheProbeEndsInChecksOrTheHostsFailure(@ForAll("mutations") List<Mutation> mutations) {
        answer(mutations);
        HostileAnswers.check("ns1", () -> {
            List<Assumptions.Check> checks = new ArrayList<>(probe(NS));
            checks.addAll(probe(GATEWAY));
            assertComplete(checks);
            return cem.diag.Diagnostics.empty();
        });
    }

    @Property(tries = 500)
    void aHostileAnswerToTheDoctorEndsInFindings(@ForAll("mutations") List<Mutation> mutations) {
        answer(mutations);
        HostileAnswers.check("ns1", () -> {
            assertComplete(doctor());
            return cem.diag.Diagnostics.empty();
        });
    }
}

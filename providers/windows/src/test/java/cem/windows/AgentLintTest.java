package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.PowerShellLint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The PowerShell cem ships, checked without PowerShell (tools/ps-parse/lint.mjs): against the op
 * contracts beside the agent and the cmdlet metadata extracted from Microsoft's documentation
 * (tools/ps-parse/cmdlets.json). Zero findings, and the linter still finds the defects of the
 * agent before the audit (commit 1aae407), so a rule that stopped working would show.
 */
class AgentLintTest {

    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
    private static final Path CMDLETS = ROOT.resolve("tools/ps-parse/cmdlets.json");
    private static final Path OPS = Path.of("src/main/resources/cem/windows/ops").toAbsolutePath();
    private static final Path SHIPPED = Path.of("src/main/resources/cem/windows").toAbsolutePath();

    @Test
    void everyShippedScriptHasNoFinding() throws Exception {
        try (var bootstrap = Files.walk(ROOT.resolve("providers/transport/src/main/resources"))) {
            List<Path> transport = bootstrap.filter(p -> p.toString().endsWith(".ps1")).toList();
            assertTrue(!transport.isEmpty());
            assertEquals(List.of(), PowerShellLint.problems(CMDLETS, OPS, SHIPPED.resolve("agent.psm1"), SHIPPED.resolve("loader.ps1"),
                    SHIPPED.resolve("install.ps1"), SHIPPED.resolve("remove.ps1")));
            assertEquals(List.of(), PowerShellLint.problems(CMDLETS, null, transport.toArray(Path[]::new)));
        }
    }

    @Test
    void generatedScriptsHaveNoFinding() throws Exception {
        Agent agent = new Agent();
        agent.add("certificate.read", Agent.JSON.createObjectNode());
        Path dir = Files.createTempDirectory("cem-lint");
        try {
            Path install = Files.writeString(dir.resolve("install.ps1"), Agent.installScript(), StandardCharsets.UTF_8);
            Path loader = Files.writeString(dir.resolve("loader.ps1"), agent.loaderScript(), StandardCharsets.UTF_8);
            assertEquals(List.of(), PowerShellLint.problems(CMDLETS, OPS, SHIPPED.resolve("agent.psm1"), install, loader));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /** The audit's findings (issue: Windows agent) that the linter can see, in the agent as it was. */
    @Test
    void theAgentBeforeTheAuditFails() throws Exception {
        Path old = Files.createTempFile("agent-1aae407", ".psm1");
        try (var in = AgentLintTest.class.getResourceAsStream("agent-1aae407.psm1.txt")) {
            Files.write(old, in.readAllBytes());
            List<String> found = PowerShellLint.problems(CMDLETS, OPS, old);
            for (String rule : new String[] {"PS100", "PS101", "PS204", "PS300", "PS302"}) {
                assertTrue(found.stream().anyMatch(f -> f.contains(": " + rule + ":")), rule + " in " + found);
            }
            // Finding 1: optional args read under strict mode (friendlyName, startType, backup, guid).
            assertTrue(found.stream().anyMatch(f -> f.contains("$Arguments.PSObject")), "finding 1: PSObject reads");
            // Finding 7: @(Get-CemTargets ...) around a function that returns ,$list.
            assertEquals(4, found.stream().filter(f -> f.contains(": PS300:")).count(), "finding 7");
        } finally {
            Files.delete(old);
        }
    }
}

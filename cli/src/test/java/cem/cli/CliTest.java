package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line itself: help, version, bad usage, JSON shape, colour. */
class CliTest {

    @Test
    void helpDescribesEverySubcommand() {
        CliRun run = CliRun.inRepo("--help");
        assertEquals(0, run.exitCode());
        for (String command : new String[] {"validate", "version", "help"}) {
            assertTrue(run.out().matches("(?s).*\\n  " + command + " +\\S.*"), "help describes " + command + ":\n" + run.out());
        }
    }

    @Test
    void everyCommandTakesHelp() {
        for (String[] command : new String[][] {{"plan"}, {"apply"}, {"state"}, {"state", "list"}, {"agent", "remove"}, {"ig", "restore"},
            {"lab", "drift"}, {"completion"}, {"man"}}) {
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command), java.util.stream.Stream.of("--help"))
                    .toArray(String[]::new);
            CliRun run = CliRun.inRepo(args);
            assertEquals(0, run.exitCode(), String.join(" ", args) + ": " + run.err());
            assertTrue(run.out().contains("Usage: cem " + String.join(" ", command)), run.out());
        }
    }

    @Test
    void everyCommandsSummaryIsAWholeSentence() {
        // The first description line is the summary in `cem --help` and the NAME of its man page.
        java.util.List<String> cut = new java.util.ArrayList<>();
        java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(
                java.util.List.of(new picocli.CommandLine(new CemCommand(), new Cli.CommandFactory(new Session(
                        new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()), Map.of(),
                        CliRun.REPO, false, java.io.InputStream.nullInputStream())))));
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.pop();
            String[] description = c.getCommandSpec().usageMessage().description();
            if (description.length == 0 || !description[0].strip().matches(".*[.)]$")) {
                cut.add(c.getCommandSpec().qualifiedName() + ": " + (description.length == 0 ? "(none)" : description[0]));
            }
            todo.addAll(c.getSubcommands().values());
        }
        assertEquals(java.util.List.of(), cut);
    }

    /** Issue 20, item 6: --help texts wrapped in mid-sentence where the source broke a description line. */
    @Test
    void helpWrapsWholeSentences() {
        CliRun help = CliRun.inRepo("plan", "--help");
        assertTrue(help.out().contains("prints the changes."), help.out());
        java.util.List<String> cut = new java.util.ArrayList<>();
        picocli.CommandLine root = new picocli.CommandLine(new CemCommand(), new Cli.CommandFactory(new Session(
                new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()), Map.of(),
                CliRun.REPO, false, java.io.InputStream.nullInputStream())));
        Cli.wholeSentences(root);
        java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(java.util.List.of(root));
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.pop();
            for (String line : c.getCommandSpec().usageMessage().description()) {
                if (!line.isBlank() && !line.strip().matches(".*[.:!?)](%n)?$")) {
                    cut.add(c.getCommandSpec().qualifiedName() + ": " + line);
                }
            }
            todo.addAll(c.getSubcommands().values());
        }
        assertEquals(java.util.List.of(), cut, "description lines that end mid-sentence");
    }

    @Test
    void versionPrintsTheVersion() {
        CliRun run = CliRun.inRepo("--version");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().startsWith("cem "), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("Build: (commit [0-9a-f]{7,} of \\S+(, with uncommitted changes)?|built outside git)")),
                run.out());
        assertEquals(run.out(), CliRun.inRepo("version").out());
    }

    /** Issue 20, item 6: a bare `cem` exited 0; the working directory was named "" and "null" in diagnostics. */
    @Test
    void aBareCemIsAUsageErrorAndTheWorkingDirectoryIsNamedDot(@org.junit.jupiter.api.io.TempDir java.nio.file.Path empty) {
        CliRun bare = CliRun.inRepo();
        assertEquals(2, bare.exitCode());
        assertTrue(bare.err().contains("Usage: cem"), bare.err());
        CliRun plan = CliRun.run(java.util.Map.of(), empty, "plan");
        assertTrue(plan.err().contains("No configuration files in . [ENV9002]"), plan.err());
        CliRun sites = CliRun.run(java.util.Map.of(), empty, "validate", ".", "--sites", "all");
        assertTrue(sites.err().contains("No site inventory in . [TPL6001]"), sites.err());
    }

    /** Issue 20, item 6: one unreachable host gave one PRV4003 per resource; now once per host, listing them. */
    @Test
    void anUnreachableHostIsReportedOnceWithItsResources(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("estate.yaml"), """
                version: 1
                hosts:
                  ns1: {address: 127.0.0.1, port: 1, os: windows, insecureHttp: true, auth: {scheme: basic, username: u, password: "${env:CEM_P}"}}
                resources:
                  - {type: windows_service, name: a, host: ns1, service: W3SVC, state: running}
                  - {type: windows_service, name: b, host: ns1, service: WinRM, state: running}
                  - {type: windows_firewall_rule, name: c, host: ns1, direction: inbound, action: allow}
                """);
        CliRun plan = CliRun.run(java.util.Map.of("CEM_P", "x"), dir, "plan", ".");
        assertEquals(1, plan.exitCode(), plan.out() + plan.err());
        assertEquals(1, plan.err().split("\\[PRV4003\\]", -1).length - 1, plan.err());
        assertTrue(plan.err().contains("Cannot read the 3 resource(s) of host \"ns1\""), plan.err());
        assertTrue(plan.err().contains("windows_service.a, windows_service.b, windows_firewall_rule.c"), plan.err());
    }

    /** Issue 20, item 6: `cem lock list` took only -d DIR and did not flag a holder that died. */
    @Test
    void lockListTakesADirectoryAndFlagsADeadHolder(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.copy(CliRun.REPO.resolve("examples/quickstart/estate.yaml"), dir.resolve("estate.yaml"));
        java.nio.file.Files.createDirectories(dir.resolve(".cem"));
        String here = java.net.InetAddress.getLocalHost().getHostName();
        java.nio.file.Files.writeString(dir.resolve(".cem/state.lock"), "{\"id\":\"abc123\",\"operation\":\"apply\",\"user\":\"x\",\"hostname\":\""
                + here + "\",\"pid\":2147483647,\"created\":\"2026-12-01T00:00:00Z\"}");
        CliRun list = CliRun.run(java.util.Map.of(), dir.getParent(), "lock", "list", dir.getFileName().toString());
        assertEquals(0, list.exitCode(), list.err());
        assertTrue(list.out().contains("ID abc123") && list.out().contains("DEAD") && list.out().contains("cem force-unlock abc123"), list.out());
    }

    @Test
    void anUnknownCommandGetsADidYouMean() {
        CliRun run = CliRun.inRepo("valdiate");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("Unknown command \"valdiate\""), run.err());
        assertTrue(run.err().contains("Did you mean \"validate\"?"), run.err());
    }

    @Test
    void anUnknownFlagGetsADidYouMean() {
        CliRun run = CliRun.inRepo("validate", "--jsno", "examples/single-site");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("Unknown option \"--jsno\""), run.err());
        assertTrue(run.err().contains("\"--json\""), run.err());
    }

    @Test
    void jsonOutputHasTheDocumentedShape() {
        CliRun run = CliRun.inRepo("validate", "--json", "examples/invalid/SEM3101-port-policy-gateway");
        assertEquals(1, run.exitCode());
        assertEquals("", run.err());
        JsonNode json = run.json();
        assertFalse(json.get("valid").asBoolean());
        assertEquals(1, json.get("error_count").asInt());
        JsonNode d = json.get("diagnostics").get(0);
        assertEquals("error", d.get("severity").asText());
        assertEquals("SEM3101", d.get("code").asText());
        assertEquals("internet_gateway.ig1", d.get("address").asText());
        assertEquals("examples/invalid/SEM3101-port-policy-gateway/estate.yaml", d.at("/range/filename").asText());
        assertEquals(24, d.at("/range/start/line").asInt());
        assertEquals(19, d.at("/range/start/column").asInt());
        assertEquals("    listenerPort: 8443  # ERROR SEM3101", d.at("/snippet/code").asText());
    }

    @Test
    void noColourWithoutATerminal() {
        CliRun run = CliRun.inRepo("validate", "examples/invalid/SEM3101-port-policy-gateway");
        assertFalse(run.err().contains("\u001b["), run.err());
    }

    @Test
    void windowsConsolesGetColourOnlyWhereTheyShowIt() {
        assertFalse(CommonOptions.showsAnsi("Windows 10", Map.of()), "classic conhost prints escapes as text");
        assertTrue(CommonOptions.showsAnsi("Windows 11", Map.of("WT_SESSION", "d0c1")), "Windows Terminal");
        assertTrue(CommonOptions.showsAnsi("Windows Server 2019", Map.of("ConEmuANSI", "ON")));
        assertTrue(CommonOptions.showsAnsi("Windows 10", Map.of("TERM", "xterm-256color")), "mintty, MSYS");
        assertTrue(CommonOptions.showsAnsi("Linux", Map.of()));
    }

    @Test
    void colourOnATerminalUnlessDisabled() {
        var session = (java.util.function.Function<String[], String>) args -> {
            var err = new java.io.StringWriter();
            Main.run(new Session(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err, true),
                    Map.of(), CliRun.REPO, true, java.io.InputStream.nullInputStream()), args);
            return err.toString();
        };
        assertTrue(session.apply(new String[] {"validate", "examples/invalid/SEM3101-port-policy-gateway"}).contains("\u001b["));
        assertFalse(session.apply(new String[] {"validate", "--no-color", "examples/invalid/SEM3101-port-policy-gateway"})
                .contains("\u001b["));
    }

    @Test
    void backslashPathsWork() {
        CliRun run = CliRun.run(Map.of("CEM_NS_PASSWORD", "x", "CEM_IG_PASSWORD", "y"), CliRun.REPO,
                "validate", "examples\\single-site");
        assertEquals(0, run.exitCode(), run.err());
    }
}

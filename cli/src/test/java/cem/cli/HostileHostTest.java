package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host whose answer cannot be read (issue 24, items 11 and 13): the engine says so of the host
 * (PRV4006), never as a provider bug, and the host's words reach the terminal with their control
 * characters escaped, in diagnostics, in the apply's progress and in the plan.
 */
class HostileHostTest {

    /** Clear screen and retitle the window, as a hostile host would answer. */
    private static final String ESCAPES = "\u001b[2J\u001b]0;pwned\u0007";

    @TempDir
    Path tmp;

    Estate estate;

    @BeforeEach
    void setUp() {
        estate = new Estate(tmp);
    }

    private static void assertNoControlCharacters(String text) {
        assertFalse(text.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c >= 0x7f && c <= 0x9f), text);
    }

    @Test
    void anUnreadableAnswerIsADiagnosticOfTheHostWithItsEscapesShown() {
        assertEquals(0, estate.cem("apply", "--auto-approve", "site").exitCode());
        estate.world.setControl("{\"garbled\": {\"ig1\": \"" + ESCAPES.replace("\u001b", "\\u001b").replace("\u0007", "\\u0007") + "\"}}");
        CliRun plan = estate.cem("plan", "--no-color", "site");
        assertEquals(1, plan.exitCode());
        assertTrue(plan.err().contains("Host \"ig1\" answered something cem cannot read [PRV4006]"), plan.err());
        assertTrue(plan.err().contains("\\x1b[2J\\x1b]0;pwned\\x07"), plan.err());
        assertFalse(plan.err().contains("provider bug"), plan.err());
        assertNoControlCharacters(plan.err());
        assertNoControlCharacters(plan.out());
    }

    /**
     * Issue 26 (left by issue 24): `cem doctor` and `cem report` quote what hosts answered — here a
     * gateway's version in its registry — in their findings and report lines; its escapes are shown.
     */
    @Test
    @org.junit.jupiter.api.Timeout(300)
    void hostTextInTheDoctorAndTheReportIsShownNotObeyed() {
        Path site = CliRun.copyExample(tmp, "quickstart");
        assertEquals(0, CliRun.run(java.util.Map.of(), tmp, "apply", "--auto-approve", "quickstart").exitCode());
        new cem.lab.WindowsState(site.resolve(".cem/lab/ig1.json"), java.util.List.of(), java.util.Map.of()).change(s -> s.path("registry")
                .forEach(key -> {
                    if (key.has("Version")) {
                        ((com.fasterxml.jackson.databind.node.ObjectNode) key).put("Version", "8.8.0" + ESCAPES);
                    }
                }));
        CliRun doctor = CliRun.run(java.util.Map.of(), tmp, "doctor", "--no-color", "quickstart");
        assertTrue(doctor.out().contains("version 8.8.0\\x1b[2J\\x1b]0;pwned\\x07, the NS runs 8.8.1"), doctor.out() + doctor.err());
        assertNoControlCharacters(doctor.out());
        CliRun report = CliRun.run(java.util.Map.of(), tmp, "report", "--no-color", "quickstart");
        assertTrue(report.out().contains("; version 8.8.0\\x1b[2J\\x1b]0;pwned\\x07: the NS and the gateway"), report.out() + report.err());
        assertNoControlCharacters(report.out());
    }

    /**
     * `cem ig restore` asks the gateway's agent outside a plan: an answer it cannot read is PRV4006 naming
     * the host, with a hint and exit 1 — not "internal error in cem" and a stack trace.
     */
    @Test
    @org.junit.jupiter.api.Timeout(300)
    void anUnreadableAnswerToIgRestoreIsADiagnosticOfTheHost() {
        CliRun.copyExample(tmp, "quickstart");
        CliRun first = CliRun.run(java.util.Map.of(), tmp, "ig", "restore", "quickstart", "--host", "ig1");
        assertFalse(first.err().contains("internal error"), first.err());
        CliRun fault = CliRun.run(java.util.Map.of(), tmp, "lab", "fault", "quickstart", "--host", "ig1", "--garbled-answer", "pwned" + ESCAPES);
        assertEquals(0, fault.exitCode(), fault.err());
        CliRun restore = CliRun.run(java.util.Map.of(), tmp, "ig", "restore", "--no-color", "quickstart", "--host", "ig1");
        assertEquals(1, restore.exitCode(), restore.err());
        assertTrue(restore.err().contains("Host \"ig1\" answered something cem cannot read [PRV4006]"), restore.err());
        assertTrue(restore.err().contains("pwned\\x1b[2J"), restore.err());
        assertTrue(restore.err().contains("Check what runs on host ig1"), "the hint: " + restore.err());
        assertFalse(restore.err().contains("internal error") || restore.err().contains("\tat "), restore.err());
        assertNoControlCharacters(restore.err());
        // The probe says the same: the host answered, so its address and credentials are not what to check.
        CliRun probe = CliRun.run(java.util.Map.of(), tmp, "probe", "--no-color", "quickstart", "ig1");
        assertTrue(probe.out().contains("Check what runs on host ig1") && !probe.out().contains("cem trust ig1"), probe.out() + probe.err());
        assertNoControlCharacters(probe.out());
        assertEquals(0, CliRun.run(java.util.Map.of(), tmp, "lab", "fault", "quickstart", "--host", "ig1", "--clear").exitCode());
        assertFalse(CliRun.run(java.util.Map.of(), tmp, "ig", "restore", "quickstart", "--host", "ig1").err().contains("PRV4006"),
                "cleared, the agent answers again");
    }

    /**
     * JSON output keeps a host's text as it was, but every character a terminal could obey — C1 (here CSI
     * U+009B), the bidirectional overrides and isolates, DEL — is written as a \\u escape, as
     * TerminalText escapes them in text; parsed, the JSON holds the host's text unchanged.
     */
    @Test
    void aHostValueInJsonOutputIsEscapedAndParsesBackUnchanged() throws java.io.IOException {
        String hidden = "inbound\u009b2J\u202eevil\u2066x\u2069\u007f" + ESCAPES;
        assertEquals(0, estate.cem("apply", "--auto-approve", "site").exitCode());
        estate.changeOutOfBand("ns1", "windows_firewall_rule.agents-in", "direction", hidden);
        CliRun plan = estate.cem("plan", "--json", "site");
        assertFalse(plan.out().chars().anyMatch(cem.diag.TerminalText::unsafe), "nothing a terminal obeys: " + plan.out());
        assertTrue(plan.out().contains("\"inbound\\u009B2J\\u202Eevil\\u2066x\\u2069\\u007F\\u001B[2J"), plan.out());
        com.fasterxml.jackson.databind.JsonNode parsed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(plan.out());
        assertTrue(parsed.findValues("direction").stream().anyMatch(v -> hidden.equals(v.asText())), "the host's text, unchanged: " + parsed);
    }

    @Test
    void aHostValueInThePlanIsShownNotObeyed() {
        assertEquals(0, estate.cem("apply", "--auto-approve", "site").exitCode());
        estate.changeOutOfBand("ns1", "windows_firewall_rule.agents-in", "direction", "inbound" + ESCAPES);
        CliRun plan = estate.cem("plan", "--no-color", "site");
        assertTrue(plan.out().contains("\\x1b[2J\\x1b]0;pwned\\x07"), plan.out() + plan.err());
        assertNoControlCharacters(plan.out());
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plan → apply → plan through the real command line, with the fake provider. */
class EngineWorkflowTest {

    @TempDir
    Path tmp;

    Estate estate;

    /** The firewall rule of {@link Estate#BASE}, as written there. */
    private static final String FIREWALL_RULE = """
              - type: windows_firewall_rule
                name: agents-in
                host: ns1
                direction: inbound
                action: allow
                localPorts: [4726]
            """;

    @BeforeEach
    void setUp() {
        estate = new Estate(tmp);
    }

    private CliRun applied() {
        CliRun run = estate.cem("apply", "--auto-approve", "site");
        assertEquals(0, run.exitCode(), run.err() + run.out());
        return run;
    }

    private CliRun plan(String... extra) {
        String[] args = new String[extra.length + 3];
        args[0] = "plan";
        args[1] = "--detailed-exitcode";
        args[2] = "site";
        System.arraycopy(extra, 0, args, 3, extra.length);
        return estate.cem(args);
    }

    @Test
    void createThenConvergeWithOneReadPerHost() {
        CliRun first = plan();
        assertEquals(2, first.exitCode(), first.err());
        assertTrue(has(first.out(), "Plan: 6 to add, 0 to change, 0 to destroy."), first.out());
        assertTrue(has(first.out(), "+ password     = (sensitive value)"), first.out());
        assertTrue(has(first.out(), "+ id           = (known after apply)"), first.out());
        CliRun apply = applied();
        assertTrue(has(apply.out(), "Apply complete! Resources: 6 added, 0 changed, 0 destroyed."), apply.out());
        estate.resetCalls();
        CliRun again = plan();
        assertEquals(0, again.exitCode(), again.out() + again.err());
        assertTrue(has(again.out(), "No changes."), again.out());
        assertEquals(2, estate.calls("read"), "one read per host (ns1, ig1)");
    }

    @Test
    void updateInPlaceAndReplacement() {
        applied();
        estate.edit("localPorts: [4726]", "localPorts: [4726, 4727]");
        estate.edit("port: 443\n    certificate: ns-cert", "port: 4726\n    certificate: ns-cert");
        CliRun run = plan();
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(has(run.out(), "# windows_firewall_rule.agents-in will be updated in-place"), run.out());
        assertTrue(has(run.out(), "~ localPorts      = [4726] -> [4726, 4727]"), run.out());
        assertTrue(has(run.out(), "# iis_binding.ns-https must be replaced"), run.out());
        assertTrue(has(run.out(), "~ port        = 443 -> 4726 # forces replacement"), run.out());
        assertTrue(has(run.out(), "Plan: 1 to add, 1 to change, 1 to destroy."), run.out());
        applied();
        assertEquals(0, plan().exitCode());
    }

    @Test
    void certificateRotationCreatesTheNewOneFirst() {
        applied();
        estate.edit("pfx: ../certs/ns.pfx", "pfx: ../certs/san.pfx");
        CliRun run = plan();
        assertTrue(has(run.out(), "+/- resource \"certificate\" \"ns-cert\""), run.out());
        CliRun apply = applied();
        assertTrue(apply.err().indexOf("certificate.ns-cert: Replacement complete") < apply.err().indexOf("certificate.ns-cert: Destruction complete"),
                apply.err());
        assertEquals(0, plan().exitCode());
    }

    @Test
    void removedFromConfigurationIsDestroyedAndUnmanagedObjectsAreNeverTouched() {
        applied();
        var objects = estate.world.host("ns1");
        objects.putObject("windows_firewall_rule.someone-elses").putObject("attributes").put("enabled", true);
        estate.world.save("ns1", objects);
        estate.edit(FIREWALL_RULE, "");
        CliRun run = plan();
        assertTrue(has(run.out(), "# windows_firewall_rule.agents-in will be destroyed (it is no longer in the configuration)"), run.out());
        assertTrue(has(run.out(), "Plan: 0 to add, 0 to change, 1 to destroy."), run.out());
        assertFalse(has(run.out(), "someone-elses"), run.out());
        applied();
        assertTrue(estate.world.host("ns1").has("windows_firewall_rule.someone-elses"));
        assertFalse(estate.world.host("ns1").has("windows_firewall_rule.agents-in"));
    }

    @Test
    void driftIsShownApartAndRepaired() {
        applied();
        estate.changeOutOfBand("ns1", "windows_firewall_rule.agents-in", "enabled", false);
        estate.deleteOutOfBand("ig1", "internet_gateway.ig1");
        CliRun run = plan();
        assertEquals(2, run.exitCode());
        String out = run.out();
        assertTrue(has(out, "Note: Objects have changed outside of cem"), out);
        assertTrue(has(out, "# windows_firewall_rule.agents-in has changed"), out);
        assertTrue(has(out, "~ enabled         = true -> false"), out);
        assertTrue(has(out, "# internet_gateway.ig1 has been deleted"), out);
        assertTrue(has(out, "# internet_gateway.ig1 will be created (it was deleted outside cem)"), out);
        applied();
        assertEquals(0, plan().exitCode());
    }

    @Test
    void equalValuesInOtherFormsAreNoChange() {
        applied();
        estate.changeOutOfBand("ns1", "iis_binding.ns-https", "port", "443");
        estate.changeOutOfBand("ns1", "iis_binding.ns-https", "ip", "");
        estate.changeOutOfBand("ns1", "iis_binding.ns-https", "site", "DEFAULT WEB SITE");
        estate.changeOutOfBand("ns1", "windows_firewall_rule.agents-in", "localPorts", java.util.List.of(4726));
        CliRun run = plan();
        assertEquals(0, run.exitCode(), run.out());
    }

    @Test
    void refreshOnlyUpdatesStateAndNoHost() {
        applied();
        estate.changeOutOfBand("ns1", "windows_firewall_rule.agents-in", "enabled", false);
        CliRun run = plan("--refresh-only");
        assertEquals(2, run.exitCode(), run.out());
        assertTrue(has(run.out(), "refresh-only"), run.out());
        CliRun apply = estate.cem("apply", "--auto-approve", "--refresh-only", "site");
        assertEquals(0, apply.exitCode(), apply.err());
        assertFalse(estate.object("ns1", "windows_firewall_rule.agents-in").get("enabled").asBoolean());
        CliRun after = plan("--refresh-only");
        assertEquals(0, after.exitCode(), after.out());
        CliRun show = estate.cem("state", "show", "-d", "site", "windows_firewall_rule.agents-in");
        assertTrue(has(show.out(), "enabled = false"), show.out());
    }

    @Test
    void movedRenamesWithoutDestroying() {
        applied();
        String id = estate.object("ns1", "windows_firewall_rule.agents-in").get("id").asText();
        estate.edit("name: agents-in", "name: cem-agents-in");
        estate.write(Files.exists(estate.config.resolve("estate.yaml")) ? read() + "moved:\n  - {from: windows_firewall_rule.agents-in, to: windows_firewall_rule.cem-agents-in}\n" : "");
        CliRun run = plan();
        assertTrue(has(run.out(), "windows_firewall_rule.cem-agents-in has moved from windows_firewall_rule.agents-in"), run.out());
        assertFalse(has(run.out(), "destroy\n") && has(run.out(), "1 to destroy"), run.out());
        applied();
        CliRun list = estate.cem("state", "list", "-d", "site");
        assertTrue(has(list.out(), "windows_firewall_rule.cem-agents-in"), list.out());
        assertFalse(has(list.out(), "windows_firewall_rule.agents-in\n"), list.out());
        assertEquals(id, estate.object("ns1", "windows_firewall_rule.agents-in").get("id").asText(), "object untouched");
    }

    @Test
    void removedForgetsWithoutDestroying() {
        applied();
        estate.edit(FIREWALL_RULE, "");
        estate.write(read() + "removed:\n  - from: windows_firewall_rule.agents-in\n");
        CliRun run = plan();
        assertTrue(has(run.out(), "will be removed from the cem state but will not be destroyed"), run.out());
        assertTrue(has(run.out(), "0 to destroy, 1 to forget"), run.out());
        applied();
        assertTrue(estate.world.host("ns1").has("windows_firewall_rule.agents-in"));
        assertFalse(estate.cem("state", "list", "-d", "site").out().contains("agents-in"));
    }

    @Test
    void preventDestroyProtectsEvenAfterRemovalFromTheConfiguration() {
        estate.edit("localPorts: [4726]", "localPorts: [4726]\n    lifecycle: {preventDestroy: true}");
        applied();
        estate.edit("""
                  - type: windows_firewall_rule
                    name: agents-in
                    host: ns1
                    direction: inbound
                    action: allow
                    localPorts: [4726]
                    lifecycle: {preventDestroy: true}
                """, "");
        CliRun run = plan();
        assertEquals(1, run.exitCode(), run.out());
        assertTrue(run.err().contains("Resource windows_firewall_rule.agents-in has lifecycle.preventDestroy [APL5001]"), run.err());
        assertEquals(1, estate.cem("apply", "--auto-approve", "site").exitCode());
        assertTrue(estate.world.host("ns1").has("windows_firewall_rule.agents-in"));
    }

    @Test
    void ignoreChangesLeavesAnAttributeAlone() {
        estate.edit("localPorts: [4726]", "localPorts: [4726]\n    lifecycle: {ignoreChanges: [enabled]}");
        applied();
        estate.changeOutOfBand("ns1", "windows_firewall_rule.agents-in", "enabled", false);
        CliRun run = plan();
        assertTrue(has(run.out(), "No changes."), run.out());
    }

    @Test
    void targetExcludeAndReplace() {
        CliRun targeted = plan("--target", "iis_binding.ns-https");
        assertTrue(has(targeted.out(), "Plan: 2 to add"), targeted.out()); // the binding and its certificate
        CliRun excluded = plan("--exclude", "certificate.ns-cert");
        assertTrue(has(excluded.out(), "Plan: 4 to add"), excluded.out()); // not the certificate, not the binding
        applied();
        CliRun replace = plan("--replace", "windows_firewall_rule.agents-in");
        assertTrue(has(replace.out(), "windows_firewall_rule.agents-in must be replaced (--replace)"), replace.out());
        CliRun unknown = plan("--target", "iis_binding.nope");
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("No resource iis_binding.nope [APL5003]"), unknown.err());
        CliRun typo = plan("--target", "windows_firewall_rule.agents-inn");
        assertTrue(typo.err().contains("Did you mean windows_firewall_rule.agents-in?"), typo.err()); // issue 20, item 6
    }

    @Test
    void savedPlanAppliesOnlyWhileFresh() throws Exception {
        CliRun plan = estate.cem("plan", "-out", "tfplan.json", "site");
        assertEquals(0, plan.exitCode(), plan.err());
        String saved = Files.readString(tmp.resolve("tfplan.json"));
        assertFalse(saved.contains("example-only"), "no secret value in the plan file");
        CliRun apply = estate.cem("apply", "tfplan.json");
        assertEquals(0, apply.exitCode(), apply.err());
        assertTrue(has(apply.out(), "Apply complete! Resources: 6 added"), apply.out());
        CliRun again = estate.cem("apply", "tfplan.json");
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("Saved plan is stale [APL5004]"), again.err());
        assertTrue(again.err().contains("the state changed since the plan was made"), again.err());
        assertTrue(again.err().contains("Run `cem plan site -out tfplan.json` again"), "the hint names the configuration: " + again.err());

        estate.cem("plan", "-out", "tfplan2.json", "site");
        estate.edit("localPorts: [4726]", "localPorts: [4727]");
        CliRun edited = estate.cem("apply", "tfplan2.json");
        assertEquals(1, edited.exitCode());
        assertTrue(edited.err().contains("the configuration (or a certificate file it names) changed"), edited.err());
    }

    @Test
    void aSavedPlanEditedTruncatedOrOfAnotherLineageIsRefused() throws Exception {
        assertEquals(0, estate.cem("plan", "-out", "p.json", "site").exitCode());
        Path file = tmp.resolve("p.json");
        String saved = Files.readString(file);
        // An edit that turns a create into a delete, with everything else intact.
        Files.writeString(file, saved.replaceFirst("\"actions\" : \\[ \"create\" \\]", "\"actions\" : [ \"delete\" ]"));
        assertTrue(!Files.readString(file).equals(saved), "the test edited the plan");
        CliRun edited = estate.cem("apply", "p.json");
        assertEquals(1, edited.exitCode());
        assertTrue(edited.err().contains("The saved plan p.json was changed after cem wrote it"), edited.err());
        assertTrue(edited.err().contains("its checksum does not match its content"), edited.err());
        Files.writeString(file, saved.substring(0, saved.length() / 2));
        CliRun truncated = estate.cem("apply", "p.json");
        assertEquals(1, truncated.exitCode());
        assertTrue(truncated.err().contains("Cannot read the saved plan p.json"), truncated.err());
        Files.writeString(file, saved.replaceAll("\"lineage\" : \"[^\"]+\"", "\"lineage\" : \"0c7c1b9e-0000-4000-8000-000000000000\""));
        CliRun other = estate.cem("apply", "p.json");
        assertEquals(1, other.exitCode());
        assertTrue(other.err().contains("was changed after cem wrote it"), "a lineage edited in is an edit: " + other.err());
        assertEquals(2, estate.cem("plan", "--detailed-exitcode", "site").exitCode(), "nothing was applied: the changes are still pending");
    }

    @Test
    void aHostReachedOverPlainHttpIsNamedInEveryPlan() throws Exception {
        estate.edit("ig1: {address: 198.51.100.20, os: windows}", "ig1: {address: 198.51.100.20, os: windows, insecureHttp: true}");
        CliRun text = estate.cem("plan", "site");
        assertTrue(text.out().startsWith("Warning: ig1 is reached over plain HTTP (insecureHttp: true): nothing verifies that 198.51.100.20"),
                text.out());
        assertTrue(text.err().contains("WinRM to ig1 over plain HTTP: its identity is not verified [SEC2104]"), text.err());
        assertTrue(estate.cem("plan", "--markdown", "site").out().contains(":warning: Warning: ig1 is reached over plain HTTP"));
        assertEquals("ig1", estate.cem("plan", "--json", "site").json().path("insecure_hosts").get(0).asText());
        assertTrue(estate.cem("apply", "--auto-approve", "site").out().startsWith("Warning: ig1 is reached over plain HTTP"));
        estate.edit("insecureHttp: true", "insecureHttp: false");
        assertFalse(estate.cem("plan", "site").out().contains("plain HTTP"), "only when trust is weakened");
    }

    @Test
    void partialFailureSkipsDependentsAndReplanShowsWhatIsLeft() {
        estate.world.setControl("{\"fail\": [\"certificate.ns-cert\"]}");
        CliRun apply = estate.cem("apply", "--auto-approve", "site");
        assertEquals(1, apply.exitCode());
        assertTrue(apply.err().contains("Failed to change certificate.ns-cert"), apply.err());
        assertTrue(apply.err().contains("Skipped iis_binding.ns-https [APL5005]"), apply.err());
        // What was done, not what was planned: 6 planned, the certificate failed and its binding was skipped.
        assertTrue(has(apply.out(), "Apply incomplete! Resources: 4 added, 0 changed, 0 destroyed; 1 failed; 1 skipped."), apply.out());
        assertTrue(estate.world.host("ig1").has("internet_gateway.ig1"), "independent branch applied");
        estate.world.setControl("{}");
        CliRun replan = plan();
        assertTrue(has(replan.out(), "Plan: 2 to add, 0 to change, 0 to destroy."), replan.out());
        applied();
        assertEquals(0, plan().exitCode());
    }

    @Test
    void anUnreachableHostMakesThePlanIncompleteNotWrong() {
        applied();
        estate.world.setControl("{\"unreachable\": [\"ig1\"]}");
        CliRun run = plan();
        assertEquals(1, run.exitCode());
        assertTrue(has(run.out(), "Warning: the plan is incomplete"), run.out());
        assertTrue(has(run.out(), "? internet_gateway.ig1"), run.out());
        assertTrue(run.err().contains("Cannot reach host \"ig1\""), run.err());
    }

    @Test
    void jsonPlanHasTerraformsShape() {
        applied();
        estate.edit("localPorts: [4726]", "localPorts: [4727]");
        CliRun run = estate.cem("plan", "--json", "site");
        JsonNode plan = run.json();
        assertEquals("1.1", plan.get("format_version").asText());
        assertTrue(plan.get("applyable").asBoolean());
        JsonNode rule = null;
        for (JsonNode c : plan.get("resource_changes")) {
            if (c.get("address").asText().equals("windows_firewall_rule.agents-in")) {
                rule = c;
            }
        }
        assertEquals("[\"update\"]", rule.at("/change/actions").toString());
        assertEquals("[4727]", rule.at("/change/after/localPorts").toString());
        JsonNode cert = plan.get("resource_changes").get(2);
        assertEquals("certificate.ns-cert", cert.get("address").asText()); // sorted by address
        assertTrue(cert.at("/change/after/password").isNull(), "sensitive values are not written");
        assertTrue(cert.at("/change/after_sensitive/password").asBoolean());
    }

    @Test
    void markdownIsTruncatedSafely() {
        CliRun full = estate.cem("plan", "--markdown", "site");
        assertTrue(full.out().startsWith("### cem plan\n\n**Plan:** 6 to add"), full.out());
        assertTrue(has(full.out(), "<details><summary><code>+ iis_binding.ns-https</code></summary>"), full.out());
        CliRun small = estate.cem("plan", "--markdown", "--max-chars", "900", "site");
        assertTrue(small.out().length() <= 900, "length " + small.out().length());
        assertTrue(has(small.out(), "more resource(s) not shown"), small.out());
    }

    @Test
    void destroyRemovesEverythingInReverseOrder() {
        applied();
        CliRun run = estate.cem("destroy", "--auto-approve", "site");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(has(run.out(), "0 added, 0 changed, 6 destroyed"), run.out());
        assertTrue(run.err().indexOf("iis_binding.ns-https: Destruction") < run.err().indexOf("certificate.ns-cert: Destruction"), run.err());
        assertEquals(0, estate.world.host("ns1").size());
    }

    @Test
    void applyAsksForYesOnATerminal() {
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        Session no = new Session(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), estate.env(), tmp, true,
                new java.io.ByteArrayInputStream("no\n".getBytes()));
        assertEquals(1, Main.run(no, "apply", "--no-color", "site"));
        assertTrue(out.toString().contains("Only 'yes' will be accepted to approve."), out.toString());
        assertEquals(0, estate.world.host("ns1").size());
        Session yes = new Session(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), estate.env(), tmp, true,
                new java.io.ByteArrayInputStream("yes\n".getBytes()));
        assertEquals(0, Main.run(yes, "apply", "--no-color", "site"));
        CliRun noTerminal = estate.cem("apply", "site");
        assertEquals(0, noTerminal.exitCode()); // nothing to do: no question asked
    }

    @Test
    void onATerminalApplyShowsTheHostsBeingWorkedOn() {
        estate.world.setControl("{\"latencyMs\": 700}");
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        Session terminal = new Session(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), estate.env(), tmp, true,
                java.io.InputStream.nullInputStream());
        assertEquals(0, Main.run(terminal, "apply", "--auto-approve", "--no-color", "site"), err.toString());
        assertTrue(err.toString().contains("  working on: "), err.toString());
        assertTrue(err.toString().contains("ns1 (2 changes, 0s)"), err.toString());
        assertTrue(err.toString().contains("iis_binding.ns-https: Creation complete after"), err.toString());
    }

    @Test
    void graphsOfTheConfigurationThePlanAndTheState() {
        CliRun plan = estate.cem("graph", "site");
        assertTrue(plan.out().contains("\"iis_binding.ns-https\" -> \"certificate.ns-cert\";"), plan.out());
        applied();
        estate.edit("localPorts: [4726]", "localPorts: [4727]");
        CliRun apply = estate.cem("graph", "--type", "apply", "site");
        assertTrue(apply.out().contains("\"windows_firewall_rule.agents-in\" [label = \"~ windows_firewall_rule.agents-in\"];"), apply.out());
        assertFalse(apply.out().contains("iis_binding"), apply.out());
        CliRun destroy = estate.cem("graph", "--type", "destroy", "site");
        assertTrue(destroy.out().contains("\"internet_gateway.ig1\" -> \"certificate.gateway-cert\";"), destroy.out());
    }

    @Test
    void importAdoptsAnExistingObject() {
        applied();
        assertEquals(0, estate.cem("state", "rm", "-d", "site", "windows_firewall_rule.agents-in").exitCode());
        assertTrue(has(plan().out(), "windows_firewall_rule.agents-in will be adopted"), "not in state: adopted");
        CliRun imported = estate.cem("import", "-d", "site", "windows_firewall_rule.agents-in", "windows_firewall_rule.agents-in");
        assertEquals(0, imported.exitCode(), imported.err());
        assertEquals(0, plan().exitCode());
    }

    /**
     * An object on its host that the state does not hold is adopted, as Terraform 1.5 shows an import: its own
     * headline and count, {@code importing} in the JSON plan, and apply only records it (no provider call).
     */
    @Test
    void anAdoptionIsNeitherAChangeNorAModification() throws Exception {
        applied();
        assertEquals(0, estate.cem("state", "rm", "-d", "site", "windows_firewall_rule.agents-in").exitCode());
        CliRun plan = plan();
        assertEquals(2, plan.exitCode(), "an adoption is a change of the state: " + plan.out());
        assertTrue(has(plan.out(), "# windows_firewall_rule.agents-in will be adopted\n"
                + "  # (it exists on host ns1 but not in the cem state; apply records it and changes nothing on the host)"), plan.out());
        assertTrue(has(plan.out(), "Plan: 1 to adopt, 0 to add, 0 to change, 0 to destroy."), plan.out());
        JsonNode change = null;
        for (JsonNode c : estate.cem("plan", "--json", "site").json().get("resource_changes")) {
            if (c.get("address").asText().equals("windows_firewall_rule.agents-in")) {
                change = c.get("change");
            }
        }
        assertEquals("[\"no-op\"]", change.get("actions").toString());
        assertTrue(change.path("importing").has("id"), change.toString());

        Path calls = estate.world.directory().resolve("calls.log");
        Files.deleteIfExists(calls);
        CliRun apply = applied();
        assertTrue(apply.err().contains("windows_firewall_rule.agents-in: Adoption complete"), apply.err());
        assertFalse(apply.err().contains("Modification complete"), apply.err());
        assertTrue(has(apply.out(), "Apply complete! Resources: 1 adopted, 0 added, 0 changed, 0 destroyed."), apply.out());
        assertFalse(Files.readString(calls).contains("apply "), "nothing was sent to a host: " + Files.readString(calls));
        assertEquals(0, plan().exitCode(), "recorded in the state");

        estate.edit("localPorts: [4726]", "localPorts: [4727]");
        assertEquals(0, estate.cem("state", "rm", "-d", "site", "windows_firewall_rule.agents-in").exitCode());
        CliRun both = plan();
        assertTrue(has(both.out(), "# windows_firewall_rule.agents-in will be adopted and updated in-place"), both.out());
        assertTrue(has(both.out(), "Plan: 1 to adopt, 0 to add, 1 to change, 0 to destroy."), both.out());
    }

    /** Contains, ignoring how many spaces align the columns. */
    private static boolean has(String text, String part) {
        return text.replaceAll(" +", " ").contains(part.replaceAll(" +", " "));
    }

    private String read() {
        try {
            return Files.readString(estate.config.resolve("estate.yaml"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.Golden;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact text, JSON and Markdown of plans, pinned (random ids and paths replaced by placeholders). */
class PlanGoldenTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden/plan");

    @TempDir
    Path tmp;

    Estate estate;

    @BeforeEach
    void setUp() {
        estate = new Estate(tmp);
    }

    private String stable(String text) {
        return text.replace(tmp.toString(), "<tmp>")
                .replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>")
                .replaceAll("\"thumbprint\" : \"[0-9A-F]+\"", "\"thumbprint\" : \"<thumbprint>\"")
                .replaceAll("\"identity\" : \"[0-9A-F]{6,8}\"", "\"identity\" : \"<thumbprint>\"")
                .replaceAll("thumbprint = \"[0-9A-F]+\"", "thumbprint = \"<thumbprint>\"")
                .replaceAll("\"cem_version\" : \"[^\"]+\"", "\"cem_version\" : \"<version>\"");
    }

    @Test
    void createPlan() {
        Golden.assertMatches(stable(estate.cem("plan", "site").out()), GOLDEN.resolve("create.txt"));
        Golden.assertMatches(stable(estate.cem("plan", "--json", "site").out()), GOLDEN.resolve("create.json"));
        Golden.assertMatches(stable(estate.cem("plan", "--markdown", "site").out()), GOLDEN.resolve("create.md"));
    }

    @Test
    void aLongBlockIsShownOneElementPerLine() throws java.io.IOException {
        Path site = CliRun.copyExample(tmp, "quickstart-acme");
        java.nio.file.Files.writeString(site.resolve("state.key"), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        java.nio.file.Files.writeString(site.resolve("acme-account.pem"), "not read by a plan");
        java.nio.file.Files.writeString(site.resolve("tsig.secret"), "c2VjcmV0");
        Golden.assertMatches(stable(CliRun.run(java.util.Map.of(), tmp, "plan", "quickstart-acme").out()), GOLDEN.resolve("acme-create.txt"));
    }

    @Test
    void everyKindOfChange() {
        estate.cem("apply", "--auto-approve", "site");
        estate.edit("localPorts: [4726]", "localPorts: [4726, 4727]");
        estate.edit("pfx: ../certs/ns.pfx", "pfx: ../certs/san.pfx");
        estate.edit("port: 443\n    certificate: ns-cert", "port: 4726\n    certificate: ns-cert");
        estate.changeOutOfBand("ig1", "internet_gateway.ig1", "statusReporting", false);
        Golden.assertMatches(stable(estate.cem("plan", "site").out()), GOLDEN.resolve("changes.txt"));
        Golden.assertMatches(stable(estate.cem("plan", "--json", "site").out()), GOLDEN.resolve("changes.json"));
        Golden.assertMatches(stable(estate.cem("plan", "--destroy", "site").out()), GOLDEN.resolve("destroy.txt"));
    }

    @Test
    void aProviderThatReturnsOtherValuesIsCalledABuggyProvider() {
        estate.world.setControl("{\"mangle\": {\"windows_firewall_rule.agents-in\": {\"direction\": \"outbound\"}}}");
        CliRun apply = estate.cem("apply", "--auto-approve", "site");
        assertEquals(0, apply.exitCode(), apply.err());
        assertTrue(apply.err().contains("Warning: Provider produced an inconsistent result for windows_firewall_rule.agents-in [PRV4005]"),
                apply.err());
        assertTrue(apply.err().contains("This is a bug in the fake provider"), apply.err());
        estate.world.setControl("{}");
        assertTrue(estate.cem("plan", "site").out().contains("~ direction"), "the next plan shows the difference");
    }
}

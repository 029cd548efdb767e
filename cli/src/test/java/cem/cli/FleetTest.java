package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Fleets (issue 9): render, validate, plan and apply several sites, each with its own state, from one inventory. */
class FleetTest {

    @TempDir
    Path tmp;

    /** A copy of examples/gitops without anything a run left behind (.cem directories). */
    static Path copyGitops(Path tmp) {
        Path from = CliRun.REPO.resolve("examples/gitops");
        Path to = tmp.resolve("gitops");
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.filter(p -> !from.relativize(p).toString().contains(".cem")).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }

    static CliRun cem(Path cwd, String... args) {
        return CliRun.run(Map.of(), cwd, args);
    }

    @Test
    void theRenderedFilesOfTheGitopsExampleAreWhatTheTemplatesMake() throws IOException {
        Path fleet = copyGitops(tmp);
        CliRun check = cem(fleet, "render", "--check");
        assertEquals(0, check.exitCode(), check.out() + check.err());
        // Golden files: the committed sites/ of examples/gitops, rendered again from nothing.
        Path committed = CliRun.REPO.resolve("examples/gitops/sites");
        deleteTree(fleet.resolve("sites"));
        CliRun render = cem(tmp, "render", "gitops");
        assertEquals(0, render.exitCode(), render.err());
        assertTrue(render.out().contains("Rendered 3 site(s) into gitops/sites: 4 file(s) changed, 0 unchanged."), render.out());
        for (String f : List.of("ams/site.yaml", "ams/extra.yaml", "ber/site.yaml", "nyc/site.yaml")) {
            assertEquals(Files.readString(committed.resolve(f)), Files.readString(fleet.resolve("sites").resolve(f)), f);
        }
        assertTrue(cem(fleet, "render").out().contains("0 file(s) changed, 4 unchanged."));
    }

    @Test
    void theShippedSiteTemplateIsTheOneTheExampleUses() throws IOException {
        assertEquals(Files.readString(CliRun.REPO.resolve("templates/site/site.yaml.ftl")),
                Files.readString(CliRun.REPO.resolve("examples/gitops/templates/site/site.yaml.ftl")));
    }

    @Test
    void aTemplateChangeIsCaughtByRenderCheckAndRemovedFilesAreCleanedUp() throws IOException {
        Path fleet = copyGitops(tmp);
        Path template = fleet.resolve("templates/site/site.yaml.ftl");
        Files.writeString(template, Files.readString(template).replace("startType: automatic", "startType: manual"));
        CliRun check = cem(fleet, "render", "--check");
        assertEquals(1, check.exitCode());
        assertTrue(check.out().contains("out of date: updated  sites/ams/site.yaml"), check.out());
        assertTrue(check.err().contains("[TPL6040]") && check.err().contains("Run `cem render .` and commit the result."), check.err());
        Files.delete(fleet.resolve("overrides/ams/extra.yaml"));
        Files.writeString(fleet.resolve("sites/ams/notes.yaml"), "# someone's own file: cem never removes it\nversion: 1\n");
        Files.createDirectories(fleet.resolve("sites/old/.cem"));
        Files.writeString(fleet.resolve("sites/old/.cem/state.json"), "{}");
        CliRun render = cem(fleet, "render");
        assertTrue(render.out().contains("removed  sites/ams/extra.yaml"), render.out());
        assertTrue(render.err().contains("Warning: sites/old is no site of sites.yaml any more; its state still records what cem manages there. "
                + "Destroy it first (`cem destroy sites/old`)"), render.err());
        assertTrue(Files.exists(fleet.resolve("sites/old/.cem/state.json")), "render deletes nothing of a site it does not know");
        assertFalse(Files.exists(fleet.resolve("sites/ams/extra.yaml")));
        assertTrue(Files.exists(fleet.resolve("sites/ams/notes.yaml")));
    }

    @Test
    void templateMistakesPointAtTheTemplateAndTheSiteEntry() throws IOException {
        Path fleet = copyGitops(tmp);
        Path inventory = fleet.resolve("sites.yaml");
        // ber's gateway port is invalid; nyc lacks a variable.
        Files.writeString(inventory, Files.readString(inventory).replace("      gatewayFqdn: gw-ber.example.com\n", "      gatewayFqdn: gw-ber.example.com\n      gatewayPort: 70000\n")
                .replace("      firewallAddress: fw.nyc.example.net\n", ""));
        CliRun validate = cem(fleet, "validate");
        assertEquals(1, validate.exitCode());
        assertTrue(validate.err().contains("Error: Undefined variable firewallAddress [TPL6011]\n  at templates/site/site.yaml.ftl:"), validate.err());
        assertTrue(validate.err().contains("Site nyc (sites.yaml:"), validate.err());
        assertTrue(validate.err().contains("In site ber (sites.yaml:38:5), rendered as sites/ber/site.yaml:"), validate.err());
        assertTrue(validate.err().contains("listenerPort: [=gatewayPort]"), "the snippet is the template's line: " + validate.err());

        CliRun plan = cem(fleet, "plan", "--sites", "all");
        assertEquals(1, plan.exitCode());
        assertTrue(plan.out().matches("(?s).*ams\\s+canary\\s+2\\s+10\\s+1\\s+0\\s+0\\s+changes.*"), "the other sites are still planned: " + plan.out());
        assertTrue(plan.out().matches("(?s).*ber\\s+eu\\s+-\\s+-\\s+-\\s+-\\s+-\\s+error \\(\\d+\\).*"), plan.out());
        assertTrue(plan.out().contains("2 sites have errors."), plan.out());
    }

    @Test
    void twoSitesCannotShareAHost() throws IOException {
        Path fleet = copyGitops(tmp);
        Path template = fleet.resolve("templates/site/site.yaml.ftl");
        Files.writeString(template, Files.readString(template).replace("[=site.name]-fw", "edge-fw"));
        CliRun plan = cem(fleet, "plan");
        assertEquals(1, plan.exitCode());
        assertTrue(plan.err().contains("Host edge-fw is in sites ams and ber [TPL6021]"), plan.err());
        assertTrue(plan.err().contains("at templates/site/site.yaml.ftl:"), plan.err());
    }

    @Test
    @Timeout(180)
    void sitesArePlannedTogetherAndASavedPlanOfSitesAppliesExactly() throws IOException {
        Path fleet = copyGitops(tmp);
        CliRun plan = cem(tmp, "plan", "gitops", "--sites", "all", "-out", "sites.plan", "--detailed-exitcode");
        assertEquals(2, plan.exitCode(), plan.err());
        String out = plan.out();
        // Adoptions have their own column, counts right-aligned under their headings, as Terraform-like tables do.
        assertTrue(out.startsWith("\n  SITE  WAVE    ADOPT  ADD  CHANGE  DESTROY  DRIFT  STATUS\n"
                + "  ams   canary      2   10       1        0      0  changes\n"), out);
        assertTrue(out.matches("(?s).*nyc\\s+rest\\s+2\\s+9\\s+1\\s+0\\s+0\\s+changes.*"), out);
        assertTrue(out.contains("── site ber ──") && out.contains("Plan (3 sites): 6 to adopt, 28 to add, 3 to change, 0 to destroy."), out);
        assertTrue(out.contains("cem apply sites.plan"), out);

        CliRun markdown = cem(fleet, "plan", "--markdown", "--max-chars", "6000");
        assertTrue(markdown.out().length() <= 6000, "within the limit: " + markdown.out().length());
        assertTrue(markdown.out().contains("| ams | canary | 2 | 10 | 1 | 0 | 0 | changes |"), markdown.out());
        assertTrue(markdown.out().contains("<details><summary>site <b>ams</b>: 2 to adopt, 10 to add, 1 to change"), markdown.out());

        JsonNode json = cem(fleet, "plan", "--json", "--sites", "tag:eu").json();
        assertEquals(2, json.path("sites").size());
        assertEquals("ber", json.path("sites").get(1).path("site").asText());
        assertEquals(12, json.path("sites").get(0).path("plan").path("resource_changes").size(), "ams: 2 to adopt, 10 to add, 1 to change");
        assertEquals("{\"adopt\":2,\"add\":10,\"change\":1,\"destroy\":0,\"drift\":0}", json.path("sites").get(0).path("summary").toString(),
                "the table's counts, per site");

        CliRun apply = cem(tmp, "apply", "sites.plan");
        assertEquals(0, apply.exitCode(), apply.err());
        assertTrue(apply.out().contains("Apply complete! Sites: 3 applied, 0 failed, 0 unchanged."), apply.out());
        assertTrue(apply.err().contains("[ams] iis_binding.ns-cem-agent: Creation complete"), "progress names the site: " + apply.err());
        for (String site : List.of("ams", "ber", "nyc")) {
            assertTrue(Files.isRegularFile(fleet.resolve("sites").resolve(site).resolve(".cem/state.json")), "each site has its own state");
        }
        CliRun again = cem(tmp, "apply", "sites.plan");
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("Saved plan is stale") && again.err().contains("(site ams)"), again.err());

        CliRun converged = cem(fleet, "plan", "--detailed-exitcode");
        assertEquals(0, converged.exitCode(), converged.out() + converged.err());
        // A rendered site is also a plain configuration directory, with the same state and the fleet's lab.
        assertEquals(0, cem(fleet, "render").exitCode());
        CliRun one = cem(fleet, "plan", "sites/ber", "--detailed-exitcode");
        assertEquals(0, one.exitCode(), one.out() + one.err());

        // The doctor checks every site on its own; a gateway cut off from its NS is reported under its site.
        CliRun healthy = cem(fleet, "doctor");
        assertEquals(0, healthy.exitCode(), healthy.out() + healthy.err());
        assertTrue(healthy.out().contains("── site ams ") && healthy.out().contains("── site nyc "), healthy.out());
        assertEquals(0, cem(fleet, "lab", "fault", "--host", "ber-ig", "--gateway-offline").exitCode());
        JsonNode doctor = cem(fleet, "doctor", "--json", "--sites", "ams,ber").json();
        assertEquals(2, doctor.path("sites").size());
        assertEquals(1, doctor.path("summary").path("fail").asInt(), doctor.toString());
        JsonNode ber = doctor.path("sites").get(1);
        assertEquals("ber", ber.path("site").asText());
        assertTrue(ber.path("findings").toString().contains("\"check\":\"ig.online\",\"subject\":\"internet_gateway.gateway\",\"status\":\"fail\""),
                ber.toString());

        CliRun typo = cem(fleet, "plan", "--sites", "amz");
        assertEquals(1, typo.exitCode());
        assertTrue(typo.err().contains("No site matches \"amz\" [TPL6020]") && typo.err().contains("Did you mean \"ams\"?"), typo.err());
    }

    @Test
    void aLockHeldByACiJobNamesTheJobAndCiWaitsForLocksByDefault() throws Exception {
        Path fleet = copyGitops(tmp);
        var store = new cem.state.LocalStateStore(fleet.resolve("sites/ams/.cem"), "https://ci.example.com/group/fleet/-/jobs/42");
        try (var held = store.lock("apply", java.time.Duration.ZERO)) {
            CliRun plan = CliRun.run(Map.of("CI", "true"), fleet, "plan", "--sites", "ams", "--lock-timeout", "1s");
            assertEquals(1, plan.exitCode());
            assertTrue(plan.err().contains("State is locked") && plan.err().contains("https://ci.example.com/group/fleet/-/jobs/42"), plan.err());
        }
        PlanOptionsMixin options = new PlanOptionsMixin();
        Session ci = new Session(new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()),
                Map.of("CI", "true"), tmp, false, java.io.InputStream.nullInputStream());
        Session desk = new Session(ci.out(), ci.err(), Map.of(), tmp, true, java.io.InputStream.nullInputStream());
        assertEquals(java.time.Duration.ofMinutes(5), options.lockTimeout(ci), "a CI job queues behind another job's lock");
        assertEquals(java.time.Duration.ZERO, options.lockTimeout(desk), "a person is told at once");
        options.lockTimeout = "30s";
        assertEquals(java.time.Duration.ofSeconds(30), options.lockTimeout(ci));
    }

    static void deleteTreeIfExists(Path dir) throws IOException {
        if (Files.exists(dir)) {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

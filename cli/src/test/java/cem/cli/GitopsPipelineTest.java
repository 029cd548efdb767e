package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cem commands of examples/gitops's pipelines (GitHub Actions and GitLab CI), read from the
 * pipeline files and run in order against the lab: pull request plan, merge apply, drift check.
 */
class GitopsPipelineTest {

    @TempDir
    Path tmp;

    /** The cem commands of one job, in order: GitHub steps' run lines, or GitLab script lines. */
    static List<String> commands(JsonNode job) {
        List<String> out = new ArrayList<>();
        job.path("steps").forEach(step -> {
            if (step.path("run").asText().startsWith("cem ")) {
                out.add(step.path("run").asText().trim());
            }
        });
        job.path("script").forEach(line -> {
            if (line.asText().startsWith("cem ")) {
                out.add(line.asText().trim());
            }
        });
        return out;
    }

    /** Runs {@code cem ARGS [> FILE]} in the fleet's directory, as a runner would. */
    static CliRun run(Path fleet, String command) throws IOException {
        String redirect = null;
        String line = command;
        if (line.contains(" > ")) {
            redirect = line.substring(line.indexOf(" > ") + 3).trim();
            line = line.substring(0, line.indexOf(" > "));
        }
        String[] words = line.trim().split("\\s+");
        CliRun r = CliRun.run(Map.of("CI", "true"), fleet, Arrays.copyOfRange(words, 1, words.length));
        if (redirect != null) {
            Files.writeString(fleet.resolve(redirect), r.out());
        }
        return r;
    }

    private static JsonNode yaml(Path file) throws IOException {
        return new ObjectMapper().valueToTree(new org.yaml.snakeyaml.Yaml().load(Files.readString(file)));
    }

    @Test
    @Timeout(300)
    void theGithubWorkflowPlansOnAPullRequestAppliesThatPlanOnMergeAndFailsOnDrift() throws IOException {
        Path fleet = FleetTest.copyGitops(tmp);
        JsonNode jobs = yaml(fleet.resolve(".github/workflows/cem.yml")).path("jobs");
        List<String> plan = commands(jobs.path("plan"));
        assertEquals(List.of("cem validate .", "cem render . --check", "cem plan . --sites all --no-credentials --markdown > plan.md"), plan);
        assertTrue(jobs.path("plan").path("env").isMissingNode(), "the pull request's job holds no secret");
        for (String c : plan) {
            CliRun r = run(fleet, c);
            assertEquals(0, r.exitCode(), c + "\n" + r.out() + r.err());
        }
        String comment = Files.readString(fleet.resolve("plan.md"));
        assertTrue(comment.startsWith("### cem plan: 3 sites") && comment.contains("Planned without credentials"), comment);
        assertTrue(comment.contains("| nyc | rest | 11 | 0 | 0 | 0 | changes |"), "from the state only (none yet): " + comment);

        List<String> apply = commands(jobs.path("apply"));
        assertEquals(List.of("cem plan . --sites all -out cem.plan", "cem apply cem.plan"), apply);
        assertEquals(0, run(fleet, apply.get(0)).exitCode());
        CliRun applied = run(fleet, apply.get(1));
        assertEquals(0, applied.exitCode(), applied.out() + applied.err());
        assertTrue(applied.out().contains("Apply complete! Sites: 3 applied"), applied.out());

        List<String> drift = commands(jobs.path("drift"));
        assertEquals(List.of("cem plan . --sites all --refresh-only --detailed-exitcode"), drift);
        assertEquals(0, run(fleet, drift.get(0)).exitCode(), "no drift right after the apply");
        CliRun byHand = CliRun.run(Map.of(), fleet, "lab", "drift", ".");
        assertEquals(0, byHand.exitCode(), byHand.out() + byHand.err());
        CliRun check = run(fleet, drift.get(0));
        assertEquals(2, check.exitCode(), "the scheduled job fails: " + check.out() + check.err());
        assertTrue(check.out().contains("Objects have changed outside of cem"), check.out());
        assertTrue(check.out().matches("(?s).*ams\\s+canary\\s+0\\s+0\\s+0\\s+[1-9]\\d*\\s+changes.*"), "the table counts the drift: " + check.out());
    }

    @Test
    @Timeout(300)
    void theGitlabPipelineRunsTheSameCommands() throws IOException {
        Path fleet = FleetTest.copyGitops(tmp);
        JsonNode pipeline = yaml(fleet.resolve(".gitlab-ci.yml"));
        List<String> all = new ArrayList<>();
        for (String job : List.of("cem-validate", "cem-plan-mr", "cem-plan", "cem-apply")) {
            all.addAll(commands(pipeline.path(job)));
        }
        assertEquals(List.of("cem validate .", "cem render . --check", "cem plan . --sites all --no-credentials --markdown > plan.md",
                "cem plan . --sites all -out cem.plan", "cem apply cem.plan"), all);
        for (String c : all) {
            CliRun r = run(fleet, c);
            assertEquals(0, r.exitCode(), c + "\n" + r.out() + r.err());
        }
        List<String> drift = commands(pipeline.path("cem-drift"));
        assertEquals(0, run(fleet, drift.get(0)).exitCode());
        for (JsonNode job : pipeline) {
            job.path("script").forEach(line -> assertFalse(line.asText().contains("${{"), "no GitHub syntax in the GitLab file"));
        }
    }
}

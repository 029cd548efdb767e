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
        return run(fleet, command, Map.of());
    }

    /** The same, with the variables the job's file gives it. */
    static CliRun run(Path fleet, String command, Map<String, String> env) throws IOException {
        String redirect = null;
        String line = command;
        if (line.contains(" > ")) {
            redirect = line.substring(line.indexOf(" > ") + 3).trim();
            line = line.substring(0, line.indexOf(" > "));
        }
        String[] words = line.trim().split("\\s+");
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("CI", "true");
        CliRun r = CliRun.run(all, fleet, Arrays.copyOfRange(words, 1, words.length));
        if (redirect != null) {
            Files.writeString(fleet.resolve(redirect), r.out());
        }
        return r;
    }

    /** The MAC key, for the jobs whose file gives them CEM_MAC_KEY (from the CI's secrets); none for the others. */
    static Map<String, String> macKey(JsonNode job, JsonNode pipelineVariables, String key) {
        boolean holds = job.path("env").has(cem.state.Integrity.KEY_VARIABLE) || pipelineVariables.has(cem.state.Integrity.KEY_VARIABLE);
        return holds ? Map.of(cem.state.Integrity.KEY_VARIABLE, key) : Map.of();
    }

    private static JsonNode yaml(Path file) throws IOException {
        return new ObjectMapper().valueToTree(new org.yaml.snakeyaml.Yaml().load(Files.readString(file)));
    }

    @Test
    @Timeout(300)
    void theGithubWorkflowPlansOnAPullRequestAppliesTheMergedPlanWithItsMacAndFailsOnDrift() throws IOException {
        Path fleet = FleetTest.copyGitops(tmp);
        JsonNode workflow = yaml(fleet.resolve(".github/workflows/cem.yml"));
        JsonNode jobs = workflow.path("jobs");
        String key = StateEncryptionCliTest.key();
        List<String> plan = commands(jobs.path("plan"));
        assertEquals(List.of("cem validate .", "cem render . --check", "cem plan . --sites all --no-credentials --markdown > plan.md"), plan);
        assertTrue(jobs.path("plan").path("env").isMissingNode(), "the pull request's job holds no secret");
        Map<String, String> prEnv = macKey(jobs.path("plan"), workflow.path("env"), key);
        assertEquals(Map.of(), prEnv, "the pull request's job, which runs the pull request's code, holds no MAC key");
        for (String c : plan) {
            CliRun r = run(fleet, c, prEnv);
            assertEquals(0, r.exitCode(), c + "\n" + r.out() + r.err());
        }
        String comment = Files.readString(fleet.resolve("plan.md"));
        assertTrue(comment.startsWith("### cem plan: 3 sites") && comment.contains("Planned without credentials"), comment);
        assertTrue(comment.contains("| nyc | rest | 0 | 11 | 0 | 0 | 0 | changes |"), "from the state only (none yet): " + comment);

        // Issue 24, item 5: a plan the pull request's job saves is refused by the job that applies.
        assertEquals(0, run(fleet, "cem plan . --sites all -out cem.plan", prEnv).exitCode());
        Map<String, String> applyEnv = macKey(jobs.path("apply"), workflow.path("env"), key);
        CliRun fromPr = run(fleet, "cem apply cem.plan", applyEnv);
        assertEquals(1, fromPr.exitCode(), fromPr.out() + fromPr.err());
        assertTrue(fromPr.err().contains("was not made by a holder of the MAC key"), fromPr.err());

        List<String> merged = commands(jobs.path("plan-merged"));
        assertEquals(List.of("cem plan . --sites all -out cem.plan"), merged);
        CliRun saved = run(fleet, merged.get(0), macKey(jobs.path("plan-merged"), workflow.path("env"), key));
        assertEquals(0, saved.exitCode(), saved.out() + saved.err());
        List<String> apply = commands(jobs.path("apply"));
        assertEquals(List.of("cem apply cem.plan"), apply);
        CliRun applied = run(fleet, apply.get(0), applyEnv);
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
        assertTrue(check.out().matches("(?s).*ams\\s+canary\\s+0\\s+0\\s+0\\s+0\\s+[1-9]\\d*\\s+changes.*"), "the table counts the drift: " + check.out());
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
        // CEM_MAC_KEY is a protected variable: the jobs of the default branch see it, the merge request's do not.
        String key = StateEncryptionCliTest.key();
        for (String job : List.of("cem-validate", "cem-plan-mr", "cem-plan", "cem-apply")) {
            Map<String, String> env = job.equals("cem-plan") || job.equals("cem-apply") ? Map.of(cem.state.Integrity.KEY_VARIABLE, key) : Map.of();
            for (String c : commands(pipeline.path(job))) {
                CliRun r = run(fleet, c, env);
                assertEquals(0, r.exitCode(), c + "\n" + r.out() + r.err());
            }
        }
        assertTrue(Files.readString(fleet.resolve("cem.plan")).contains("\"mac\""), "the saved plan carries its MAC");
        List<String> drift = commands(pipeline.path("cem-drift"));
        assertEquals(0, run(fleet, drift.get(0)).exitCode());
        for (JsonNode job : pipeline) {
            job.path("script").forEach(line -> assertFalse(line.asText().contains("${{"), "no GitHub syntax in the GitLab file"));
        }
    }
}

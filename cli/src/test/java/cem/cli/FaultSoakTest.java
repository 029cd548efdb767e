package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault soak (issue 12): the lab injects faults at 5% per command — latency spikes,
 * connection resets, refused logins, truncated answers, failing ops — while `cem apply` of a lab
 * fleet runs again and again: each failure is reported on its resource or host, repeated applies
 * converge with no manual step, and nothing is lost. 10 sites here; CEM_SOAK_SITES=50
 * (bench/adversarial.sh soak) for the long form.
 */
class FaultSoakTest {

    private static final Pattern PLACE = Pattern.compile("s\\d+-(ns|ig|fw)|\\b[a-z_]+\\.[A-Za-z0-9][A-Za-z0-9_.-]*");

    @TempDir
    Path tmp;

    @Test
    @Timeout(1800)
    void repeatedAppliesUnderFaultsConvergeAndLoseNothing() throws Exception {
        int sites = Integer.parseInt(System.getenv().getOrDefault("CEM_SOAK_SITES", "10"));
        Path fleet = cem.testkit.Fleets.write(tmp.resolve("fleet"), sites, CliRun.REPO);
        Map<String, Integer> injected = new TreeMap<>();
        List<Integer> remaining = new ArrayList<>();
        int attempt = 0;
        int code = -1;
        while (code != 0 && attempt < 8) {
            attempt++;
            Path stats = tmp.resolve("stats-" + attempt + ".json");
            Path log = tmp.resolve("apply-" + attempt + ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "cem.cli.Main", "apply", "--auto-approve", "--no-color"));
            ProcessBuilder pb = new ProcessBuilder(command).directory(fleet.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("CEM_LAB_FAULT_RATE", "0.05");
            pb.environment().put("CEM_LAB_FAULT_SEED", Integer.toString(attempt));
            pb.environment().put("CEM_LAB_STATS", stats.toString());
            code = pb.start().waitFor();
            String out = Files.readString(log, StandardCharsets.UTF_8);
            java.util.regex.Matcher left = Pattern.compile("Plan \\(\\d+ sites?\\): (?:\\d+ to adopt, )?(\\d+) to add, (\\d+) to change").matcher(out);
            if (left.find()) {
                remaining.add(Integer.parseInt(left.group(1)) + Integer.parseInt(left.group(2)));
            }
            assertTrue(code == 0 || code == 1, "apply ends in success or reported failures (attempt " + attempt + "):\n" + out);
            assertTrue(!out.contains("\tat ") && !out.contains("internal error"), "no stack trace:\n" + out);
            for (String line : out.split("\n")) {
                if (line.startsWith("Error:") || line.matches("\\[s\\d+\\] Error:.*")) {
                    assertTrue(PLACE.matcher(line).find(), "each failure names its resource or host: " + line);
                }
            }
            if (Files.exists(stats)) {
                new ObjectMapper().readTree(Files.readString(stats)).path("faultsInjected").fields()
                        .forEachRemaining(e -> injected.merge(e.getKey(), e.getValue().asInt(), Integer::sum));
            }
        }
        // With many hosts some command fails in every run while faults last: the work left must shrink, and once the faults
        // stop one more apply finishes it with no manual step.
        boolean underFaults = code == 0;
        if (!underFaults) {
            CliRun last = FleetTest.cem(fleet, "apply", "--auto-approve");
            assertEquals(0, last.exitCode(), "after the faults stop, one apply finishes the work:\n" + last.out() + last.err());
        }
        // Nothing left to do, and every site's state holds all of its resources.
        CliRun plan = FleetTest.cem(fleet, "plan", "--detailed-exitcode");
        assertEquals(0, plan.exitCode(), plan.out() + plan.err());
        for (int i = 0; i < sites; i++) {
            String site = cem.testkit.Fleets.name(i, sites);
            var state = new cem.state.LocalStateStore(fleet.resolve("sites").resolve(site).resolve(".cem"), null).read().orElseThrow();
            assertEquals(11, state.resources().size(), site + ": " + state.resources().keySet());
        }
        int total = injected.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(total > 0, "faults were injected: " + injected);
        assertTrue(remaining.size() < 2 || remaining.get(remaining.size() - 1) < remaining.get(0), "the work left shrinks: " + remaining);
        System.out.println("fault soak: " + sites + " sites, " + attempt + " applies under 5% faults" + (underFaults ? " converged"
                : " (then 1 without faults)") + "; changes left at the start of each: " + remaining + "; " + total + " faults injected "
                + injected + ", " + total + " survived; nothing lost (every state complete, the next plan empty)");
    }

}

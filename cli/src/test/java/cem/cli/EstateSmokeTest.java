package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.testkit.Estates;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/estate.sh in small (3 sites, no latency), asserting only what it counts: a refresh is
 * exactly one remote command per host, and the baseline mode one per resource. Timings are the
 * benchmark's business, never a test's.
 */
class EstateSmokeTest {

    @TempDir
    Path tmp;

    private JsonNode run(Path stats, String... args) throws IOException {
        CliRun r = CliRun.run(Map.of("CEM_LAB_STATS", stats.toString()), tmp, args);
        assertTrue(r.exitCode() == 0 || r.exitCode() == 2, r.out() + r.err());
        return new ObjectMapper().readTree(stats.toFile()).path("commandsByHost");
    }

    @Test
    @Timeout(300)
    void aRefreshIsOneCommandPerHostAndTheBaselineOnePerResource() throws IOException {
        Path certs = CliRun.copyExample(tmp, "quickstart").getParent().resolve("certs");
        assertTrue(Files.isDirectory(certs));
        Path site = Files.createDirectories(tmp.resolve("estate"));
        Files.writeString(site.resolve("estate.yaml"), Estates.yaml(3, true));
        run(tmp.resolve("apply.json"), "apply", "--auto-approve", "estate");
        JsonNode converged = run(tmp.resolve("plan.json"), "plan", "--detailed-exitcode", "estate");
        assertEquals(9, converged.size(), converged.toString());
        converged.forEach(n -> assertEquals(1, n.asInt(), "one round trip per host: " + converged));
        JsonNode baseline = run(tmp.resolve("baseline.json"), "plan", "--one-command-per-resource", "--parallelism", "10", "estate");
        assertEquals(7, baseline.path("ns0").asInt(), "the NS holds 7 resources, read one by one: " + baseline);
        assertEquals(1, baseline.path("fw0").asInt(), baseline.toString());
    }
}

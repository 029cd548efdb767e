package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A resource target named by its GUID is adopted as it is, and forgotten — not deleted — when it leaves the YAML. */
class TargetByGuidTest {

    @TempDir
    Path tmp;

    @Test
    void adoptedByGuid() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("site"));
        String head = "version: 1\nhosts:\n  ns1: {address: smp.example.net, os: windows, lab: true}\nresources:\n"
                + "  - {type: resource_target, name: laptops, host: ns1, filters: [{type: resourceCollection, operation: union, ref: All Windows Computers}]}\n";
        Files.writeString(site.resolve("estate.yaml"), head);
        assertEquals(0, CliRun.run(Map.of(), tmp, "apply", "--auto-approve", "site").exitCode());
        String guid = new ObjectMapper().readTree(site.resolve(".cem/lab/ns1.json").toFile()).at("/ns/targets/laptops/guid").asText();
        // From now on the target is someone else's: cem forgets it, then adopts it by GUID.
        assertEquals(0, CliRun.run(Map.of(), tmp, "state", "rm", "-d", "site", "resource_target.laptops").exitCode());
        String base = "version: 1\nhosts:\n  ns1: {address: smp.example.net, os: windows, lab: true}\n";
        Files.writeString(site.resolve("estate.yaml"), base + "resources:\n  - {type: resource_target, name: existing, host: ns1, guid: \"{"
                + guid + "}\"}\n");
        CliRun plan = CliRun.run(Map.of(), tmp, "plan", "site");
        assertTrue(plan.out().contains("resource_target.existing will be adopted\n"),
                plan.out() + plan.err());
        assertEquals(0, CliRun.run(Map.of(), tmp, "apply", "--auto-approve", "site").exitCode());
        assertEquals(0, CliRun.run(Map.of(), tmp, "plan", "--detailed-exitcode", "site").exitCode());
        Files.writeString(site.resolve("estate.yaml"), base + "resources: []\n");
        CliRun leaving = CliRun.run(Map.of(), tmp, "plan", "site");
        assertTrue(leaving.out().contains("resource_target.existing will be removed from the cem state but will not be destroyed"),
                "the plan says what apply does: " + leaving.out());
        assertTrue(leaving.out().contains("0 to destroy"), leaving.out());
        CliRun forget = CliRun.run(Map.of(), tmp, "apply", "--auto-approve", "site");
        assertEquals(0, forget.exitCode(), forget.err());
        assertTrue(Files.readString(site.resolve(".cem/lab/ns1.json")).contains(guid), "forgotten, not deleted");
        assertEquals(0, CliRun.run(Map.of(), tmp, "plan", "--detailed-exitcode", "site").exitCode());
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.state.StateCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real {@code cem} processes: killed mid-apply, and racing for the state lock. */
class ProcessSafetyTest {

    @TempDir
    Path tmp;

    /** Thirty firewall rules on ten hosts, each depending on the one before on its host: many levels to kill in. */
    private Estate bigEstate() {
        Estate estate = new Estate(tmp);
        StringBuilder yaml = new StringBuilder("version: 1\nhosts:\n");
        for (int h = 0; h < 10; h++) {
            yaml.append("  h").append(h).append(": {address: 192.0.2.").append(h + 1).append(", os: windows}\n");
        }
        yaml.append("resources:\n");
        for (int h = 0; h < 10; h++) {
            for (int i = 0; i < 3; i++) {
                yaml.append("  - {type: windows_firewall_rule, name: r").append(h).append('-').append(i).append(", host: h").append(h)
                        .append(", direction: inbound, action: allow, localPorts: [").append(1000 + i).append("]");
                if (i > 0) {
                    yaml.append(", dependsOn: [windows_firewall_rule.r").append(h).append('-').append(i - 1).append("]");
                }
                yaml.append("}\n");
            }
        }
        estate.write(yaml.toString());
        return estate;
    }

    private Process start(Estate estate, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "cem.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
        pb.environment().putAll(estate.env());
        pb.redirectErrorStream(true);
        pb.redirectOutput(tmp.resolve("out-" + System.nanoTime() + ".log").toFile());
        return pb.start();
    }

    private static String output(Process p, Path dir) throws IOException {
        // the newest log belongs to the newest process
        try (var files = Files.list(dir)) {
            Path newest = files.filter(f -> f.getFileName().toString().startsWith("out-")).max(Path::compareTo).orElseThrow();
            return Files.readString(newest, StandardCharsets.UTF_8);
        }
    }

    @Test
    @Timeout(300)
    void killedAtAnyPointTheStateStaysValidAndTheNextApplyConverges() throws Exception {
        Estate estate = bigEstate();
        estate.world.setControl("{\"latencyMs\": 40}");
        Random random = new Random(7);
        int kills = 8;
        int survived = 0;
        for (int k = 0; k < kills; k++) {
            estate.cem("destroy", "--auto-approve", "site");
            Process p = start(estate, "apply", "--auto-approve", "site");
            Thread.sleep(400 + random.nextInt(900));
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            Path state = estate.config.resolve(".cem/state.json");
            if (Files.exists(state)) {
                new cem.state.LocalStateStore(estate.config.resolve(".cem"), null).read(); // throws when torn
            }
            CliRun blocked = estate.cem("plan", "site");
            if (blocked.exitCode() == 1 && blocked.err().contains("State is locked")) {
                assertTrue(blocked.err().contains("no longer running"), blocked.err());
                Matcher m = Pattern.compile("force-unlock ([0-9a-f-]+)").matcher(blocked.err());
                assertTrue(m.find(), blocked.err());
                assertEquals(0, estate.cem("force-unlock", "-d", "site", m.group(1)).exitCode());
            }
            CliRun converge = estate.cem("apply", "--auto-approve", "site");
            assertEquals(0, converge.exitCode(), converge.err());
            CliRun after = estate.cem("plan", "--detailed-exitcode", "site");
            assertEquals(0, after.exitCode(), after.out());
            survived++;
        }
        assertEquals(kills, survived);
    }

    @Test
    @Timeout(120)
    void ctrlCFinishesTheBatchesInFlightSavesTheStateAndReleasesTheLock() throws Exception {
        Estate estate = bigEstate();
        estate.world.setControl("{\"latencyMs\": 400}");
        Process p = start(estate, "apply", "--auto-approve", "site");
        Path lock = estate.config.resolve(".cem/state.lock");
        for (int i = 0; i < 100 && !Files.exists(lock); i++) {
            Thread.sleep(100);
        }
        Thread.sleep(900); // into the first levels of the apply
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = output(p, tmp);
        assertEquals(130, p.exitValue(), out);
        assertTrue(out.contains("Interrupt received"), out);
        assertTrue(Files.notExists(lock), "the lock is released");
        var state = new cem.state.LocalStateStore(estate.config.resolve(".cem"), null).read().orElseThrow();
        assertTrue(state.resources().size() > 0 && state.resources().size() < 30, "partly applied: " + state.resources().size());
        estate.world.setControl("{}");
        CliRun rest = estate.cem("plan", "site");
        assertTrue(rest.out().contains((30 - state.resources().size()) + " to add"), rest.out());
        assertEquals(0, estate.cem("apply", "--auto-approve", "site").exitCode());
        assertEquals(0, estate.cem("plan", "--detailed-exitcode", "site").exitCode());
    }

    @Test
    @Timeout(120)
    void aSecondApplyWaitsForTheLockThenNamesTheHolder() throws Exception {
        Estate estate = bigEstate();
        estate.world.setControl("{\"latencyMs\": 300}");
        Process first = start(estate, "apply", "--auto-approve", "site");
        Path lock = estate.config.resolve(".cem/state.lock");
        for (int i = 0; i < 100 && !Files.exists(lock); i++) {
            Thread.sleep(100);
        }
        assertTrue(Files.exists(lock), "the first apply took the lock");
        CliRun second = estate.cem("apply", "--auto-approve", "--lock-timeout", "1s", "site");
        assertEquals(1, second.exitCode());
        assertTrue(second.err().contains("State is locked: ID "), second.err());
        assertTrue(second.err().contains("apply by "), second.err());
        assertTrue(second.err().contains("pid " + first.pid()), second.err());
        assertTrue(second.err().contains("(waited 1s)"), second.err());
        assertEquals(0, first.waitFor(100, TimeUnit.SECONDS) ? first.exitValue() : -1, output(first, tmp));
        assertEquals(0, estate.cem("plan", "--detailed-exitcode", "site").exitCode());
    }

    /**
     * Issue 20, item 3: Ctrl-C (or SIGTERM) at apply's "Enter a value:" prompt left .cem/state.lock
     * behind. A real process on a pseudo-terminal (script(1), so that cem asks), a signal at the
     * prompt: the process ends, and the lock is gone.
     */
    @Test
    @Timeout(120)
    void aSignalAtThePromptReleasesTheLock() throws Exception {
        for (String signal : new String[] {"INT", "TERM"}) {
            Estate estate = new Estate(tmp.resolve(signal));
            estate.write("""
                    version: 1
                    hosts:
                      h1: {address: 192.0.2.1, os: windows}
                    resources:
                      - {type: windows_firewall_rule, name: r, host: h1, direction: inbound, action: allow, localPorts: [443]}
                    """);
            String java = String.join(" ", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), "cem.cli.Main", "apply", "--no-color", "site"));
            ProcessBuilder pb = new ProcessBuilder("script", "-qfec", java, "/dev/null").directory(tmp.resolve(signal).toFile());
            pb.environment().putAll(estate.env());
            pb.redirectErrorStream(true);
            Path log = tmp.resolve(signal + ".log");
            pb.redirectOutput(log.toFile());
            Process script = pb.start(); // its standard input stays open: the prompt waits
            Path lock = estate.config.resolve(".cem/state.lock");
            for (int i = 0; i < 600 && !Files.readString(log).contains("Enter a value:"); i++) {
                Thread.sleep(100);
            }
            assertTrue(Files.readString(log).contains("Enter a value:"), Files.readString(log));
            assertTrue(Files.exists(lock), "apply holds the lock at its prompt");
            ProcessHandle cem = script.descendants().filter(h -> h.info().command().orElse("").endsWith("java")).findFirst().orElseThrow();
            new ProcessBuilder("kill", "-" + signal, Long.toString(cem.pid())).start().waitFor();
            assertTrue(cem.onExit().get(60, TimeUnit.SECONDS) != null);
            script.waitFor(30, TimeUnit.SECONDS);
            assertTrue(Files.notExists(lock), "SIG" + signal + " at the prompt releases the lock:\n" + Files.readString(log));
            assertTrue(Files.readString(log).contains("the state lock was released"), Files.readString(log));
            script.getOutputStream().close();
        }
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import cem.state.LocalStateStore;
import cem.state.ResourceState;
import cem.state.State;
import cem.state.StateException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk and a read-only state directory during a state write (issue 12): the previous state
 * stays intact and the error says so. The state directory is a small tmpfs mounted for the test
 * (root, as in CI); without root the full disk is skipped and a read-only directory is made with
 * permissions.
 */
class StateDiskFaultsTest {

    @TempDir
    Path tmp;

    private Path mounted;

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            run("umount", mounted.toString());
        }
    }

    private static State state(int resources, int size) {
        State s = State.empty("test");
        for (int i = 0; i < resources; i++) {
            var attrs = JsonNodeFactory.instance.objectNode().put("port", 443).put("note", "x".repeat(size));
            s = s.with(new ResourceState("windows_firewall_rule.r" + i, "windows_firewall_rule", "h1", "r" + i, attrs, List.of(), false));
        }
        return s.nextSerial("test");
    }

    @Test
    void aFullDiskLeavesThePreviousStateIntactAndSaysSo() throws Exception {
        assumeTrue(root(), "needs root to mount a small tmpfs (CI runs as root)");
        mounted = Files.createDirectories(tmp.resolve("state"));
        run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mounted.toString());
        LocalStateStore store = new LocalStateStore(mounted, null);
        State small = state(3, 100);
        store.write(small);
        String before = Files.readString(mounted.resolve("state.json"));
        State big = small;
        for (int i = 0; i < 40; i++) {
            var attrs = JsonNodeFactory.instance.objectNode().put("note", "y".repeat(2000));
            big = big.with(new ResourceState("windows_firewall_rule.big" + i, "windows_firewall_rule", "h1", "b" + i, attrs, List.of(), false));
        }
        State next = big.nextSerial("test");
        StateException e = assertThrows(StateException.class, () -> store.write(next));
        assertTrue(e.getMessage().contains("The previous state is intact"), e.getMessage());
        assertTrue(e.hint().contains("Free disk space"), e.hint());
        assertEquals(before, Files.readString(mounted.resolve("state.json")), "state.json is byte for byte what it was");
        assertEquals(small, store.read().orElseThrow());
        try (var files = Files.list(mounted)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains(".tmp-")), "no temporary file is left behind");
        }
        // The journal (a batch of changes) on a full disk: refused the same way.
        State changed = small.with(big.resource("windows_firewall_rule.big0").orElseThrow()).nextSerial("test");
        StateException j = assertThrows(StateException.class, () -> {
            for (int i = 0; i < 200; i++) {
                store.writeChanges(changed, Set.of("windows_firewall_rule.big0"));
            }
        });
        assertTrue(j.getMessage().contains("The state written before is intact"), j.getMessage());
        assertEquals(before, Files.readString(mounted.resolve("state.json")));
    }

    @Test
    void aReadOnlyStateDirectoryLeavesThePreviousStateIntactAndSaysSo() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ro"));
        LocalStateStore store = new LocalStateStore(dir, null);
        State first = state(2, 10);
        store.write(first);
        String before = Files.readString(dir.resolve("state.json"));
        if (root()) {
            mounted = dir;
            run("mount", "--bind", dir.toString(), dir.toString());
            run("mount", "-o", "remount,bind,ro", dir.toString());
        } else {
            dir.toFile().setWritable(false, false);
        }
        try {
            StateException e = assertThrows(StateException.class, () -> store.write(state(4, 10)));
            assertTrue(e.getMessage().contains("The previous state is intact"), e.getMessage());
            assertTrue(e.hint().contains("make the directory writable"), e.hint());
            assertEquals(before, Files.readString(dir.resolve("state.json")));
            assertEquals(first, store.read().orElseThrow());
        } finally {
            dir.toFile().setWritable(true, false);
        }
    }
}

package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.spi.HostTarget;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 24, item 11: an output path from the state (not validated) outside the configuration was deleted with the resource. */
class OfflinePackageTest {

    @TempDir
    Path tmp;

    private static ResourceInstance pkg(String output) {
        return new ResourceInstance("offline_package.p", "offline_package", null,
                JsonNodeFactory.instance.objectNode().put("policy", "default").put("output", output), Map.of());
    }

    @Test
    void aPathOutOfTheConfigurationIsNeverReadWrittenOrDeleted() throws IOException {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Path victim = Files.writeString(tmp.resolve("victim.txt"), "not cem's\n");
        HostTarget host = new HostTarget("ns1", JsonNodeFactory.instance.objectNode(), Map.of(), config);
        ResourceInstance outside = pkg("../victim.txt");
        assertFalse(OfflinePackage.live(outside, host).exists(), "not cem's file: absent, so a plan removes only the state entry");
        OfflinePackage.delete(outside, host);
        assertEquals("not cem's\n", Files.readString(victim));
        IOException write = assertThrows(IOException.class, () -> OfflinePackage.write(outside, host,
                JsonNodeFactory.instance.objectNode().put("package", "UEs=")));
        assertTrue(write.getMessage().contains("leads out of the configuration's directory"), write.getMessage());
        assertEquals("not cem's\n", Files.readString(victim));

        ResourceInstance inside = pkg(".cem/p.zip");
        OfflinePackage.write(inside, host, JsonNodeFactory.instance.objectNode().put("package", "UEs="));
        assertTrue(OfflinePackage.live(inside, host).exists());
        OfflinePackage.delete(inside, host);
        assertFalse(Files.exists(config.resolve(".cem/p.zip")));
    }
}

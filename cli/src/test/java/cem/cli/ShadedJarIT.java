package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runnable jar itself (after shading): WinRM works only when CXF's service files were merged,
 * so this runs {@code java -jar cem.jar lab check}, which talks WinRM and SSH to a lab host.
 */
class ShadedJarIT {

    @Test
    @Timeout(180)
    void theShadedJarTalksWinRmAndSsh() throws Exception {
        Path jar = Path.of("target/cem.jar");
        assertTrue(Files.exists(jar), "the shaded jar is built in the package phase");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "lab", "check", "--commands", "5").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(170, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("winrm (https)"), out);
        assertTrue(out.contains("ssh"), out);
        assertTrue(!out.contains("SLF4J") && !out.contains("org.apache.cxf"), "no library noise: " + out);
    }
}

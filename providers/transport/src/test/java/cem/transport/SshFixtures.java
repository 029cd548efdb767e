package cem.transport;

import cem.spi.ConnectionSpec;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Keys, known_hosts files and connection specs for SSH tests. */
final class SshFixtures {

    private SshFixtures() {}

    /** A fresh key pair made by OpenSSH's ssh-keygen: {@code dir/id_<type>} and {@code .pub} (type ed25519, ecdsa or rsa). */
    static Path keyPair(Path dir, String type) throws IOException, InterruptedException {
        Path key = dir.resolve("id_" + type);
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-N", "", "-C", "cem-test", "-f", key.toString())
                .redirectErrorStream(true).start();
        if (p.waitFor() != 0) {
            throw new IOException("ssh-keygen failed: " + new String(p.getInputStream().readAllBytes()));
        }
        return key;
    }

    static ConnectionSpec spec(Path base, int port, String user, String scheme, Path keyFile, Path knownHosts,
            Map<String, String> secrets, boolean acceptNew) {
        ObjectNode settings = new ObjectMapper().createObjectNode();
        ObjectNode auth = settings.putObject("auth");
        auth.put("scheme", scheme).put("username", user);
        if (keyFile != null) {
            auth.put("keyFile", keyFile.toString());
        }
        settings.putObject("ssh").put("knownHosts", knownHosts.toString());
        return new ConnectionSpec("ig1", "127.0.0.1", port, settings, secrets, base, acceptNew, Duration.ofSeconds(10));
    }

    static Path knownHosts(Path dir, String... lines) throws IOException {
        Path file = dir.resolve("known_hosts");
        Files.writeString(file, lines.length == 0 ? "" : String.join("\n", lines) + "\n");
        return file;
    }
}

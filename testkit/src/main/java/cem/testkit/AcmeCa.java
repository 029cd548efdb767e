package cem.testkit;

import cem.lab.Certificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A real ACME CA on loopback for tests: Let's Encrypt's test CA Pebble (Debian {@code pebble})
 * whose DNS-01 validation resolves through {@code -dnsserver} at a real BIND ({@code bind9})
 * serving the zone {@value #ZONE}, which takes RFC 2136 updates signed with a TSIG key. Pebble's
 * directory is served with a certificate of a test root written to {@link #trustedCaFile()}, for
 * the client to trust explicitly. Pebble validates for real: no {@code PEBBLE_VA_ALWAYS_VALID},
 * no {@code PEBBLE_VA_NOSLEEP} (it waits up to 15 s before each validation), and it remembers no
 * authorization ({@code PEBBLE_AUTHZREUSE=0}), so every issuance is validated through BIND.
 */
public final class AcmeCa implements AutoCloseable {

    public static final String ZONE = "example.com";
    public static final String TSIG_KEY = "cem-acme";
    private static final Path PEBBLE = Path.of("/usr/bin/pebble");
    private static final Path NAMED = Path.of("/usr/sbin/named");

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final String tsigSecret;
    private final int dnsPort;
    private final int acmePort;
    private final int managementPort;

    private AcmeCa(Path dir, String tsigSecret, int dnsPort, int acmePort, int managementPort) {
        this.dir = dir;
        this.tsigSecret = tsigSecret;
        this.dnsPort = dnsPort;
        this.acmePort = acmePort;
        this.managementPort = managementPort;
    }

    /** Why Pebble and BIND cannot run here, or null when they can. */
    public static String unavailable() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(PEBBLE)) {
            missing.add("pebble");
        }
        if (!Files.isExecutable(NAMED)) {
            missing.add("bind9");
        }
        return missing.isEmpty() ? null : String.join(" and ", missing) + " not installed (./run-tests installs them as root: apt-get install "
                + String.join(" ", missing) + ")";
    }

    /** A started CA and DNS server, or the test reported as skipped with the reason. */
    public static AcmeCa startOrSkip() {
        String why = unavailable();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        return start();
    }

    public static AcmeCa start() {
        try {
            Path dir = Files.createTempDirectory("cem-acme-");
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            AcmeCa ca = new AcmeCa(dir, Base64.getEncoder().encodeToString(secret), freePort(), freePort(), freePort());
            ca.startBind();
            ca.startPebble();
            return ca;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory URL. */
    public String directory() {
        return "https://127.0.0.1:" + acmePort + "/dir";
    }

    /** {@code 127.0.0.1:PORT} of the DNS server, for {@code rfc2136.server}. */
    public String dnsServer() {
        return "127.0.0.1:" + dnsPort;
    }

    public String tsigSecret() {
        return tsigSecret;
    }

    /** PEM of the root that Pebble's TLS certificate chains to. */
    public Path trustedCaFile() {
        return dir.resolve("pebble-root.pem");
    }

    /**
     * PEM of the root that Pebble's issued chains end at (Pebble makes it at start and sends only
     * the leaf and the intermediate): from its management interface, {@code /roots/0}.
     */
    public Path issuingRoot() {
        Path file = dir.resolve("pebble-issuing-root.pem");
        try {
            java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trust.load(null, null);
            try (var in = Files.newInputStream(trustedCaFile())) {
                trust.setCertificateEntry("pebble-tls", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            var tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            var answer = java.net.http.HttpClient.newBuilder().sslContext(tls).build().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("https://127.0.0.1:" + managementPort + "/roots/0")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            Files.writeString(file, answer.body(), StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot read Pebble's issuing root", e);
        }
    }

    /** How many orders the CA received ({@code POST /order-plz} in its log). */
    public long orders() {
        try {
            return Files.readAllLines(dir.resolve("pebble.log")).stream().filter(l -> l.contains("/order-plz")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a new ACME account key (RSA 2048, PEM) and returns its file. */
    public Path newAccountKey(Path file) {
        var key = Certificates.selfSigned("CN=acme account").build();
        key.writePem(file, true, false);
        return file;
    }

    private void startBind() throws IOException {
        Files.writeString(dir.resolve("zone.db"), String.join("\n",
                "$TTL 60",
                "@ IN SOA ns." + ZONE + ". admin." + ZONE + ". 1 60 60 600 60",
                "@ IN NS ns." + ZONE + ".",
                "ns IN A 127.0.0.1", ""), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("named.conf"), String.join("\n",
                "options {",
                "  directory \"" + dir + "\";",
                "  pid-file \"" + dir.resolve("named.pid") + "\";",
                "  listen-on port " + dnsPort + " { 127.0.0.1; };",
                "  listen-on-v6 { none; };",
                "  recursion no;",
                "  dnssec-validation no;",
                "  allow-query { any; };",
                "};",
                "controls { };",
                "key \"" + TSIG_KEY + "\" { algorithm hmac-sha256; secret \"" + tsigSecret + "\"; };",
                "zone \"" + ZONE + "\" {",
                "  type primary;",
                "  file \"" + dir.resolve("zone.db") + "\";",
                "  update-policy { grant " + TSIG_KEY + " zonesub TXT; };",
                "};", ""), StandardCharsets.US_ASCII);
        processes.add(new ProcessBuilder(NAMED.toString(), "-g", "-c", dir.resolve("named.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("named.log").toFile()).start());
        waitForTcp(dnsPort, "named", dir.resolve("named.log"));
    }

    private void startPebble() throws IOException {
        var root = Certificates.rootCa("CN=cem test root for Pebble (tests only)");
        Files.writeString(trustedCaFile(), root.certificatePem(), StandardCharsets.US_ASCII);
        var tls = root.issue("CN=127.0.0.1").dns("localhost").ip("127.0.0.1").build();
        tls.writePem(dir.resolve("pebble-cert.pem"), false, true);
        tls.writePem(dir.resolve("pebble-key.pem"), true, false);
        Files.writeString(dir.resolve("pebble.json"), "{\"pebble\": {"
                + "\"listenAddress\": \"127.0.0.1:" + acmePort + "\", \"managementListenAddress\": \"127.0.0.1:" + managementPort + "\","
                + "\"certificate\": \"" + dir.resolve("pebble-cert.pem") + "\", \"privateKey\": \"" + dir.resolve("pebble-key.pem") + "\","
                + "\"httpPort\": " + freePort() + ", \"tlsPort\": " + freePort() + ", \"ocspResponderURL\": \"\","
                + "\"externalAccountBindingRequired\": false, \"certificateValidityPeriod\": 7776000}}", StandardCharsets.US_ASCII);
        ProcessBuilder pb = new ProcessBuilder(PEBBLE.toString(), "-config", dir.resolve("pebble.json").toString(), "-dnsserver", dnsServer())
                .redirectErrorStream(true).redirectOutput(dir.resolve("pebble.log").toFile());
        pb.environment().remove("PEBBLE_VA_ALWAYS_VALID");
        pb.environment().remove("PEBBLE_VA_NOSLEEP");
        pb.environment().put("PEBBLE_AUTHZREUSE", "0");
        pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0"); // acme4j retries a bad nonce, but the test need not spend the time
        processes.add(pb.start());
        waitForTcp(acmePort, "pebble", dir.resolve("pebble.log"));
    }

    /** The CA's and the DNS server's logs, for a failing test's message. */
    public String logs() {
        StringBuilder out = new StringBuilder();
        for (String log : List.of("pebble.log", "named.log")) {
            try {
                out.append("--- ").append(log).append('\n').append(Files.readString(dir.resolve(log)));
            } catch (IOException e) {
                out.append("--- ").append(log).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return out.toString();
    }

    private void waitForTcp(int port, String what, Path log) throws IOException {
        Instant until = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(until)) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!processes.get(processes.size() - 1).isAlive()) {
                    break;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        close();
        throw new IOException(what + " did not start: " + Files.readString(log));
    }

    private static int freePort() throws IOException {
        while (true) {
            try (ServerSocket tcp = new ServerSocket(0)) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(port)) {
                    return port;
                } catch (IOException e) {
                    // taken for UDP: try another
                }
            }
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }
}

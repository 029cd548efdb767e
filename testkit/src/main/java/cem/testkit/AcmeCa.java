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
 *
 * <p>For the DNS setups beyond one server: BIND also serves {@value #DELEGATION_ZONE}, where the
 * CNAME at {@code _acme-challenge.}{@value #DELEGATED_NAME} points (as a zone that takes no TSIG
 * update delegates its challenges); {@link #secondary(boolean)} starts a secondary of
 * {@value #ZONE} that the primary notifies of each update, or one it does not; and
 * {@link #startWithEab()} starts a Pebble that requires External Account Binding.
 */
public final class AcmeCa implements AutoCloseable {

    public static final String ZONE = "example.com";
    public static final String TSIG_KEY = "cem-acme";
    /** A name whose {@code _acme-challenge} is a CNAME into {@link #DELEGATION_ZONE}. */
    public static final String DELEGATED_NAME = "delegated." + ZONE;
    /** The zone that takes the delegated challenge records. */
    public static final String DELEGATION_ZONE = "challenges.example.net";
    /** The key identifier of the External Account Binding that {@link #startWithEab()} requires. */
    public static final String EAB_KEY_ID = "cem-eab";
    private static final Path PEBBLE = Path.of("/usr/bin/pebble");
    private static final Path NAMED = Path.of("/usr/sbin/named");

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final String tsigSecret;
    private final int dnsPort;
    private final int acmePort;
    private final int managementPort;
    /** The port of the secondary the primary notifies (started on demand). */
    private final int notifiedPort;
    /** The External Account Binding's MAC key (base64url), or null when Pebble requires none. */
    private final String eabHmacKey;

    private AcmeCa(Path dir, String tsigSecret, int dnsPort, int acmePort, int managementPort, int notifiedPort, String eabHmacKey) {
        this.dir = dir;
        this.tsigSecret = tsigSecret;
        this.dnsPort = dnsPort;
        this.acmePort = acmePort;
        this.managementPort = managementPort;
        this.notifiedPort = notifiedPort;
        this.eabHmacKey = eabHmacKey;
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
        return start(false);
    }

    /** A started CA that registers an account only with External Account Binding ({@link #EAB_KEY_ID}, {@link #eabHmacKey()}), or the test skipped. */
    public static AcmeCa startWithEab() {
        String why = unavailable();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        return start(true);
    }

    private static AcmeCa start(boolean eab) {
        try {
            Path dir = Files.createTempDirectory("cem-acme-");
            AcmeCa ca = new AcmeCa(dir, Base64.getEncoder().encodeToString(random()), freePort(), freePort(), freePort(), freePort(),
                    eab ? Base64.getUrlEncoder().withoutPadding().encodeToString(random()) : null);
            ca.startBind();
            ca.startPebble();
            return ca;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] random() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    /** The External Account Binding's MAC key, base64url (as CAs hand it out). */
    public String eabHmacKey() {
        return eabHmacKey;
    }

    /**
     * Starts a secondary of {@value #ZONE} on loopback that logs every query it answers. The
     * primary notifies one secondary of each update (so it transfers the change at once); any
     * other it does not, and it keeps the zone as it was at start (BIND refreshes no sooner than
     * its min-refresh-time, 300 s by default: BIND 9 reference manual, min-refresh-time).
     *
     * @return {@code 127.0.0.1:PORT} of the secondary
     */
    public String secondary(boolean notified) {
        try {
            int port = notified ? notifiedPort : freePort();
            Path conf = dir.resolve("secondary-" + port + ".conf");
            Files.writeString(conf, String.join("\n",
                    "options {",
                    "  directory \"" + dir + "\";",
                    "  pid-file \"" + dir.resolve("secondary-" + port + ".pid") + "\";",
                    "  listen-on port " + port + " { 127.0.0.1; };",
                    "  listen-on-v6 { none; };",
                    "  recursion no;",
                    "  dnssec-validation no;",
                    "  allow-query { any; };",
                    "  allow-notify { 127.0.0.1; };",
                    "  querylog yes;",
                    "};",
                    "controls { };",
                    "zone \"" + ZONE + "\" {",
                    "  type secondary;",
                    "  primaries { 127.0.0.1 port " + dnsPort + "; };",
                    "  file \"" + dir.resolve("secondary-" + port + ".db") + "\";",
                    "};", ""), StandardCharsets.US_ASCII);
            processes.add(new ProcessBuilder(NAMED.toString(), "-g", "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(secondaryLog("127.0.0.1:" + port).toFile()).start());
            waitForTcp(port, "named (secondary)", secondaryLog("127.0.0.1:" + port));
            waitForZone(port);
            return "127.0.0.1:" + port;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The log of the secondary at {@code server}: its queries ({@code query: NAME IN TXT}) and transfers. */
    public Path secondaryLog(String server) {
        return dir.resolve("secondary-" + server.substring(server.lastIndexOf(':') + 1) + ".log");
    }

    /** Waits until the secondary has transferred the zone at start (it answers SERVFAIL before). */
    private void waitForZone(int port) throws IOException {
        Instant until = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(until)) {
            if (Files.readString(secondaryLog("127.0.0.1:" + port)).contains("transfer of '" + ZONE + "/IN' from 127.0.0.1#" + dnsPort + ": Transfer completed")) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IOException("the secondary did not transfer " + ZONE + ": " + Files.readString(secondaryLog("127.0.0.1:" + port)));
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
                "ns IN A 127.0.0.1",
                "_acme-challenge.delegated IN CNAME delegated." + DELEGATION_ZONE + ".", ""), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("delegation.db"), String.join("\n",
                "$TTL 60",
                "@ IN SOA ns." + ZONE + ". admin." + ZONE + ". 1 60 60 600 60",
                "@ IN NS ns." + ZONE + ".", ""), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("named.conf"), String.join("\n",
                "options {",
                "  directory \"" + dir + "\";",
                "  pid-file \"" + dir.resolve("named.pid") + "\";",
                "  listen-on port " + dnsPort + " { 127.0.0.1; };",
                "  listen-on-v6 { none; };",
                // Pebble asks this server as its resolver: with recursion it follows a CNAME into the other zone it serves,
                // as a CA's resolver does (an authoritative-only answer stops at the zone's edge).
                "  recursion yes;",
                "  allow-recursion { 127.0.0.1; };",
                "  dnssec-validation no;",
                "  allow-query { any; };",
                "  allow-transfer { 127.0.0.1; };",
                "  notify explicit;",
                "  also-notify { 127.0.0.1 port " + notifiedPort + "; };",
                "};",
                "controls { };",
                "key \"" + TSIG_KEY + "\" { algorithm hmac-sha256; secret \"" + tsigSecret + "\"; };",
                "zone \"" + ZONE + "\" {",
                "  type primary;",
                "  file \"" + dir.resolve("zone.db") + "\";",
                "  update-policy { grant " + TSIG_KEY + " zonesub TXT; };",
                "};",
                "zone \"" + DELEGATION_ZONE + "\" {",
                "  type primary;",
                "  file \"" + dir.resolve("delegation.db") + "\";",
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
                + (eabHmacKey == null ? "\"externalAccountBindingRequired\": false,"
                        : "\"externalAccountBindingRequired\": true, \"externalAccountMACKeys\": {\"" + EAB_KEY_ID + "\": \"" + eabHmacKey + "\"},")
                + " \"certificateValidityPeriod\": 7776000}}", StandardCharsets.US_ASCII);
        ProcessBuilder pb = new ProcessBuilder(PEBBLE.toString(), "-config", dir.resolve("pebble.json").toString(), "-dnsserver", dnsServer())
                .redirectErrorStream(true).redirectOutput(dir.resolve("pebble.log").toFile());
        pb.environment().remove("PEBBLE_VA_ALWAYS_VALID");
        pb.environment().remove("PEBBLE_VA_NOSLEEP");
        pb.environment().put("PEBBLE_AUTHZREUSE", "0");
        pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0"); // acme4j retries a bad nonce, but the test need not spend the time
        processes.add(pb.start());
        waitForTcp(acmePort, "pebble", dir.resolve("pebble.log"));
    }

    /** What Pebble logged: its requests, and the DNS-01 records it looked up. */
    public String pebbleLog() {
        try {
            return Files.readString(dir.resolve("pebble.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

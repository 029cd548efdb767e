package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cem.cli.Finding.Status;
import cem.cli.Finding.Symptom;
import cem.lab.Certificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The doctor's network checks against real TLS servers on loopback, each presenting a generated
 * certificate with one defect: every check is seen passing and failing.
 */
class NetworkChecksTest {

    private static final Certificates.Issued ROOT = Certificates.rootCa("CN=doctor test root");
    private static final Certificates.Issued INTERMEDIATE = ROOT.issue("CN=doctor test intermediate").ca().eku().build();
    private final NetworkChecks net = new NetworkChecks(Duration.ofSeconds(3), Instant.now(), null);
    private final java.util.List<SSLServerSocket> servers = new java.util.ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (SSLServerSocket s : servers) {
            s.close();
        }
    }

    /** A TLS server on 127.0.0.1 presenting {@code cert}; returns its port. */
    private int serve(Certificates.Issued cert) throws IOException {
        SSLServerSocket server = (SSLServerSocket) cert.serverContext().getServerSocketFactory().createServerSocket(0, 8,
                InetAddress.getLoopbackAddress());
        servers.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.startHandshake();
                } catch (IOException e) {
                    // the client hung up after looking: expected
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    private Map<String, Status> tls(Certificates.Issued cert, String name, String expectedThumbprint) throws IOException {
        int port = serve(cert);
        Map<String, Status> out = new LinkedHashMap<>();
        for (Finding f : net.tls(Symptom.IIS_403, "iis_binding.x", name, "127.0.0.1", port, expectedThumbprint, 30, List.of(ROOT.certificate()))) {
            out.put(f.check(), f.status());
        }
        return out;
    }

    private static Certificates.Builder leaf() {
        return INTERMEDIATE.issue("CN=gateway.example.com").dns("gateway.example.com");
    }

    @Test
    void aGoodCertificatePassesEveryCheck() throws IOException {
        Certificates.Issued good = leaf().build();
        Map<String, Status> r = tls(good, "gateway.example.com", NetworkChecks.thumbprint(good.certificate()));
        assertEquals(Map.of("tls.certificate", Status.OK, "tls.name", Status.OK, "tls.eku", Status.OK, "tls.chain", Status.OK,
                "tls.expiry", Status.OK, "tls.revocation", Status.SKIP), r);
    }

    @Test
    void eachDefectFailsItsOwnCheck() throws IOException {
        Certificates.Issued good = leaf().build();
        assertEquals(Status.FAIL, tls(good, "gateway.example.com", "00AA").get("tls.certificate"), "another certificate than configured");
        assertEquals(Status.FAIL, tls(good, "other.example.com", null).get("tls.name"), "wrong name");
        assertEquals(Status.FAIL, tls(leaf().eku(KeyPurposeId.id_kp_clientAuth).build(), "gateway.example.com", null).get("tls.eku"),
                "no Server Authentication");
        assertEquals(Status.FAIL, tls(leaf().validity(Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2021-01-01T00:00:00Z")).build(),
                "gateway.example.com", null).get("tls.expiry"), "expired");
        assertEquals(Status.WARN, tls(leaf().validity(Instant.parse("2020-01-01T00:00:00Z"), Instant.now().plus(Duration.ofDays(10))).build(),
                "gateway.example.com", null).get("tls.expiry"), "expires within minDaysValid");
        assertEquals(Status.FAIL, tls(Certificates.selfSigned("CN=gateway.example.com").dns("gateway.example.com").build(),
                "gateway.example.com", null).get("tls.chain"), "self-signed");
        Certificates.Issued full = leaf().build();
        Certificates.Issued leafOnly = new Certificates.Issued(full.certificate(), full.keys(), List.<X509Certificate>of());
        assertEquals(Status.FAIL, tls(leafOnly, "gateway.example.com", null).get("tls.chain"), "the intermediate is not sent");
    }

    @Test
    void dnsAndTcpPassAndFail() throws IOException {
        assertEquals(Status.OK, net.dns(Symptom.IG_NOT_ONLINE, "g", "localhost").finding().status());
        assertEquals(Status.FAIL, net.dns(Symptom.IG_NOT_ONLINE, "g", "no-such-gateway.invalid").finding().status());
        int port = serve(leaf().build());
        assertEquals(Status.OK, net.tcp(Symptom.IG_NOT_ONLINE, "g", "127.0.0.1", port).status());
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertEquals(Status.FAIL, net.tcp(Symptom.IG_NOT_ONLINE, "g", "127.0.0.1", closed).status());
        assertEquals(Status.FAIL, net.tls(Symptom.IIS_403, "b", "x", "127.0.0.1", closed, null, 30, List.of()).get(0).status(),
                "no handshake where nothing listens");
    }

    @Test
    void revocationIsReadFromTheCrlTheCertificateNames() throws Exception {
        Certificates.Issued ca = Certificates.rootCa("CN=doctor CRL CA");
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/ca.crl";
        Certificates.Issued revoked = ca.issue("CN=gateway.example.com").dns("gateway.example.com").crl(url).build();
        Certificates.Issued fine = ca.issue("CN=gateway.example.com").dns("gateway.example.com").crl(url).build();
        byte[] crl = ca.crl(List.of(revoked.certificate()));
        http.createContext("/ca.crl", exchange -> {
            exchange.sendResponseHeaders(200, crl.length);
            exchange.getResponseBody().write(crl);
            exchange.close();
        });
        http.start();
        try {
            assertEquals(Status.FAIL, net.revocation("g", revoked.certificate(), ca.certificate()).status(), "on the CRL");
            assertEquals(Status.OK, net.revocation("g", fine.certificate(), ca.certificate()).status(), "not on the CRL");
            assertEquals(Status.SKIP, net.revocation("g", leaf().build().certificate(), null).status(), "no distribution point");
            Certificates.Issued other = Certificates.rootCa("CN=an impostor");
            assertEquals(Status.SKIP, net.revocation("g", fine.certificate(), other.certificate()).status(), "a CRL not signed by the issuer is not believed");
        } finally {
            http.stop(0);
        }
        assertEquals(Status.SKIP, net.revocation("g", fine.certificate(), ca.certificate()).status(), "the CRL cannot be fetched");
    }

    /** A DNS server on loopback (UDP) that knows one name: the doctor asks it instead of the system's resolver. */
    @Test
    void aNamedResolverIsAskedInsteadOfTheSystemOne() throws Exception {
        try (java.net.DatagramSocket dns = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> answer(dns, "gateway.example.com", new byte[] {127, 0, 0, 1}));
            server.setDaemon(true);
            server.start();
            NetworkChecks viaResolver = new NetworkChecks(Duration.ofSeconds(3), Instant.now(), "127.0.0.1:" + dns.getLocalPort());
            NetworkChecks.Resolved known = viaResolver.dns(Symptom.IG_NOT_ONLINE, "g", "gateway.example.com");
            assertEquals(Status.OK, known.finding().status(), known.finding().evidence());
            assertEquals("127.0.0.1", known.address());
            assertEquals(Status.FAIL, viaResolver.dns(Symptom.IG_NOT_ONLINE, "g", "unknown.example.com").finding().status());
        }
    }

    /** Answers A queries for {@code name} with {@code address}, NXDOMAIN for any other name, until the socket closes. */
    private static void answer(java.net.DatagramSocket socket, String name, byte[] address) {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                java.net.DatagramPacket q = new java.net.DatagramPacket(buffer, buffer.length);
                socket.receive(q);
                byte[] in = java.util.Arrays.copyOf(q.getData(), q.getLength());
                StringBuilder asked = new StringBuilder();
                int i = 12;
                while (in[i] != 0) {
                    int len = in[i];
                    asked.append(asked.length() == 0 ? "" : ".").append(new String(in, i + 1, len, java.nio.charset.StandardCharsets.US_ASCII));
                    i += len + 1;
                }
                int qtype = ((in[i + 1] & 0xff) << 8) | (in[i + 2] & 0xff);
                int questionEnd = i + 5;
                boolean known = asked.toString().equalsIgnoreCase(name);
                boolean withAnswer = known && qtype != 28;
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                out.write(in, 0, 2);
                out.write(new byte[] {(byte) 0x81, (byte) (known ? 0x80 : 0x83), 0, 1, 0, (byte) (withAnswer ? 1 : 0), 0, 0, 0, 0});
                out.write(in, 12, questionEnd - 12);
                if (withAnswer) {
                    out.write(new byte[] {(byte) 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4});
                    out.write(address);
                }
                byte[] reply = out.toByteArray();
                socket.send(new java.net.DatagramPacket(reply, reply.length, q.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }
}

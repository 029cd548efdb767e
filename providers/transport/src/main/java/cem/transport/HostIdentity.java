package cem.transport;

import cem.spi.ConnectionSpec;
import cem.spi.FailureKind;
import cem.spi.TransportException;
import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.UserInfo;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;

/**
 * What {@code cem trust HOST} shows: the identity a host presents (an SSH host key, or the TLS
 * certificate of its WinRM listener), fetched without trusting it and without sending any
 * credential, so that an administrator can compare it with the real one before recording it.
 */
public final class HostIdentity {

    private HostIdentity() {}

    /** An SSH host key. */
    public record SshKey(String knownHostsName, String type, String base64, String fingerprint) {
        public String knownHostsLine() {
            return knownHostsName + " " + type + " " + base64;
        }
    }

    public static SshKey sshKey(ConnectionSpec spec) throws TransportException {
        int port = spec.port() > 0 ? spec.port() : 22;
        String[] seen = new String[2];
        byte[][] key = new byte[1][];
        JSch jsch = new JSch();
        jsch.setHostKeyRepository(new Capture(seen, key));
        try {
            Session session = jsch.getSession("cem-trust", spec.address(), port);
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setUserInfo(new UserInfo() {
                @Override public String getPassphrase() { return null; }
                @Override public String getPassword() { return null; }
                @Override public boolean promptPassword(String m) { return false; }
                @Override public boolean promptPassphrase(String m) { return false; }
                @Override public boolean promptYesNo(String m) { return false; }
                @Override public void showMessage(String m) { }
            });
            session.connect((int) spec.connectTimeout().toMillis());
            session.disconnect();
        } catch (JSchException e) {
            if (key[0] == null) {
                throw new TransportException(FailureKind.UNREACHABLE, spec.host(), "Cannot reach SSH on " + spec.host() + " ("
                        + spec.address() + ":" + port + "): " + e.getMessage(), "Check the address and port.", e);
            }
        }
        try {
            HostKey hk = SshTransport.hostKey(seen[0], key[0]);
            String fingerprint = "SHA256:" + Base64.getEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(key[0]));
            return new SshKey(port == 22 ? spec.address() : "[" + spec.address() + "]:" + port, hk.getType(),
                    Base64.getEncoder().encodeToString(key[0]), fingerprint);
        } catch (JSchException | NoSuchAlgorithmException e) {
            throw new TransportException(FailureKind.TRUST, spec.host(), "Unreadable host key from " + spec.host(), "Check the host's sshd.", e);
        }
    }

    /** Appends a host key to the host's known_hosts file. */
    public static Path record(ConnectionSpec spec, SshKey key) throws IOException {
        Path file = SshTransport.knownHosts(spec);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, key.knownHostsLine() + System.lineSeparator(), java.nio.charset.StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return file;
    }

    /** The certificate a WinRM HTTPS listener presents, read without trusting it (nothing is sent but the handshake). */
    public static X509Certificate tlsCertificate(ConnectionSpec spec) throws TransportException {
        int port = spec.port() > 0 ? spec.port() : 5986;
        X509Certificate[] seen = new X509Certificate[1];
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new X509TrustManager[] {new X509TrustManager() {
                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    seen[0] = chain[0]; // shown to the user, never trusted by this context
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    throw new CertificateException("cem is a TLS client here; it never accepts client certificates");
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress(spec.address(), port), (int) spec.connectTimeout().toMillis());
                socket.startHandshake();
            }
        } catch (IOException | java.security.GeneralSecurityException e) {
            if (seen[0] == null) {
                throw new TransportException(FailureKind.UNREACHABLE, spec.host(), "Cannot read the TLS certificate of " + spec.host()
                        + " (" + spec.address() + ":" + port + "): " + e.getMessage(), "Check that WinRM over HTTPS listens there.", e);
            }
        }
        return seen[0];
    }

    public static String sha256(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Remembers the key a server offers and trusts nothing. */
    private record Capture(String[] seen, byte[][] key) implements HostKeyRepository {
        @Override
        public int check(String host, byte[] k) {
            seen[0] = host;
            key[0] = k.clone();
            return NOT_INCLUDED;
        }

        @Override
        public void add(HostKey hostkey, UserInfo ui) {
            // never recorded here
        }

        @Override
        public void remove(String host, String type) {
        }

        @Override
        public void remove(String host, String type, byte[] k) {
        }

        @Override
        public String getKnownHostsRepositoryID() {
            return "cem-trust";
        }

        @Override
        public HostKey[] getHostKey() {
            return new HostKey[0];
        }

        @Override
        public HostKey[] getHostKey(String host, String type) {
            return new HostKey[0];
        }
    }
}

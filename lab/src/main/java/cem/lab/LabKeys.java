package cem.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * The lab hosts' machine key store: the private key of every certificate imported into a lab host
 * is kept under {@code keys/THUMBPRINT.p12}, encrypted with a random password kept beside them
 * (owner-only), as Windows keeps keys for LocalMachine\My. From them the lab serves TLS on
 * loopback for its gateways and HTTPS bindings, so that network checks see real handshakes.
 * Never import a real key into the lab.
 */
final class LabKeys implements AutoCloseable {

    private final Path dir;
    private final Map<String, Listener> listeners = new ConcurrentHashMap<>();

    LabKeys(Path labDirectory) {
        this.dir = labDirectory.resolve("keys");
    }

    /** Keeps the key of an imported certificate. */
    static synchronized void keep(Path labDirectory, String thumbprint, Key key, Certificate[] chain) {
        Path keys = labDirectory.resolve("keys");
        Path file = keys.resolve(thumbprint.toUpperCase(java.util.Locale.ROOT) + ".p12");
        if (Files.isRegularFile(file)) {
            // A thumbprint names one certificate and so one key pair: the 500 NS of a benchmark import the same PFX,
            // and writing its PKCS#12 (a PBKDF2 run) again each time was a third of the lab's CPU.
            return;
        }
        try {
            Files.createDirectories(keys);
            char[] password = password(keys);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", key, password, chain);
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
            ownerOnly(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS listener on 127.0.0.1 presenting this certificate, started on first use; empty when its key is not kept. */
    Optional<InetSocketAddress> serve(String thumbprint) {
        String t = thumbprint.toUpperCase(java.util.Locale.ROOT);
        Path file = dir.resolve(t + ".p12");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Listener l = listeners.computeIfAbsent(t, k -> new Listener(context(file)));
        return Optional.of(l.address());
    }

    private SSLContext context(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            char[] password = password(dir);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized char[] password(Path keys) throws IOException {
        Path file = keys.resolve(".password");
        if (!Files.isRegularFile(file)) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            Path temp = keys.resolve(".password.tmp-" + ProcessHandle.current().pid());
            Files.writeString(temp, Base64.getEncoder().encodeToString(random));
            ownerOnly(temp);
            try {
                Files.move(temp, file); // the first process to write it wins; the others read its password
            } catch (java.nio.file.FileAlreadyExistsException e) {
                Files.deleteIfExists(temp);
            }
        }
        return Files.readString(file).trim().toCharArray();
    }

    private static void ownerOnly(Path file) throws IOException {
        cem.state.OwnerOnly.restrict(file);
    }

    @Override
    public void close() {
        listeners.values().forEach(Listener::close);
        listeners.clear();
    }

    private static final java.util.concurrent.ExecutorService HANDSHAKES = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cem-lab-tls");
        t.setDaemon(true);
        return t;
    });

    /** Accepts connections and completes a TLS handshake on each, as a web server or a gateway would. */
    private static final class Listener {
        private final SSLServerSocket socket;

        Listener(SSLContext context) {
            try {
                socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread accept = new Thread(this::run, "cem-lab-tls-" + socket.getLocalPort());
            accept.setDaemon(true);
            accept.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort());
        }

        private void run() {
            while (!socket.isClosed()) {
                try {
                    SSLSocket s = (SSLSocket) socket.accept();
                    // Each connection on its own thread: many hosts may present the same certificate (one listener), and a
                    // fleet's doctor or gate connects to all of them at once.
                    HANDSHAKES.execute(() -> {
                        try (s) {
                            s.setSoTimeout(5000);
                            s.startHandshake();
                        } catch (IOException e) {
                            // a client that only connects (a TCP check) or gives up
                        }
                    });
                } catch (IOException e) {
                    // the listener is closing
                }
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a listener cannot fail in a way that matters
            }
        }
    }
}

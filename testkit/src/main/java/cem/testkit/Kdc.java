package cem.testkit;

import cem.lab.Certificates;
import cem.lab.CommandShell;
import cem.lab.Faults;
import cem.lab.KerberosAcceptor;
import cem.lab.LabWinRmServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real MIT Kerberos KDC for tests: its own realm, database and configuration in a directory,
 * on 127.0.0.1 and a free port (TCP and UDP), stopped on {@link #close()}. Principals are added
 * with {@code kadmin.local}, service keys exported to keytabs, and users get tickets with the
 * real {@code kinit} into a FILE: cache, as on an administrator's workstation. Nothing outside
 * the directory is read or written: every tool runs with {@code KRB5_CONFIG} and
 * {@code KRB5_KDC_PROFILE} set to its files.
 */
public final class Kdc implements AutoCloseable {

    private static final String[] TOOLS = {"/usr/sbin/krb5kdc", "/usr/sbin/kdb5_util", "/usr/sbin/kadmin.local", "/usr/bin/kinit"};

    private final Path dir;
    private final String realm;
    private final int port;
    private Process kdc;

    private Kdc(Path dir, String realm, int port) {
        this.dir = dir;
        this.realm = realm;
        this.port = port;
    }

    /** Why a KDC cannot run here, or null when it can. */
    public static String unavailable() {
        for (String tool : TOOLS) {
            if (!Files.isExecutable(Path.of(tool))) {
                return "MIT Kerberos is not installed (" + tool + " missing; ./run-tests installs it: apt-get install krb5-kdc "
                        + "krb5-admin-server krb5-user)";
            }
        }
        return null;
    }

    /** A started KDC of {@code realm}, or the test reported as skipped with the reason. */
    public static Kdc startOrSkip(Path dir, String realm) {
        String why = unavailable();
        org.junit.jupiter.api.Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
        return start(dir, realm);
    }

    public static Kdc start(Path dir, String realm) {
        try {
            Files.createDirectories(dir);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Kdc k = new Kdc(dir, realm, port);
            Files.writeString(k.krb5Conf(), """
                    [libdefaults]
                      default_realm = %1$s
                      dns_lookup_realm = false
                      dns_lookup_kdc = false
                      rdns = false
                      dns_canonicalize_hostname = false
                      udp_preference_limit = 1
                      forwardable = true
                    [realms]
                      %1$s = {
                        kdc = 127.0.0.1:%2$d
                      }
                    [domain_realm]
                      localhost = %1$s
                    """.formatted(realm, port));
            Files.writeString(dir.resolve("kdc.conf"), """
                    [kdcdefaults]
                      kdc_ports = %2$d
                      kdc_tcp_ports = %2$d
                    [realms]
                      %1$s = {
                        database_name = %3$s/principal
                        key_stash_file = %3$s/stash
                        acl_file = %3$s/kadm5.acl
                        max_life = 1h
                      }
                    [logging]
                      kdc = FILE:%3$s/kdc.log
                    """.formatted(realm, port, dir));
            k.must(List.of("/usr/sbin/kdb5_util", "create", "-s", "-r", realm, "-P", "kdc-master-" + System.nanoTime()), null);
            ProcessBuilder pb = k.tool(List.of("/usr/sbin/krb5kdc", "-n", "-r", realm));
            pb.redirectErrorStream(true).redirectOutput(dir.resolve("krb5kdc.out").toFile());
            k.kdc = pb.start();
            k.awaitListening();
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String realm() {
        return realm;
    }

    /** The client configuration (what KRB5_CONFIG or java.security.krb5.conf names). */
    public Path krb5Conf() {
        return dir.resolve("krb5.conf");
    }

    /** Adds a user principal with a password. */
    public void addUser(String name, String password) {
        must(List.of("/usr/sbin/kadmin.local", "-r", realm, "-q", "addprinc -pw " + password + " " + name + "@" + realm), null);
    }

    /** Adds a service principal with a random key and exports it to a keytab; returns the keytab. */
    public Path addService(String name) {
        Path keytab = dir.resolve(name.replace('/', '_') + ".keytab");
        must(List.of("/usr/sbin/kadmin.local", "-r", realm, "-q", "addprinc -randkey " + name + "@" + realm), null);
        must(List.of("/usr/sbin/kadmin.local", "-r", realm, "-q", "ktadd -k " + keytab + " " + name + "@" + realm), null);
        return keytab;
    }

    /**
     * A lab WinRM listener on https://localhost (its certificate issued by {@code ca}) that accepts
     * this KDC's tickets for HTTP/localhost, and Basic with no known password. Java reads its
     * Kerberos configuration once per process, so the listener and cem in this process share it.
     */
    public LabWinRmServer winrmListener(CommandShell.Factory shells, Certificates.Issued ca) {
        Path keytab = addService("HTTP/localhost");
        System.setProperty("java.security.krb5.conf", krb5Conf().toString());
        return new LabWinRmServer(shells, new Faults(), "cem", "basic-Unused-" + java.util.UUID.randomUUID(),
                ca.issue("CN=localhost").dns("localhost").ip("127.0.0.1").build().serverContext(), 30)
                .kerberos(new KerberosAcceptor(keytab, "HTTP/localhost@" + realm)).start();
    }

    /** Gets {@code user}'s ticket with the real kinit (password on its standard input) into the FILE: cache {@code cache}. */
    public void kinit(String user, String password, Path cache) {
        must(List.of("/usr/bin/kinit", "-c", "FILE:" + cache, user + "@" + realm), password + "\n");
    }

    private ProcessBuilder tool(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("KRB5_CONFIG", krb5Conf().toString());
        pb.environment().put("KRB5_KDC_PROFILE", dir.resolve("kdc.conf").toString());
        return pb;
    }

    private void must(List<String> command, String stdin) {
        try {
            Process p = tool(command).redirectErrorStream(true).start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || out.contains("rror")) {
                throw new IllegalStateException(command.get(0) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (!kdc.isAlive()) {
                    break;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        String log;
        try {
            log = Files.readString(dir.resolve("krb5kdc.out"));
        } catch (IOException e) {
            log = "";
        }
        close();
        throw new IllegalStateException("the KDC did not start: " + log);
    }

    @Override
    public void close() {
        if (kdc != null) {
            kdc.destroy();
            try {
                kdc.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            kdc.destroyForcibly();
        }
    }
}

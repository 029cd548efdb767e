package cem.transport;

import cem.spi.CommandResult;
import cem.spi.ConnectionSpec;
import cem.spi.FailureKind;
import cem.spi.RemoteCommand;
import cem.spi.Transport;
import cem.spi.TransportException;
import io.cloudsoft.winrm4j.client.ShellCommand;
import io.cloudsoft.winrm4j.client.WinRmClient;
import io.cloudsoft.winrm4j.client.WinRmClientBuilder;
import io.cloudsoft.winrm4j.client.WinRmClientContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.GZIPOutputStream;
import org.apache.cxf.Bus;
import org.apache.cxf.BusFactory;
import org.apache.cxf.transport.http.HTTPConduitConfigurer;
import org.apache.cxf.transport.http.asyncclient.AsyncHTTPConduit;
import org.apache.cxf.transport.http.asyncclient.AsyncHTTPConduitFactory;

/**
 * Commands over WinRM (winrm4j): HTTPS with the server certificate verified by default, plain HTTP
 * only when the host says {@code insecureHttp: true}; NTLM (default), Kerberos or Basic (Basic
 * only over HTTPS). Kerberos without a password uses the logged-on user's ticket ({@link KerberosLogin}).
 * One shell per session (Sessions keeps a host's session for its next batch). A PowerShell script of any size is
 * uploaded in chunks to %TEMP% and run by a small bootstrap that checks its SHA-256 first and
 * removes the file whatever happens: a command line is capped near 8 KB and winrm4j has no stdin.
 */
public final class WinRmTransport implements Transport {

    /**
     * Characters of base64 per upload command: with {@code >>%TEMP%\cem-ID.b64 echo } and a long
     * %TEMP% expanded (a deep profile path, up to 260 characters), still well under cmd.exe's
     * 8,191-character line. Each chunk is a round trip (0.5–2 s on real Windows), so chunks are
     * as large as that allows (they were 2,000 characters: three times the round trips).
     */
    static final int CHUNK = 6000;

    private final ConnectionSpec spec;
    private Bus bus;
    private WinRmClient client;
    private ShellCommand shell;
    private int commands;
    private int uploadChunks;

    /** CXF logs through java.util.logging; users see cem's diagnostics, never CXF's noise (held: JUL keeps loggers weakly). */
    private static final Logger[] QUIET = {Logger.getLogger("org.apache.cxf"), Logger.getLogger("io.cloudsoft"),
        Logger.getLogger("javax.xml.soap")};

    static {
        for (Logger l : QUIET) {
            l.setLevel(Level.OFF);
        }
    }

    private WinRmTransport(ConnectionSpec spec, Bus bus, WinRmClient client, ShellCommand shell) {
        this.spec = spec;
        this.bus = bus;
        this.client = client;
        this.shell = shell;
    }

    public static WinRmTransport open(ConnectionSpec spec) throws TransportException {
        var settings = spec.settings();
        boolean http = settings.path("insecureHttp").asBoolean(false);
        int port = spec.port() > 0 ? spec.port() : http ? 5985 : 5986;
        String scheme = settings.path("auth").path("scheme").asText("ntlm").toLowerCase(Locale.ROOT);
        if (scheme.equals("basic") && http && !loopback(spec.address())) {
            throw new TransportException(FailureKind.TRUST, spec.host(), "Basic authentication over plain HTTP would send the password of host "
                    + spec.host() + " in clear text.", "Use HTTPS (remove insecureHttp), or NTLM/Kerberos.", null);
        }
        String url = (http ? "http" : "https") + "://" + spec.address() + ":" + port + "/wsman";
        WinRmClientBuilder builder = WinRmClient.builder(url)
                .authenticationScheme(switch (scheme) {
                    case "basic" -> "Basic";
                    case "kerberos" -> "Kerberos";
                    default -> "NTLM";
                })
                .connectionTimeout(spec.connectTimeout().toMillis())
                // winrm4j would resend any failed request, a Command included: cem decides itself what may run twice.
                .retriesForConnectionFailures(0);
        String user = settings.path("auth").path("username").asText("");
        String domain = null;
        if (user.contains("\\")) {
            domain = user.substring(0, user.indexOf('\\'));
            user = user.substring(user.indexOf('\\') + 1);
        }
        TlsTrust trust = null;
        if (!http) {
            trust = TlsTrust.of(spec);
            trust.verify(spec, spec.address(), port); // before any credential leaves this machine
        }
        String password = spec.secrets().getOrDefault("auth/password", "");
        if (scheme.equals("kerberos") && password.isEmpty() && http) {
            throw new TransportException(FailureKind.TRUST, spec.host(), "Kerberos with the logged-on user's ticket needs HTTPS to "
                    + spec.host() + ": cem cannot seal WinRM messages with it over plain HTTP.", "Use HTTPS (remove insecureHttp).", null);
        }
        if (scheme.equals("kerberos") && !password.isEmpty()) {
            // A password gets a ticket of its own (winrm4j logs in as user@REALM, or as DOMAIN\\user's user in the default realm).
            builder.requestNewKerberosTicket(true);
            builder.credentials(KerberosLogin.principal(settings.path("auth").path("username").asText("")), password);
        } else if (scheme.equals("kerberos")) {
            KerberosLogin.useTicketOf(spec); // no password: the logged-on user's ticket
            builder.credentials(user, "");
            // winrm4j would wait for NTLM's sealing keys before sending a body; TLS protects it (HTTPS only, see HostRules).
            builder.payloadEncryptionMode(io.cloudsoft.winrm4j.client.PayloadEncryptionMode.OFF);
        } else {
            builder = domain == null ? builder.credentials(user, password) : builder.credentials(domain, user, password);
        }
        Bus bus = bus(trust);
        builder.context(WinRmClientContext.newInstance(bus));
        try {
            WinRmClient client = builder.build();
            ShellCommand shell = client.createShell();
            return new WinRmTransport(spec, bus, client, shell);
        } catch (RuntimeException e) {
            bus.shutdown(true);
            throw classify(spec, url, e);
        }
    }

    /**
     * A CXF bus for one session, whose every HTTP conduit holds this host's TLS trust (null: plain HTTP).
     * winrm4j hands its builder's TLS settings to the conduit only for NTLM and Kerberos; on its Basic path
     * the conduit would use the JVM's default trust. A conduit configurer on the bus covers every scheme.
     * A bus per session: winrm4j registers each client's own conduit factory on its bus and closes it with the
     * client, so clients sharing a bus could lose their connections when another host's session closes.
     */
    private static Bus bus(TlsTrust trust) {
        Bus bus = BusFactory.newInstance().createBus();
        // What WinRmClientContext.newInstance() sets (winrm4j 0.12.3): its NTLM path needs the asynchronous conduit.
        bus.setProperty(AsyncHTTPConduit.USE_ASYNC, Boolean.TRUE);
        bus.setProperty(AsyncHTTPConduitFactory.USE_POLICY, AsyncHTTPConduitFactory.UseAsyncPolicy.ALWAYS);
        if (trust != null) {
            bus.setExtension((HTTPConduitConfigurer) (name, address, conduit) -> conduit.setTlsClientParameters(trust.clientParameters()),
                    HTTPConduitConfigurer.class);
        }
        return bus;
    }

    /** Loopback traffic never leaves the machine (the lab): Basic over HTTP is harmless there. Decided on the resolved address. */
    static boolean loopback(String address) {
        return cem.net.Loopback.resolved(address);
    }

    private static final java.util.regex.Pattern URL_IN_MESSAGE = java.util.regex.Pattern.compile("https?://[^\\s'\"]+");
    /** An HTTP 401 as CXF and HttpClient word it ("HTTP response '401: Unauthorized'", "status code: 401"). */
    private static final java.util.regex.Pattern STATUS_401 = java.util.regex.Pattern.compile("(response|status|code)\\W{0,4}401\\b");

    static TransportException classify(ConnectionSpec spec, String url, RuntimeException e) {
        // The endpoint's URL is left out: a port such as 40123 or a host such as srv401 or ssl-gw must not read as a
        // 401 or a TLS failure (a lab port with "401" in it made a dropped connection look like refused credentials).
        String chain = URL_IN_MESSAGE.matcher(messages(e).toLowerCase(Locale.ROOT)).replaceAll("<url>");
        boolean refused = STATUS_401.matcher(chain).find() || chain.contains("unauthorized") || chain.contains("authorization");
        boolean kerberos = spec.settings().path("auth").path("scheme").asText("").equalsIgnoreCase("kerberos");
        if (kerberos && (chain.contains("kdc") || chain.contains("gssexception") || chain.contains("loginexception") || refused)) {
            return new TransportException(FailureKind.AUTH, spec.host(), "Kerberos authentication to " + spec.host() + " (" + url + ") failed: "
                    + firstKerberosReason(e), "Check the user and password (or the ticket: klist), that the host's address is the DNS name of "
                    + "its service principal HTTP/NAME, and that both clocks agree.", e);
        }
        if (refused) {
            return new TransportException(FailureKind.AUTH, spec.host(), "WinRM authentication to " + spec.host() + " (" + url + ") was refused.",
                    "Check the user name and password of host " + spec.host() + " (the secret's value is not shown), and the auth scheme.", e);
        }
        if (chain.contains("pkix") || chain.contains("certificate") || chain.contains("ssl")) {
            return new TransportException(FailureKind.TRUST, spec.host(), "The TLS certificate of " + spec.host() + " is not trusted.",
                    "Name its CA with tls.caFile, or pin it with tls.pinnedSha256.", e);
        }
        if (chain.contains("quotalimit") || chain.contains("maximum number")) {
            return new TransportException(FailureKind.REMOTE_ERROR, spec.host(), "WinRM on " + spec.host() + " refused a new shell: "
                    + "the user's shell quota is used up.", "Close other sessions, lower maxSessions, or raise MaxShellsPerUser.", e);
        }
        return new TransportException(FailureKind.UNREACHABLE, spec.host(), "Cannot reach WinRM on " + spec.host() + " (" + url + "): "
                + e.getMessage(), "Check the address and port, and that the WinRM service listens there.", e);
    }

    /** The innermost Kerberos or login message (never a password: neither carries one). */
    private static String firstKerberosReason(Throwable e) {
        String reason = e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.ietf.jgss.GSSException || t instanceof javax.security.auth.login.LoginException) {
                reason = t.getMessage();
            }
        }
        return reason == null ? e.getClass().getSimpleName() : reason;
    }

    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        return b.toString();
    }

    /**
     * Runs a command line. A command that may have started is never sent again, unless the caller
     * marks it idempotent: then a broken shell is replaced and the command sent once more.
     */
    @Override
    public CommandResult exec(RemoteCommand command) throws TransportException {
        if (command.stdin().length > 0) {
            throw new TransportException(FailureKind.REMOTE_ERROR, spec.host(), "WinRM has no standard input for commands.",
                    "Send scripts with powershell(), which uploads them.", null);
        }
        int attempts = command.idempotent() ? 3 : 1;
        for (int attempt = 1; ; attempt++) {
            try {
                return run(command.commandLine());
            } catch (TransportException e) {
                if (attempt >= attempts || e.kind() != FailureKind.CONNECTION_LOST) {
                    throw e;
                }
                reopen();
            }
        }
    }

    private void reopen() throws TransportException {
        close();
        WinRmTransport fresh = open(spec);
        this.bus = fresh.bus;
        this.client = fresh.client;
        this.shell = fresh.shell;
    }

    private CommandResult run(String commandLine) throws TransportException {
        Instant start = Instant.now();
        CappedOutput output = new CappedOutput();
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        try {
            int code = shell.execute(commandLine, output.into(out), output.into(err));
            commands++;
            Duration took = Duration.between(start, Instant.now());
            spec.log("winrm", commandLine.startsWith(">>%TEMP%") ? "upload chunk" : "command", took, commandLine.length(),
                    out.length() + err.length(), code);
            return new CommandResult(code, out.toString(), Clixml.clean(err.toString()), took);
        } catch (RuntimeException e) {
            if (CappedOutput.exceeded(e)) {
                // winrm4j has signalled the command to terminate on its way out (ShellCommand.execute's finally)
                throw TransportException.outputTooLarge(spec.host());
            }
            TransportException t = classify(spec, "WinRM", e);
            throw new TransportException(t.kind() == FailureKind.UNREACHABLE ? FailureKind.CONNECTION_LOST : t.kind(), spec.host(),
                    "A WinRM command on " + spec.host() + " failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                            + rootCause(e), t.hint(), e);
        }
    }

    /**
     * Standard output and error as winrm4j decodes them, {@link Transport#MAX_OUTPUT_BYTES} characters
     * at most together: past that a write fails, winrm4j gives up the command, and {@link #run} says so.
     * (Each Receive is one envelope of at most 150 KB, so nothing larger is ever held before this count.)
     */
    private static final class CappedOutput {
        private long written;

        /** Thrown by a write past the cap; winrm4j wraps it in an IllegalStateException. */
        private static final class Exceeded extends java.io.IOException {
            private static final long serialVersionUID = 1L;

            Exceeded() {
                super("output cap reached", null);
            }
        }

        java.io.Writer into(StringBuilder to) {
            return new java.io.Writer() {
                @Override
                public void write(char[] chars, int off, int len) throws java.io.IOException {
                    written += len;
                    if (written > MAX_OUTPUT_BYTES) {
                        throw new Exceeded();
                    }
                    to.append(chars, off, len);
                }

                @Override
                public void flush() {}

                @Override
                public void close() {} // winrm4j closes both writers after every Receive
            };
        }

        static boolean exceeded(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof Exceeded) {
                    return true;
                }
            }
            return false;
        }
    }

    /** What lies under winrm4j's "failed task" wrapper (a timeout, a reset), said once; empty when nothing more is known. */
    static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root == e) {
            return "";
        }
        String what = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return " (" + what + ")";
    }

    /** cmd.exe takes command lines up to 8,191 characters; a script that fits goes in one command. */
    static final int MAX_COMMAND_LINE = 8000;

    @Override
    public CommandResult powershell(String script, Duration timeout, boolean idempotent) throws TransportException {
        int attempts = idempotent ? 3 : 1;
        for (int attempt = 1; ; attempt++) {
            try {
                return powershellOnce(script);
            } catch (TransportException e) {
                if (attempt >= attempts || e.kind() != FailureKind.CONNECTION_LOST) {
                    throw e;
                }
                sleep(Duration.ofMillis(200L << (attempt - 1)));
                reopen();
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CommandResult powershellOnce(String script) throws TransportException {
        String direct = "powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
                + Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_16LE));
        if (direct.length() <= MAX_COMMAND_LINE) {
            return run(direct); // small scripts (a steady-state agent call) cost one command, no upload
        }
        byte[] bytes = script.getBytes(StandardCharsets.UTF_8);
        String id = UUID.randomUUID().toString().replace("-", "");
        String encoded = Base64.getEncoder().encodeToString(gzip(bytes));
        for (int i = 0; i < encoded.length(); i += CHUNK) {
            String chunk = encoded.substring(i, Math.min(encoded.length(), i + CHUNK));
            CommandResult r = run(">>%TEMP%\\cem-" + id + ".b64 echo " + chunk);
            commands--;
            uploadChunks++;
            if (r.exitCode() != 0) {
                throw new TransportException(FailureKind.REMOTE_ERROR, spec.host(), "Uploading a script to %TEMP% on " + spec.host()
                        + " failed: " + r.stderr().trim(), "Check the free space and permissions of the user's TEMP folder.", null);
            }
        }
        String bootstrap = Bootstrap.script(id, sha256(bytes));
        String command = "powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
                + Base64.getEncoder().encodeToString(bootstrap.getBytes(StandardCharsets.UTF_16LE));
        return run(command);
    }

    @Override
    public int commands() {
        return commands;
    }

    /** Upload commands sent so far (counted apart from commands). */
    public int uploadChunks() {
        return uploadChunks;
    }

    @Override
    public void close() {
        try {
            shell.close();
        } catch (RuntimeException e) {
            // the shell may be gone already; the server reaps it
        }
        try {
            client.close();
        } catch (RuntimeException e) {
            // nothing to do
        }
        bus.shutdown(true);
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

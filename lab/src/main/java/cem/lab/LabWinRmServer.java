package cem.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * One lab host's WinRM endpoint: the WS-Management shell protocol (Create, Command, Send, Receive,
 * Signal, Delete) at {@code /wsman} over HTTP or HTTPS, Basic authentication (and Kerberos when
 * given a {@link KerberosAcceptor}), and Windows-like
 * SOAP faults (bad credentials, unknown shell, shell quota). Commands go to the host's executor
 * through a {@link CommandShell} that behaves like cmd.exe for what cem sends.
 */
public final class LabWinRmServer implements AutoCloseable {

    static final String SOAP = "http://www.w3.org/2003/05/soap-envelope";
    static final String ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
    static final String WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd";
    static final String SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell";
    static final String TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer";

    private final HttpServer server;
    /** The shells of the host a login reaches (one host, or several behind one port: {@code USER+HOST}); null refuses it. */
    private final java.util.function.Function<String, CommandShell.Factory> hosts;
    private final Faults faults;
    private final String user;
    private final String password;
    private final int maxShells;
    private final Map<String, CommandShell> open = new ConcurrentHashMap<>();
    private final Map<String, String> owners = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> commandsByUser = new ConcurrentHashMap<>();
    private final Map<String, Output> outputs = new ConcurrentHashMap<>();
    private final AtomicInteger commands = new AtomicInteger();
    /** HTTP requests received (each carries the client's credentials): a client that fails closed sends none. */
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger scripts = new AtomicInteger();
    private final Map<String, String> lastCommand = new ConcurrentHashMap<>();
    private volatile KerberosAcceptor kerberos;
    private final Map<java.net.InetSocketAddress, String> kerberosConnections = new ConcurrentHashMap<>();
    /** Requests authenticated with a Kerberos ticket. */
    private final AtomicInteger kerberosLogins = new AtomicInteger();

    private record Output(int exitCode, byte[] stdout, byte[] stderr) {}

    static {
        // Keep-alive connections as HTTP.sys keeps them (idle for 120 s, no small cap), not as the JDK's server does
        // (closed after 30 s, and at once beyond 200 idle): a client reusing a connection the server has closed fails its
        // next request (seen as a few dozen failed WinRM commands in some 500-site applies; WinRmKeepAliveTest).
        // Read once, when the JDK's server first starts: the lab is the only HTTP server in cem's process.
        System.setProperty("sun.net.httpserver.idleInterval", System.getProperty("sun.net.httpserver.idleInterval", "120"));
        System.setProperty("sun.net.httpserver.maxIdleConnections", System.getProperty("sun.net.httpserver.maxIdleConnections", "100000"));
    }

    /**
     * @param tls the server's TLS context, or null for plain HTTP
     * @param maxShells shells a user may have open at once (WinRM's MaxShellsPerUser; 30 by default on Windows)
     */
    public LabWinRmServer(CommandShell.Factory shells, Faults faults, String user, String password, SSLContext tls, int maxShells) {
        this(login -> login.equalsIgnoreCase(user) ? shells : null, faults, user, password, tls, maxShells);
    }

    /**
     * Many lab hosts behind one port: a login {@code USER+HOST} reaches host HOST's shells (so a
     * lab of hundreds of hosts needs one server, not hundreds).
     */
    public static LabWinRmServer virtualHosts(Map<String, CommandShell.Factory> byHost, Faults faults, String user, String password,
            SSLContext tls, int maxShells) {
        String prefix = (user + "+").toLowerCase(java.util.Locale.ROOT);
        return new LabWinRmServer(login -> login.toLowerCase(java.util.Locale.ROOT).startsWith(prefix)
                ? byHost.get(login.substring(prefix.length())) : null, faults, user, password, tls, maxShells);
    }

    private LabWinRmServer(java.util.function.Function<String, CommandShell.Factory> hosts, Faults faults, String user, String password,
            SSLContext tls, int maxShells) {
        this.hosts = hosts;
        this.faults = faults;
        this.user = user;
        this.password = password;
        this.maxShells = maxShells;
        try {
            if (tls == null) {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            } else {
                HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/wsman", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lab-winrm");
            t.setDaemon(true);
            return t;
        }));
    }

    /** Also accepts Kerberos (HTTP {@code Kerberos} and {@code Negotiate}) for the principal of {@code acceptor}; a ticket's user name is the login. */
    public LabWinRmServer kerberos(KerberosAcceptor acceptor) {
        this.kerberos = acceptor;
        return this;
    }

    /** Requests that authenticated with a Kerberos ticket so far. */
    public int kerberosLogins() {
        return kerberosLogins.get();
    }

    public LabWinRmServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + port() + "/wsman";
    }

    /** Commands run so far (each upload chunk is one). */
    public int requests() {
        return requests.get();
    }

    public int commands() {
        return commands.get();
    }

    /** Commands run so far, by login (USER+HOST behind a virtual-host server). */
    public Map<String, Integer> commandsByUser() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        commandsByUser.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** PowerShell invocations so far (round trips a provider makes; upload chunks are not counted). */
    public int scripts() {
        return scripts.get();
    }

    /** Shells open right now. */
    public int openShells() {
        return open.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        long cpu = Lab.threadCpu();
        try {
            handleExchange(exchange);
        } finally {
            Lab.chargeCpu(Lab.threadCpu() - cpu);
        }
    }

    private void handleExchange(HttpExchange exchange) throws IOException {
        try (exchange) {
            String header = exchange.getRequestHeaders().getFirst("Authorization");
            String login = kerberos != null && header != null && (header.startsWith("Kerberos ") || header.startsWith("Negotiate "))
                    ? kerberosLogin(exchange, header)
                    // Like HTTP.sys, a connection Kerberos authenticated stays so (its client sends no header after the first).
                    : header == null && kerberos != null ? kerberosConnections.get(exchange.getRemoteAddress()) : login(header);
            if (login == null) {
                if (kerberos != null) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Negotiate");
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Kerberos");
                }
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"WSMAN\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            Document request;
            try {
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setNamespaceAware(true);
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                request = f.newDocumentBuilder().parse(new ByteArrayInputStream(body));
            } catch (Exception e) {
                send(exchange, 400, fault("s:Sender", "w:InvalidMessageInformationHeader", "The request is not a SOAP message.", null));
                return;
            }
            String action = text(request, ADDRESSING, "Action");
            String messageId = text(request, ADDRESSING, "MessageID");
            String shellId = selector(request);
            boolean isCommand = (SHELL + "/Command").equals(action);
            if (isCommand) {
                faults.pause(); // a command's latency, once per round trip (not per message of it)
            }
            if (isCommand && faults.dropThisCommand()) {
                // The connection drops after the command was received (and possibly started).
                exchange.close();
                return;
            }
            String response = switch (action == null ? "" : action) {
                case TRANSFER + "/Create" -> create(messageId, login);
                case SHELL + "/Command" -> command(messageId, shellId, request, login);
                case SHELL + "/Send" -> send(messageId, shellId, request);
                case SHELL + "/Receive" -> receive(messageId, shellId, request);
                case SHELL + "/Signal" -> reply(messageId, SHELL + "/SignalResponse", "<rsp:SignalResponse/>");
                case TRANSFER + "/Delete" -> delete(messageId, shellId);
                default -> fault("s:Sender", "a:ActionNotSupported", "The action is not supported: " + action, messageId);
            };
            if (SHELL.concat("/Receive").equals(action) && faults.truncateThisAnswer()) {
                response = response.substring(0, response.length() / 2);
            }
            send(exchange, response.contains("<s:Fault>") ? 500 : 200, response);
        } catch (RuntimeException e) {
            send(exchange, 500, fault("s:Receiver", "w:InternalError", String.valueOf(e.getMessage()), null));
        }
    }

    /** The user of a Kerberos ticket the service principal's key accepts, when that user may log in; else null. */
    private String kerberosLogin(HttpExchange exchange, String header) {
        if (faults.rejectAuth()) {
            return null;
        }
        byte[] token;
        try {
            token = Base64.getDecoder().decode(header.substring(header.indexOf(' ') + 1).trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        KerberosAcceptor.Accepted accepted = kerberos.accept(token);
        if (accepted == null || hosts.apply(accepted.user()) == null) {
            return null;
        }
        if (accepted.reply() != null) {
            exchange.getResponseHeaders().add("WWW-Authenticate", header.substring(0, header.indexOf(' ')) + " "
                    + Base64.getEncoder().encodeToString(accepted.reply()));
        }
        kerberosLogins.incrementAndGet();
        kerberosConnections.put(exchange.getRemoteAddress(), accepted.user());
        return accepted.user();
    }

    /** The user a request authenticates as, when its host exists and the password is right; else null. */
    private String login(String header) {
        if (faults.rejectAuth() || header == null || !header.startsWith("Basic ")) {
            return null;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        String u = colon < 0 ? decoded : decoded.substring(0, colon);
        String p = colon < 0 ? "" : decoded.substring(colon + 1);
        if (u.contains("\\")) {
            u = u.substring(u.indexOf('\\') + 1);
        }
        return hosts.apply(u) != null && password.equals(p) ? u : null;
    }

    private String create(String messageId, String login) {
        if (owners.values().stream().filter(login::equalsIgnoreCase).count() >= maxShells) {
            return fault("s:Receiver", "w:QuotaLimit", "The WS-Management service cannot process the request. This user is allowed a "
                    + "maximum number of " + maxShells + " concurrent shells, which has been exceeded. Close existing shells or raise "
                    + "the quota for this user.", messageId);
        }
        String id = UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT);
        open.put(id, hosts.apply(login).open());
        owners.put(id, login);
        String address = "<a:Address>" + "http://127.0.0.1:" + port() + "/wsman" + "</a:Address>";
        return reply(messageId, TRANSFER + "/CreateResponse",
                "<x:ResourceCreated>" + address + "<a:ReferenceParameters><w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/"
                        + "windows/shell/cmd</w:ResourceURI><w:SelectorSet><w:Selector Name=\"ShellId\">" + id
                        + "</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>"
                        + "<rsp:Shell><rsp:ShellId>" + id + "</rsp:ShellId><rsp:ResourceUri>http://schemas.microsoft.com/wbem/wsman/1/"
                        + "windows/shell/cmd</rsp:ResourceUri><rsp:Owner>" + user + "</rsp:Owner><rsp:InputStreams>stdin</rsp:InputStreams>"
                        + "<rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>");
    }

    private String command(String messageId, String shellId, Document request, String login) {
        CommandShell shell = open.get(shellId == null ? "" : shellId);
        if (shell == null) {
            return unknownShell(messageId);
        }
        StringBuilder line = new StringBuilder(text(request, SHELL, "Command") == null ? "" : text(request, SHELL, "Command").trim());
        NodeList args = request.getElementsByTagNameNS(SHELL, "Arguments");
        for (int i = 0; i < args.getLength(); i++) {
            line.append(' ').append(args.item(i).getTextContent());
        }
        String commandId = UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT);
        commands.incrementAndGet();
        commandsByUser.computeIfAbsent(login, k -> new AtomicInteger()).incrementAndGet();
        if (line.toString().startsWith("powershell ")) {
            scripts.incrementAndGet();
        }
        Execution result = shell.run(login, line.toString());
        outputs.put(commandId, new Output(result.exitCode(), result.stdout().getBytes(StandardCharsets.UTF_8),
                result.stderr().getBytes(StandardCharsets.UTF_8)));
        lastCommand.put(shellId, commandId);
        return reply(messageId, SHELL + "/CommandResponse", "<rsp:CommandResponse><rsp:CommandId>" + commandId
                + "</rsp:CommandId></rsp:CommandResponse>");
    }

    private String send(String messageId, String shellId, Document request) {
        if (!open.containsKey(shellId == null ? "" : shellId)) {
            return unknownShell(messageId);
        }
        return reply(messageId, SHELL + "/SendResponse", "<rsp:SendResponse/>");
    }

    private String receive(String messageId, String shellId, Document request) {
        if (!open.containsKey(shellId == null ? "" : shellId)) {
            return unknownShell(messageId);
        }
        Element desired = (Element) request.getElementsByTagNameNS("*", "DesiredStream").item(0);
        String commandId = desired == null ? "" : desired.getAttribute("CommandId");
        if (commandId.isEmpty()) {
            // Some clients put the command id elsewhere; a shell runs one command at a time.
            commandId = lastCommand.getOrDefault(shellId, "");
        }
        Output out = outputs.remove(commandId);
        if (out == null) {
            return fault("s:Sender", "w:InvalidSelectors", "The command " + commandId + " is unknown or its output was already received.",
                    messageId);
        }
        String b64 = Base64.getEncoder().encodeToString(out.stdout());
        String e64 = Base64.getEncoder().encodeToString(out.stderr());
        return reply(messageId, SHELL + "/ReceiveResponse", "<rsp:ReceiveResponse>"
                + "<rsp:Stream Name=\"stdout\" CommandId=\"" + commandId + "\">" + b64 + "</rsp:Stream>"
                + "<rsp:Stream Name=\"stderr\" CommandId=\"" + commandId + "\">" + e64 + "</rsp:Stream>"
                + "<rsp:Stream Name=\"stdout\" CommandId=\"" + commandId + "\" End=\"true\"></rsp:Stream>"
                + "<rsp:Stream Name=\"stderr\" CommandId=\"" + commandId + "\" End=\"true\"></rsp:Stream>"
                + "<rsp:CommandState CommandId=\"" + commandId + "\" State=\"" + SHELL + "/CommandState/Done\">"
                + "<rsp:ExitCode>" + out.exitCode() + "</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>");
    }

    private String delete(String messageId, String shellId) {
        owners.remove(shellId == null ? "" : shellId);
        if (open.remove(shellId == null ? "" : shellId) == null) {
            return unknownShell(messageId);
        }
        return reply(messageId, TRANSFER + "/DeleteResponse", "");
    }

    private String unknownShell(String messageId) {
        return fault("s:Sender", "w:InvalidSelectors", "The request for the Windows Remote Shell with ShellId is not valid: the shell "
                + "was not found on the server.", messageId);
    }

    private static String reply(String relatesTo, String action, String body) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<s:Envelope xmlns:s=\"" + SOAP + "\" xmlns:a=\"" + ADDRESSING + "\" xmlns:w=\"" + WSMAN + "\" xmlns:rsp=\"" + SHELL
                + "\" xmlns:x=\"" + TRANSFER + "\"><s:Header><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>"
                + "<a:Action>" + action + "</a:Action><a:MessageID>uuid:" + UUID.randomUUID() + "</a:MessageID>"
                + (relatesTo == null ? "" : "<a:RelatesTo>" + relatesTo + "</a:RelatesTo>")
                + "</s:Header><s:Body>" + body + "</s:Body></s:Envelope>";
    }

    private static String fault(String code, String subcode, String text, String relatesTo) {
        return reply(relatesTo, "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault",
                "<s:Fault><s:Code><s:Value>" + code + "</s:Value><s:Subcode><s:Value>" + subcode + "</s:Value></s:Subcode></s:Code>"
                        + "<s:Reason><s:Text xml:lang=\"en-US\">" + escape(text) + "</s:Text></s:Reason><s:Detail><f:WSManFault "
                        + "xmlns:f=\"http://schemas.microsoft.com/wbem/wsman/1/wsmanfault\" Code=\"2150858843\" Machine=\"lab\">"
                        + "<f:Message>" + escape(text) + "</f:Message></f:WSManFault></s:Detail></s:Fault>");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String text(Document doc, String ns, String local) {
        NodeList list = doc.getElementsByTagNameNS(ns, local);
        return list.getLength() == 0 ? null : list.item(0).getTextContent();
    }

    private static String selector(Document doc) {
        NodeList list = doc.getElementsByTagNameNS(WSMAN, "Selector");
        for (int i = 0; i < list.getLength(); i++) {
            Element e = (Element) list.item(i);
            if ("ShellId".equals(e.getAttribute("Name"))) {
                return e.getTextContent().trim();
            }
        }
        return null;
    }

    private static void send(HttpExchange exchange, int status, String xml) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/soap+xml;charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

}

package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Symantec Internet Gateway on a lab host: its settings values in the registry, its service,
 * its a.log files and the backups cem takes of its settings.
 *
 * <p>Sources: KB 216202 (the IG's service "Symantec Internet Gateway Service" must run; its log
 * C:\ProgramData\Symantec\SMP\Logs\a.log shows "Internet Gateway successfully registered with
 * Notification Server"; /work/shared/domain/itms-cem.md §12: logs rotate, every a*.log is read).
 * [?] Where Gateway Manager keeps its settings (the agent assumes a registry key holding
 * ListenerPort DWORD, Servers REG_MULTI_SZ "fqdn:port", AutoRefresh DWORD 0/1, Version REG_SZ), the
 * service's key name, its state right after installation, the installer's exit
 * codes beyond msiexec's, how a.log rotates and when registration is logged: the lab's picture.
 * Status reporting is no value here: it is enabled on the NS (KB 216202 step 4; NotificationServer).
 * msiexec's exit codes: "MsiExec.exe and InstMsi.exe Error Messages" (learn.microsoft.com/windows/
 * win32/msi/error-codes): 0 success, 1603 ERROR_INSTALL_FAILURE, 3010 ERROR_SUCCESS_REBOOT_REQUIRED.
 */
final class InternetGateway {

    private InternetGateway() {}

    /** [?] The settings key cem assumes by default (Itms.DEFAULT_SETTINGS_KEY), for hosts made with the IG installed. */
    static final String DEFAULT_KEY = "HKLM:\\SOFTWARE\\Symantec\\Internet Gateway";
    static final String LOG_DIRECTORY = "C:\\ProgramData\\Symantec\\SMP\\Logs";
    static final String NOT_CONFIGURED = "No Notification Server is configured";
    static final String STOPPED = "Internet Gateway service stopped";
    /** [?] a.log grows to this many lines, then it is renamed a1.log, a2.log, … and a new a.log begins. */
    static final int LOG_LINES = 40;
    private static final List<String> VALUES = List.of("ListenerPort", "Servers", "AutoRefresh", "StatusReporting", "Version");

    /** The IG's settings key, when the installer created it. */
    static ObjectNode key(JsonNode s, String path) {
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) () -> s.path("registry").fields()) {
            if (e.getKey().equalsIgnoreCase(path)) {
                return (ObjectNode) e.getValue();
            }
        }
        return null;
    }

    /** internet_gateway.install: runs the installer, unless the settings key shows the IG installed. */
    static JsonNode install(ObjectNode s, JsonNode a) {
        String path = a.path("settingsKey").asText();
        if (key(s, path) != null) {
            return WindowsState.object().put("alreadyInstalled", true).putNull("exitCode");
        }
        String pkg = WindowsState.lower(a.path("package").asText(""));
        ObjectNode policy = key(s, a.path("policyKey").asText());
        if (policy != null && policy.hasNonNull("InstallerDirectory")) {
            // cem's own confinement (the agent's check): installers only from the directory an administrator set.
            String root = policy.get("InstallerDirectory").asText().replaceAll("\\\\+$", "") + "\\";
            if (!pkg.startsWith(WindowsState.lower(root))) {
                throw new IllegalStateException("This host allows installers only from " + root + " (" + a.path("policyKey").asText()
                        + ", InstallerDirectory); " + a.path("package").asText() + " is not there.");
            }
        }
        if (!pkg.endsWith(".msi") && !pkg.endsWith(".exe")) {
            // Start-Process of a file that is not there: [?] its wording from memory (Win32 error 2's text), no document.
            throw new IllegalStateException("This command cannot be run due to the error: The system cannot find the file specified.");
        }
        if (pkg.contains("fail")) {
            return WindowsState.object().put("alreadyInstalled", false).put("exitCode", 1603);
        }
        installed(s, path, "Stopped");
        return WindowsState.object().put("alreadyInstalled", false).put("exitCode", pkg.contains("reboot") ? 3010 : 0);
    }

    /** What the installer leaves: the settings key with its defaults, and the IG's service in this state. */
    private static void installed(ObjectNode s, String path, String serviceState) {
        ObjectNode values = s.with("registry").putObject(path);
        values.put("ListenerPort", 443).putArray("Servers");
        values.put("AutoRefresh", 1).put("Version", "8.8.1");
        s.put("igKey", path);
        Services.add(s, WindowsState.IG_SERVICE_NAME, WindowsState.IG_SERVICE, serviceState);
    }

    /** A lab host made with the IG already installed (at the default settings key). */
    static void preinstalled(ObjectNode s, String serviceState) {
        installed(s, DEFAULT_KEY, serviceState);
    }

    /** internet_gateway.read: the raw values, the service found by display name, and every a*.log of the folder. */
    static JsonNode read(ObjectNode s, JsonNode a) {
        ObjectNode key = key(s, a.path("settingsKey").asText());
        ObjectNode out = WindowsState.object().put("keyExists", key != null);
        if (key == null) {
            // The agent reads nothing more when the IG is not installed.
            out.putNull("values");
            out.putNull("service");
            out.putArray("logs");
            return out;
        }
        ObjectNode values = out.putObject("values");
        for (String v : VALUES) {
            values.set(v, key != null && key.has(v) ? key.get(v).deepCopy() : com.fasterxml.jackson.databind.node.NullNode.getInstance());
        }
        JsonNode svc = Services.find(s, a.path("serviceDisplayName").asText());
        if (svc == null) {
            out.putNull("service");
        } else {
            out.putObject("service").put("name", svc.path("name").asText()).put("state", svc.path("state").asText())
                    .put("startMode", svc.path("startMode").asText());
        }
        ArrayNode logs = out.putArray("logs");
        String line = a.path("registrationLine").asText();
        for (Map.Entry<String, JsonNode> f : logFiles(s, a.path("logDirectory").asText())) {
            boolean has = false;
            for (JsonNode l : f.getValue().path("lines")) {
                has |= !line.isEmpty() && l.asText().contains(line);
            }
            logs.addObject().put("name", f.getKey()).put("lastWriteTimeUtc", f.getValue().path("lastWriteTimeUtc").asText())
                    .put("hasRegistrationLine", has);
        }
        return out;
    }

    /** Get-ChildItem -Filter 'a*.log' of the folder, by name. */
    private static List<Map.Entry<String, JsonNode>> logFiles(JsonNode s, String directory) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> dir : (Iterable<Map.Entry<String, JsonNode>>) () -> s.path("files").fields()) {
            if (dir.getKey().equalsIgnoreCase(directory)) {
                dir.getValue().fields().forEachRemaining(f -> {
                    String n = WindowsState.lower(f.getKey());
                    if (n.startsWith("a") && n.endsWith(".log")) {
                        out.add(f);
                    }
                });
            }
        }
        out.sort(Map.Entry.comparingByKey(String.CASE_INSENSITIVE_ORDER));
        return out;
    }

    /** internet_gateway.set: a backup of the values, the new values, and a restart only when Java asks for one. */
    static JsonNode set(ObjectNode s, JsonNode a) {
        String path = a.path("settingsKey").asText();
        ObjectNode key = key(s, path);
        if (key == null) {
            throw new IllegalStateException("The Internet Gateway is not installed on this host."); // the agent's Test-Path first
        }
        ObjectNode dir = s.with("files").with(a.path("backupDirectory").asText());
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        while (dir.has(stamp + ".json") || newer(dir, stamp)) {
            stamp = String.valueOf(Long.parseLong(stamp.substring(0, 8) + stamp.substring(9, 18)) + 1);
            stamp = stamp.substring(0, 8) + "T" + stamp.substring(8) + "Z";
        }
        dir.putObject(stamp + ".json").put("lastWriteTimeUtc", Instant.now().toString()).set("values", key.deepCopy());
        List<String> names = new ArrayList<>();
        dir.fieldNames().forEachRemaining(names::add);
        names.sort(java.util.Comparator.reverseOrder());
        for (int i = Math.max(0, a.path("keepBackups").asInt()); i < names.size(); i++) {
            dir.remove(names.get(i));
        }
        key.put("ListenerPort", a.path("listenerPort").asInt());
        ArrayNode servers = key.putArray("Servers");
        a.path("servers").forEach(v -> servers.add(v.asText()));
        key.put("AutoRefresh", a.path("autoRefresh").asInt());
        if (a.path("restartService").asBoolean()) {
            restart(s, a.path("serviceDisplayName").asText());
        }
        return WindowsState.object().put("backup", stamp);
    }

    private static boolean newer(ObjectNode dir, String stamp) {
        for (String n : (Iterable<String>) dir::fieldNames) {
            if (n.compareTo(stamp + ".json") > 0) {
                return true;
            }
        }
        return false;
    }

    /** internet_gateway.restore: the values of a backup (the newest unless named), then Restart-Service, as the agent does. */
    static JsonNode restore(ObjectNode s, JsonNode a) {
        List<String> names = new ArrayList<>();
        s.path("files").path(a.path("backupDirectory").asText()).fieldNames().forEachRemaining(n -> {
            if (n.endsWith(".json")) {
                names.add(n);
            }
        });
        names.sort(null);
        if (names.isEmpty()) {
            throw new IllegalStateException("There is no backup of the Internet Gateway settings on this host.");
        }
        String name = names.get(names.size() - 1);
        if (a.hasNonNull("backup")) {
            name = a.get("backup").asText() + ".json";
            if (!names.contains(name)) {
                throw new IllegalStateException("There is no backup named " + a.get("backup").asText() + ".");
            }
        }
        String path = a.path("settingsKey").asText();
        ObjectNode key = key(s, path);
        if (key == null) {
            throw new IllegalStateException("Cannot find path '" + path + "' because it does not exist."); // [?] ItemNotFoundException's wording
        }
        JsonNode saved = s.path("files").path(a.path("backupDirectory").asText()).path(name).path("values");
        for (String v : List.of("ListenerPort", "Servers", "AutoRefresh")) {
            key.set(v, saved.path(v).deepCopy());
        }
        restart(s, a.path("serviceDisplayName").asText());
        return WindowsState.object().put("restored", name.substring(0, name.length() - ".json".length()));
    }

    /** Restart-Service: stops the service if it runs, then starts it (a stopped one is started). */
    private static void restart(ObjectNode s, String displayName) {
        ObjectNode svc = Services.find(s, displayName);
        if (svc == null) {
            // [?] Restart-Service -DisplayName's wording for no such service, from memory (no document gives it).
            throw new IllegalStateException("Cannot find any service with display name '" + displayName + "'.");
        }
        if (svc.path("state").asText().equals("Running")) {
            svc.put("state", "Stopped");
            stopped(s);
        }
        Services.start(s, svc);
    }

    /**
     * The IG's service started: with servers in its settings it sets out to register with them
     * ({@link #register} decides, seeing the other hosts), else it logs that it has none.
     */
    static void started(ObjectNode s) {
        ObjectNode key = key(s, s.path("igKey").asText());
        boolean servers = key != null && !key.path("Servers").isEmpty();
        if (servers) {
            s.put(REGISTERING, true);
        } else {
            log(s, NOT_CONFIGURED);
        }
    }

    static void stopped(ObjectNode s) {
        s.remove(REGISTERING);
        log(s, STOPPED);
    }

    /** Set while the running gateway has not registered yet: it keeps trying, as a service does. [?] its retry interval. */
    static final String REGISTERING = "igRegistering";
    /** [?] The wording of a failed registration in a.log is not documented: the lab's picture. */
    static final String UNREACHABLE = "Failed to register with Notification Server ";

    /**
     * A registering gateway registers once every server of its list answers HTTPS on the listed
     * port: some other host of its network (the NS, a site server; the lab does not know host
     * names, so any host serving that port stands for the server named) has an https binding on
     * that port while W3SVC runs (KB 440283: the CEM agent site's binding, 4726 by default; domain
     * reference §12). [?] Whether a real gateway registers with the NS when a site server of its
     * list does not answer: the lab asks all of them. The first failed attempt is logged once.
     * A host in no network (a unit test's lone twin) has nobody to ask and registers at once.
     *
     * @param peers the published states of the other hosts of the network, or null for no network
     * @return whether the state changed
     */
    static boolean register(ObjectNode s, java.util.Collection<JsonNode> peers) {
        if (!s.path(REGISTERING).asBoolean() || !listening(s)) {
            return false;
        }
        String unserved = peers == null ? null : unserved(s, peers);
        if (unserved == null) {
            s.remove(REGISTERING);
            log(s, WindowsState.REGISTERED);
            return true;
        }
        if (!s.path("igRegisterFailed").asText().equals(unserved)) {
            s.put("igRegisterFailed", unserved);
            log(s, UNREACHABLE + unserved + ": no answer on that port");
            return true;
        }
        return false;
    }

    /** Whether this gateway, registered or still trying, would be registered now. */
    static boolean registeredNow(JsonNode s, java.util.Collection<JsonNode> peers) {
        return registered(s) || s.path(REGISTERING).asBoolean() && listening(s) && (peers == null || unserved(s, peers) == null);
    }

    /** The first "fqdn:port" of the gateway's servers that no other host serves, or null when all are served. */
    private static String unserved(JsonNode s, java.util.Collection<JsonNode> peers) {
        JsonNode key = key(s, s.path("igKey").asText());
        for (JsonNode entry : key == null ? WindowsState.array() : key.path("Servers")) {
            String text = entry.asText();
            int colon = text.lastIndexOf(':');
            int port;
            try {
                port = colon < 0 ? 4726 : Integer.parseInt(text.substring(colon + 1)); // 4726: the CEM agent site's default (domain §2.2, S2)
            } catch (NumberFormatException e) {
                return text;
            }
            boolean served = false;
            for (JsonNode peer : peers) {
                served |= servesHttps(peer, port);
            }
            if (!served) {
                return text;
            }
        }
        return null;
    }

    /** Whether a host answers HTTPS on this port: an https binding of a site on it, and W3SVC running. */
    static boolean servesHttps(JsonNode host, int port) {
        if (!Services.running(host, "W3SVC")) {
            return false;
        }
        for (JsonNode site : host.path("sites")) {
            for (JsonNode b : site.path("bindings")) {
                java.util.regex.Matcher m = BINDING.matcher(b.path("bindingInformation").asText());
                if (b.path("protocol").asText().equalsIgnoreCase("https") && m.matches() && Integer.parseInt(m.group(1)) == port) {
                    return true;
                }
            }
        }
        return false;
    }

    /** "IP:port:host" of an http/https binding ("*:4726:", "[::]:443:host"; New-IISSiteBinding -BindingInformation, S25). */
    private static final java.util.regex.Pattern BINDING = java.util.regex.Pattern.compile("^.*:([0-9]{1,5}):[^:]*$");

    /** Appends a line to a.log, rotating it when full. */
    static void log(ObjectNode s, String text) {
        ObjectNode dir = s.with("files").with(LOG_DIRECTORY);
        ObjectNode current = (ObjectNode) dir.get("a.log");
        if (current != null && current.path("lines").size() >= LOG_LINES) {
            int n = 1;
            while (dir.has("a" + n + ".log")) {
                n++;
            }
            dir.set("a" + n + ".log", current);
            dir.remove("a.log");
            current = null;
        }
        if (current == null) {
            current = dir.putObject("a.log");
            current.putArray("lines");
        }
        Instant now = Instant.now();
        current.put("lastWriteTimeUtc", now.toString());
        current.withArray("lines").add(now + " " + text);
    }

    /** Whether the gateway's last registration event (in its newest log lines) is a successful registration. */
    static boolean registered(JsonNode s) {
        String last = "";
        List<Map.Entry<String, JsonNode>> files = logFiles(s, LOG_DIRECTORY);
        files.sort((x, y) -> x.getValue().path("lastWriteTimeUtc").asText().compareTo(y.getValue().path("lastWriteTimeUtc").asText()));
        for (Map.Entry<String, JsonNode> f : files) {
            for (JsonNode l : f.getValue().path("lines")) {
                last = l.asText();
            }
        }
        return last.contains(WindowsState.REGISTERED);
    }

    /** Installed and its service running: its listener answers. */
    static boolean listening(JsonNode s) {
        return key(s, s.path("igKey").asText()) != null && Services.running(s, WindowsState.IG_SERVICE_NAME);
    }

    /**
     * Whether this gateway reports to the NS under this name: installed, running, registered, and
     * presenting a certificate that covers the name (whether the NS listens, its status reporting
     * setting, is the NS's: NotificationServer). [?] How the NS matches a gateway's status reports
     * to the CEM policy's FQDN is not documented.
     */
    static boolean reportsOnline(JsonNode s, String externalFqdn, boolean registered) {
        ObjectNode key = key(s, s.path("igKey").asText());
        if (key == null || !listening(s) || !registered) {
            return false;
        }
        String tp = CertificateStores.gatewayCertificate(s);
        if (tp.isEmpty()) {
            return false;
        }
        for (String name : CertificateStores.dnsNames(CertificateStores.parse(s.path("certificates").get(tp)))) {
            if (CertificateStores.covers(name, externalFqdn)) {
                return true;
            }
        }
        return false;
    }
}

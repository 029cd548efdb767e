package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * IIS sites and bindings as applicationHost.config holds them, HTTP.SYS SSL records as netsh
 * keeps them, and the W3C logs IIS writes.
 *
 * <p>Sources: the IIS configuration reference, {@code <binding>} (learn.microsoft.com/iis/configuration/
 * system.applicationhost/sites/site/bindings/binding): bindingInformation is kept as one string,
 * "IP:port:host" for http/https ("*:443:", "10.0.0.5:443:host", "[::]:443:"; Get-IISSiteBinding's
 * documentation prints it so), the protocol's own form for the others, and sslFlags is a bit field
 * (1 = SNI). WCF's "How to: Host a WCF Service in WAS" (learn.microsoft.com/dotnet/framework/wcf)
 * adds net.tcp with bindingInformation '808:*' and net.pipe with '*' to the Default Web Site.
 * netsh http (learn.microsoft.com/windows-server/networking/technologies/netsh/netsh-http): an
 * SSL record is keyed by ipport=IP:port (IP-based) or hostnameport=host:port (SNI; the key
 * structure HTTP_SERVICE_CONFIG_SSL_SNI_KEY); "add sslcert" on a key that has a record fails with
 * Win32 error 183, ERROR_ALREADY_EXISTS, "update sslcert" on a key without one with error 2 [?]
 * (ERROR_FILE_NOT_FOUND, as seen in practice), texts from "System Error Codes (0-499)".
 */
final class Iis {

    private Iis() {}

    static final String DEFAULT_SITE = "Default Web Site";
    static final String LOG_DIRECTORY = "C:\\inetpub\\logs\\LogFiles\\W3SVC1";

    static void seed(ObjectNode s, List<String> sites) {
        ObjectNode all = s.putObject("sites");
        int id = 1;
        for (String name : sites) {
            ObjectNode site = all.putObject(name);
            site.put("id", id++);
            ArrayNode bindings = site.putArray("bindings");
            if (name.equals(DEFAULT_SITE)) {
                // IIS setup's default site listens on *:80:; WCF activation adds net.tcp and net.pipe (the WAS doc above).
                bindings.addObject().put("protocol", "http").put("bindingInformation", "*:80:").put("sslFlags", 0);
                bindings.addObject().put("protocol", "net.tcp").put("bindingInformation", "808:*").put("sslFlags", 0);
                bindings.addObject().put("protocol", "net.pipe").put("bindingInformation", "*").put("sslFlags", 0);
            }
        }
        s.putObject("sslBindings");
        s.with("files").putObject(LOG_DIRECTORY);
        Instant now = Instant.now();
        List<String> lines = new ArrayList<>(header(now, false));
        // time-taken 403 in a 200 answer: a line Select-String ' 403( |$)' finds that is no 403 answer.
        lines.add(entry(now, false, 200, 403));
        lines.add(entry(now, false, 200, 15));
        lines.addAll(header(now, true)); // IIS restarted with cs-host logged as well: the columns moved
        lines.add(entry(now, true, 200, 31));
        writeLog(s, now, lines);
    }

    /**
     * The W3C extended log's directives: #Software, #Version, #Date, #Fields, written at the top of
     * each file and again whenever the site or IIS restarts or the logging configuration changes
     * (Microsoft, "IIS 6.0 Log Header", blogs.technet.microsoft.com/uday/2009/03/27; the W3C
     * working draft WD-logfile defines the directives). The default fields are those IIS 8.5+ logs.
     */
    static List<String> header(Instant at, boolean withHost) {
        return List.of("#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0", "#Date: " + stamp(at),
                "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) "
                        + (withHost ? "cs-host " : "") + "sc-status sc-substatus sc-win32-status time-taken");
    }

    static String entry(Instant at, boolean withHost, int status, int timeTaken) {
        return stamp(at) + " 10.0.0.5 GET /Altiris/NS/Agent/GetClientPolicies.aspx - 443 - 198.51.100.20 "
                + "Altiris+Agent - " + (withHost ? "smp.example.net " : "") + status + " " + (status == 403 ? "7" : "0") + " 0 " + timeTaken;
    }

    /** IIS restarts (a header block) and answers agents 403 this many times: what drift's "iis403" leaves in the newest log. */
    static void append403(ObjectNode s, int count) {
        Instant now = Instant.now();
        ObjectNode log = newestLog(s, "C:\\inetpub\\logs\\LogFiles");
        List<String> lines = new ArrayList<>();
        if (log != null) {
            log.path("lines").forEach(l -> lines.add(l.asText()));
        }
        lines.addAll(header(now, true));
        for (int i = 0; i < count; i++) {
            lines.add(entry(now, true, 403, 15));
        }
        writeLog(s, now, lines);
    }

    private static void writeLog(ObjectNode s, Instant now, List<String> lines) {
        String name = "u_ex" + DateTimeFormatter.ofPattern("yyMMdd").withZone(ZoneOffset.UTC).format(now) + ".log";
        ObjectNode file = s.with("files").with(LOG_DIRECTORY).putObject(name);
        file.put("lastWriteTimeUtc", now.toString());
        ArrayNode out = file.putArray("lines");
        lines.forEach(out::add);
    }

    private static String stamp(Instant at) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC).format(at);
    }

    private static ObjectNode newestLog(JsonNode s, String root) {
        ObjectNode newest = null;
        String prefix = WindowsState.lower(root.endsWith("\\") ? root : root + "\\");
        for (Map.Entry<String, JsonNode> dir : (Iterable<Map.Entry<String, JsonNode>>) () -> s.path("files").fields()) {
            if (!WindowsState.lower(dir.getKey() + "\\").startsWith(prefix)) {
                continue;
            }
            for (Map.Entry<String, JsonNode> f : (Iterable<Map.Entry<String, JsonNode>>) () -> dir.getValue().fields()) {
                if (WindowsState.lower(f.getKey()).endsWith(".log") && (newest == null
                        || f.getValue().path("lastWriteTimeUtc").asText().compareTo(newest.path("lastWriteTimeUtc").asText()) > 0)) {
                    newest = ((ObjectNode) f.getValue()).deepCopy().put("path", dir.getKey() + "\\" + f.getKey());
                }
            }
        }
        return newest;
    }

    /** How many 403 answers to agents (status 403, substatus 7) the newest IIS log holds. */
    static int answered403(JsonNode s) {
        ObjectNode log = newestLog(s, "C:\\inetpub\\logs\\LogFiles");
        int n = 0;
        if (log != null) {
            for (JsonNode l : log.path("lines")) {
                n += l.asText().contains(" 403 7 0 ") ? 1 : 0;
            }
        }
        return n;
    }

    private static final Pattern STATUS_403 = Pattern.compile(" 403( |$)");

    /** host.facts: the clock, and the #Fields lines and Select-String ' 403( |$)' matches of the newest log under the root. */
    static JsonNode facts(ObjectNode s, JsonNode args) {
        ObjectNode out = WindowsState.object();
        out.put("utcNow", Instant.now().plusSeconds(s.path("clockSkewSeconds").asLong()).toString());
        ObjectNode log = newestLog(s, args.path("iisLogRoot").asText("C:\\inetpub\\logs\\LogFiles"));
        out.put("iisLog", log == null ? "" : log.path("path").asText());
        ArrayNode lines = out.putArray("lines");
        if (log != null) {
            int n = 0;
            for (JsonNode l : log.path("lines")) {
                n++;
                String line = l.asText();
                if (line.startsWith("#Fields:") || STATUS_403.matcher(line).find()) {
                    lines.addObject().put("lineNumber", n).put("line", line);
                }
            }
        }
        return out;
    }

    /** iis_binding.read: every site with its bindings raw, and every HTTP.SYS SSL record. */
    static JsonNode read(ObjectNode s) {
        ObjectNode out = WindowsState.object();
        ArrayNode sites = out.putArray("sites");
        List<Map.Entry<String, JsonNode>> ordered = new ArrayList<>();
        s.path("sites").fields().forEachRemaining(ordered::add);
        ordered.sort((a, b) -> Integer.compare(a.getValue().path("id").asInt(), b.getValue().path("id").asInt()));
        for (Map.Entry<String, JsonNode> site : ordered) {
            ObjectNode item = sites.addObject().put("name", site.getKey()).put("id", site.getValue().path("id").asInt());
            item.set("bindings", site.getValue().path("bindings").deepCopy());
        }
        ArrayNode ssl = out.putArray("sslBindings");
        s.path("sslBindings").forEach(r -> ssl.add(r.deepCopy()));
        return out;
    }

    private static ObjectNode site(ObjectNode s, String name) {
        JsonNode site = s.path("sites").get(name);
        if (site == null) {
            // The IIS: drive's ItemNotFoundException, as Get-Item 'IIS:\Sites\X' gives it: [?] wording from memory, no document
            // (cem only relays it as "Windows said: ...", never decides on it).
            throw new IllegalStateException("Cannot find path 'IIS:\\Sites\\" + name + "' because it does not exist.");
        }
        return (ObjectNode) site;
    }

    /** The binding of this site with exactly this protocol and bindingInformation (IIS keys the collection by both; no wildcard matching). */
    private static int find(ObjectNode site, String protocol, String info) {
        ArrayNode bindings = (ArrayNode) site.get("bindings");
        for (int i = 0; i < bindings.size(); i++) {
            JsonNode b = bindings.get(i);
            if (b.path("protocol").asText().equalsIgnoreCase(protocol) && b.path("bindingInformation").asText().equalsIgnoreCase(info)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * iis_binding.set. Two sites may hold the same binding in applicationHost.config (the
     * collection's key is per site); IIS then fails to start the second one [?], which the lab does
     * not model: Java keeps bindings unique.
     */
    static JsonNode set(ObjectNode s, JsonNode a) {
        ObjectNode site = site(s, a.path("site").asText());
        String protocol = a.path("protocol").asText();
        String info = a.path("bindingInformation").asText();
        String thumbprint = a.hasNonNull("thumbprint") ? a.get("thumbprint").asText().toUpperCase(Locale.ROOT) : null;
        boolean https = protocol.equalsIgnoreCase("https");
        if (https && thumbprint != null) {
            checkCertificate(s, thumbprint);
        }
        int at = find(site, protocol, info);
        boolean created = at < 0;
        ObjectNode binding = created ? ((ArrayNode) site.get("bindings")).addObject().put("protocol", protocol).put("bindingInformation", info)
                : (ObjectNode) site.get("bindings").get(at);
        binding.put("sslFlags", a.path("sslFlags").asInt(0));
        String ssl = "none";
        if (https && thumbprint != null) {
            if (!a.hasNonNull("sslEndpoint") || !a.hasNonNull("sslEndpointParameter")) {
                throw new IllegalStateException("cem: a certificate needs the HTTP.SYS endpoint (sslEndpointParameter and sslEndpoint).");
            }
            String parameter = a.get("sslEndpointParameter").asText();
            String endpoint = a.get("sslEndpoint").asText();
            JsonNode record = s.path("sslBindings").get(key(parameter, endpoint));
            // The agent reads the record first: add when missing, update when different, nothing when equal.
            if (record == null) {
                netshAdd(s, parameter, endpoint, thumbprint);
                ssl = "added";
            } else if (!record.path("thumbprint").asText().equalsIgnoreCase(thumbprint) || !record.path("store").asText().equals("My")) {
                netshUpdate(s, parameter, endpoint, thumbprint);
                ssl = "updated";
            } else {
                ssl = "unchanged";
            }
        }
        return WindowsState.object().put("created", created).put("ssl", ssl);
    }

    /** The certificate checks the lab always made (HttpSetServiceConfiguration needs the certificate, its key and, for IIS, Server Authentication). */
    private static void checkCertificate(ObjectNode s, String thumbprint) {
        JsonNode cert = s.path("certificates").get(thumbprint);
        // [?] These three texts were kept from the first lab; no document gives them (cem relays them, never parses them).
        if (cert == null) {
            throw new IllegalStateException("Cannot find the certificate with thumbprint " + thumbprint + " in store LocalMachine\\My.");
        }
        if (!cert.path("hasPrivateKey").asBoolean()) {
            // netsh's error 1312, ERROR_NO_SUCH_LOGON_SESSION, for a certificate without its private key.
            throw new IllegalStateException("A specified logon session does not exist. It may already have been terminated. (0x80070520)");
        }
        if (!CertificateStores.serverAuth(CertificateStores.parse(cert))) {
            throw new IllegalStateException("SSL Certificate add failed, Error: 1312 — the certificate " + thumbprint
                    + " does not have the Server Authentication enhanced key usage.");
        }
    }

    /** iis_binding.remove: exactly that binding; the HTTP.SYS record only when Java names it (other bindings may use it). */
    static JsonNode remove(ObjectNode s, JsonNode a) {
        ObjectNode site = site(s, a.path("site").asText());
        int at = find(site, a.path("protocol").asText(), a.path("bindingInformation").asText());
        if (at >= 0) {
            ((ArrayNode) site.get("bindings")).remove(at);
        }
        boolean sslRemoved = false;
        if (a.hasNonNull("sslEndpoint") && a.hasNonNull("sslEndpointParameter")) {
            String parameter = a.get("sslEndpointParameter").asText();
            String endpoint = a.get("sslEndpoint").asText();
            if (s.path("sslBindings").has(key(parameter, endpoint))) { // the agent reads the record before netsh delete
                netshDelete(s, parameter, endpoint);
                sslRemoved = true;
            }
        }
        return WindowsState.object().put("removed", at >= 0).put("sslRemoved", sslRemoved);
    }

    /** How the lab keys a record: the endpoint as netsh shows it ("0.0.0.0:443", "[::]:443", "host:443"). */
    static String key(String parameter, String endpoint) {
        return parameter.equals("hostnameport") ? WindowsState.lower(endpoint) : endpoint;
    }

    /** {@code netsh http add sslcert ipport=|hostnameport=… certhash=… certstorename=MY}. */
    static void netshAdd(ObjectNode s, String parameter, String endpoint, String thumbprint) {
        if (s.path("sslBindings").has(key(parameter, endpoint))) {
            throw new IllegalStateException("SSL Certificate add failed, Error: 183 Cannot create a file when that file already exists.");
        }
        int colon = endpoint.lastIndexOf(':');
        String address = endpoint.substring(0, colon);
        int port = Integer.parseInt(endpoint.substring(colon + 1));
        ObjectNode record = s.with("sslBindings").putObject(key(parameter, endpoint));
        if (parameter.equals("hostnameport")) {
            record.put("ipAddress", "").put("port", port).put("host", WindowsState.lower(address)); // [?] IPAddress of an SNI item
        } else {
            String ip = address.startsWith("[") ? address.substring(1, address.length() - 1) : address;
            record.put("ipAddress", ip).put("port", port).put("host", "");
        }
        record.put("thumbprint", thumbprint.toUpperCase(Locale.ROOT)).put("store", "My");
    }

    /** {@code netsh http update sslcert …}: only an existing record. */
    static void netshUpdate(ObjectNode s, String parameter, String endpoint, String thumbprint) {
        JsonNode record = s.path("sslBindings").get(key(parameter, endpoint));
        if (record == null) {
            throw new IllegalStateException("SSL Certificate update failed, Error: 2 The system cannot find the file specified.");
        }
        ((ObjectNode) record).put("thumbprint", thumbprint.toUpperCase(Locale.ROOT)).put("store", "My");
    }

    /** {@code netsh http delete sslcert …}: only an existing record. */
    static void netshDelete(ObjectNode s, String parameter, String endpoint) {
        if (s.with("sslBindings").remove(key(parameter, endpoint)) == null) {
            throw new IllegalStateException("SSL Certificate deletion failed, Error: 2 The system cannot find the file specified.");
        }
    }
}

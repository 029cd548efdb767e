package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The read-only ops of {@code cem probe} on a lab host: the registry, services, files and HTTP.SYS
 * records the host holds, answered as the agent prints them. The answers show the lab's own picture
 * (the [?] assumptions the agent makes), so a probe of the lab confirms them; a real server may not.
 *
 * <p>Sources: Microsoft.Win32.RegistryKey (GetValueNames, GetValueKind: REG_DWORD is "DWord",
 * REG_MULTI_SZ "MultiString", REG_SZ "String"; GetSubKeyNames); Win32_Service (Name, DisplayName,
 * State, StartMode, PathName); Get-ChildItem -Filter (wildcards * and ?); netsh http show sslcert
 * (MicrosoftDocs netsh-http.md; the "Hostname:port" label of SNI records is [?]: netsh's page does
 * not document hostnameport, Microsoft's AD FS pages use it).
 */
final class ProbeAnswers {

    /** IIS's application id: the lab's picture is that every HTTP.SYS record carries it (as IIS Manager's do). [?] */
    static final String IIS_APP_ID = "{4dc3e181-e14b-4a21-b022-59fc669b0914}";

    private ProbeAnswers() {}

    static JsonNode registry(JsonNode s, JsonNode a) {
        ArrayNode out = WindowsState.array();
        java.util.Set<String> wanted = new java.util.HashSet<>();
        a.path("valueNames").forEach(n -> wanted.add(n.asText()));
        for (JsonNode k : a.path("keys")) {
            String path = k.asText();
            String prefix = WindowsState.lower(path) + "\\";
            ObjectNode key = InternetGateway.key(s, path);
            TreeSet<String> subKeys = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            for (String other : (Iterable<String>) () -> s.path("registry").fieldNames()) {
                if (WindowsState.lower(other).startsWith(prefix)) {
                    subKeys.add(other.substring(prefix.length()).split("\\\\")[0]);
                }
            }
            ObjectNode entry = out.addObject().put("key", path).put("exists", key != null || !subKeys.isEmpty());
            ArrayNode values = entry.putArray("values");
            if (key != null) {
                for (Map.Entry<String, JsonNode> v : (Iterable<Map.Entry<String, JsonNode>>) key::fields) {
                    JsonNode data = v.getValue();
                    String kind = data.isIntegralNumber() ? "DWord" : data.isArray() ? "MultiString" : "String";
                    ObjectNode value = values.addObject().put("name", v.getKey()).put("kind", kind);
                    value.set("data", wanted.contains(v.getKey()) ? data.deepCopy() : com.fasterxml.jackson.databind.node.NullNode.getInstance());
                }
            }
            ArrayNode sub = entry.putArray("subKeys");
            subKeys.forEach(sub::add);
        }
        return out;
    }

    static JsonNode services(JsonNode s, JsonNode a) {
        ArrayNode out = WindowsState.array();
        for (JsonNode svc : s.path("services")) {
            boolean match = false;
            for (JsonNode w : a.path("words")) {
                String word = WindowsState.lower(w.asText());
                match |= WindowsState.lower(svc.path("name").asText()).contains(word)
                        || WindowsState.lower(svc.path("displayName").asText()).contains(word);
            }
            if (match) {
                // [?] The lab does not model a service's image path.
                out.addObject().put("name", svc.path("name").asText()).put("displayName", svc.path("displayName").asText())
                        .put("state", svc.path("state").asText()).put("startMode", svc.path("startMode").asText("Auto")).put("pathName", "");
            }
        }
        return out;
    }

    static JsonNode files(JsonNode s, JsonNode a) {
        ArrayNode out = WindowsState.array();
        Pattern filter = Pattern.compile(a.path("filter").asText().replace(".", "\\.").replace("*", ".*").replace("?", "."), Pattern.CASE_INSENSITIVE);
        String line = a.path("line").asText();
        for (JsonNode d : a.path("directories")) {
            JsonNode dir = null;
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) () -> s.path("files").fields()) {
                if (e.getKey().equalsIgnoreCase(d.asText())) {
                    dir = e.getValue();
                }
            }
            ObjectNode entry = out.addObject().put("directory", d.asText()).put("exists", dir != null);
            ArrayNode files = entry.putArray("files");
            if (dir == null) {
                continue;
            }
            for (Map.Entry<String, JsonNode> f : (Iterable<Map.Entry<String, JsonNode>>) dir::fields) {
                if (!filter.matcher(f.getKey()).matches()) {
                    continue;
                }
                boolean has = false;
                long length = 0;
                for (JsonNode l : f.getValue().path("lines")) {
                    has |= l.asText().contains(line);
                    length += l.asText().length() + 2;
                }
                files.addObject().put("name", f.getKey()).put("length", length)
                        .put("lastWriteTimeUtc", f.getValue().path("lastWriteTimeUtc").asText()).put("hasLine", has);
            }
        }
        return out;
    }

    /**
     * {@code netsh http show sslcert}: every record, keyed "IP:port" or "Hostname:port" as netsh labels them.
     * [?] The layout (heading, label column, "Certificate Hash" in lower case, "Verify Client Certificate Revocation") is
     * not in netsh-http.md (it gives the syntax only, cmdlets-FACTS.md): the lab's picture; {@code cem probe}'s probe.sslcert
     * prints a real host's text.
     */
    static JsonNode sslcert(JsonNode s) {
        StringBuilder b = new StringBuilder("\r\nSSL Certificate bindings:\r\n-------------------------\r\n\r\n");
        for (Map.Entry<String, JsonNode> r : (Iterable<Map.Entry<String, JsonNode>>) () -> s.path("sslBindings").fields()) {
            JsonNode record = r.getValue();
            boolean sni = !record.path("host").asText("").isEmpty();
            b.append(String.format("    %-29s: %s\r\n", sni ? "Hostname:port" : "IP:port", r.getKey()));
            b.append(String.format("    %-29s: %s\r\n", "Certificate Hash", record.path("thumbprint").asText().toLowerCase(Locale.ROOT)));
            b.append(String.format("    %-29s: %s\r\n", "Application ID", record.path("appId").asText(IIS_APP_ID)));
            b.append(String.format("    %-29s: %s\r\n", "Certificate Store Name", record.path("store").asText("My")));
            b.append("    Verify Client Certificate Revocation : Enabled\r\n\r\n");
        }
        return WindowsState.object().put("exitCode", 0).put("output", b.toString());
    }
}

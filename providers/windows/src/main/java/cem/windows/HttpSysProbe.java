package cem.windows;

import cem.windows.Assumptions.Check;
import cem.windows.Assumptions.Status;
import cem.windows.Assumptions.Target;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;

/**
 * HTTP.SYS's [?] assumptions, read from the raw text of {@code netsh http show sslcert} and IIS's
 * bindings: SNI records are "hostnameport" records (netsh's page does not document hostnameport;
 * Microsoft's AD FS pages use it), and IIS's records carry IIS's application id.
 */
final class HttpSysProbe {

    private HttpSysProbe() {}

    /** One record of netsh's listing: its endpoint, the label netsh gave it, and its application id ("" when none was seen). */
    record Record(String label, String endpoint, String appId) {

        /** An SNI record: labelled with a host name, or keyed by a name rather than an IP literal (netsh's labels are localized). */
        boolean sni() {
            String host = endpoint.substring(0, Math.max(0, endpoint.lastIndexOf(':')));
            return label.toLowerCase(Locale.ROOT).contains("hostname") || (!host.startsWith("[") && !host.matches("^[0-9.]+$") && !host.isEmpty());
        }
    }

    /** The records of {@code netsh http show sslcert}: blocks separated by blank lines, each led by "label : endpoint". */
    static List<Record> records(String output) {
        List<Record> out = new ArrayList<>();
        for (String block : output.replace("\r", "").split("\n\\s*\n")) {
            String label = null;
            String endpoint = null;
            String appId = "";
            for (String line : block.split("\n")) {
                int colon = line.indexOf(" : ");
                if (colon < 0) {
                    colon = line.indexOf(": ");
                }
                if (colon < 0) {
                    continue;
                }
                String value = line.substring(line.indexOf(':', colon) + 1).trim();
                if (endpoint == null) {
                    if (!value.matches("^.+:[0-9]{1,5}$")) {
                        break; // a heading ("SSL Certificate bindings:"), not a record
                    }
                    label = line.substring(0, colon).trim();
                    endpoint = value;
                    continue;
                }
                Matcher g = Assumptions.guid(value);
                if (appId.isEmpty() && g.matches()) {
                    appId = value;
                }
            }
            if (endpoint != null) {
                out.add(new Record(label, endpoint, appId));
            }
        }
        return out;
    }

    static void judge(Target t, Map<String, JsonNode> answers, Map<String, String> errors, List<Check> out) {
        String sniAssumption = "an SNI binding's certificate is an HTTP.SYS record netsh names by hostnameport (netsh http add sslcert hostnameport=…)";
        String appAssumption = "IIS's HTTP.SYS records carry IIS's application id " + Assumptions.IIS_APP_ID + " (cem writes it, so IIS Manager sees them as its own)";
        JsonNode ssl = answers.get("probe.sslcert");
        if (ssl == null || ssl.path("exitCode").asInt() != 0) {
            String why = ssl == null ? errors.getOrDefault("probe.sslcert", "no answer") : "netsh exited with " + ssl.path("exitCode").asInt() + ": "
                    + ssl.path("output").asText().trim();
            out.add(new Check("iis.sni", t.host(), sniAssumption, Status.UNKNOWN, "netsh http show sslcert failed: " + why, "Run it on the host by hand."));
            out.add(new Check("iis.appid", t.host(), appAssumption, Status.UNKNOWN, "netsh http show sslcert failed: " + why, "Run it on the host by hand."));
            return;
        }
        List<Record> records = records(ssl.path("output").asText());
        Map<String, Boolean> iis = iisEndpoints(answers.get("iis_binding.read"));
        sni(t, sniAssumption, records, iis, out);
        appId(t, appAssumption, records, iis, out);
    }

    /** IIS's https endpoints as netsh keys them ("0.0.0.0:443", "name:443"), each with whether it is SNI. */
    static Map<String, Boolean> iisEndpoints(JsonNode read) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        if (read == null) {
            return out;
        }
        for (JsonNode site : read.path("sites")) {
            for (JsonNode b : site.path("bindings")) {
                String[] parts = b.path("bindingInformation").asText().split(":", -1);
                if (!b.path("protocol").asText().equalsIgnoreCase("https") || parts.length < 3) {
                    continue;
                }
                String host = b.path("bindingInformation").asText().substring(b.path("bindingInformation").asText().lastIndexOf(':') + 1);
                String rest = b.path("bindingInformation").asText().substring(0, b.path("bindingInformation").asText().lastIndexOf(':'));
                String ip = rest.substring(0, rest.lastIndexOf(':'));
                String port = rest.substring(rest.lastIndexOf(':') + 1);
                boolean sni = (b.path("sslFlags").asInt() & 1) != 0;
                String endpoint = sni ? host + ":" + port : (ip.isEmpty() || ip.equals("*") ? "0.0.0.0" : ip) + ":" + port;
                out.put(endpoint.toLowerCase(Locale.ROOT), sni);
            }
        }
        return out;
    }

    private static void sni(Target t, String assumption, List<Record> records, Map<String, Boolean> iis, List<Check> out) {
        List<String> sni = new ArrayList<>();
        records.stream().filter(Record::sni).forEach(r -> sni.add("\"" + r.label() + " : " + r.endpoint() + "\""));
        Set<String> iisSni = new TreeSet<>();
        iis.forEach((e, isSni) -> {
            if (isSni) {
                iisSni.add(e);
            }
        });
        if (!sni.isEmpty()) {
            out.add(new Check("iis.sni", t.host(), assumption, Status.CONFIRMED, "netsh lists " + sni.size() + " SNI record(s): " + String.join(", ", sni), ""));
        } else if (!iisSni.isEmpty()) {
            out.add(new Check("iis.sni", t.host(), assumption, Status.CONTRADICTED, "IIS has SNI binding(s) " + iisSni + ", but netsh lists no "
                    + "record keyed by a host name (" + records.size() + " record(s) in all)",
                    "Attach the output of `netsh http show sslcert` to the bug report: the agent's hostnameport= calls need correcting."));
        } else {
            out.add(new Check("iis.sni", t.host(), assumption, Status.UNKNOWN, "no SNI binding on this host (" + records.size() + " IP:port record(s))",
                    "On a test site, add an https binding with \"Require Server Name Indication\" in IIS Manager, then run the probe again."));
        }
    }

    private static void appId(Target t, String assumption, List<Record> records, Map<String, Boolean> iis, List<Check> out) {
        List<String> withId = new ArrayList<>();
        List<String> otherId = new ArrayList<>();
        List<String> notIis = new ArrayList<>();
        int cems = 0;
        for (Record r : records) {
            String endpoint = r.endpoint().toLowerCase(Locale.ROOT);
            if (t.managedEndpoints().contains(endpoint)) {
                cems++; // cem wrote this record with IIS's id: it proves nothing
            } else if (!iis.containsKey(endpoint)) {
                notIis.add(r.endpoint() + " " + (r.appId().isEmpty() ? "(no id)" : r.appId()));
            } else if (r.appId().equalsIgnoreCase(Assumptions.IIS_APP_ID)) {
                withId.add(r.endpoint());
            } else {
                otherId.add(r.endpoint() + " " + (r.appId().isEmpty() ? "(no id seen)" : r.appId()));
            }
        }
        String context = (cems > 0 ? "; " + cems + " record(s) at endpoints the configuration binds (cem writes the id itself) not counted" : "")
                + (notIis.isEmpty() ? "" : "; records of other applications (not IIS bindings): " + String.join(", ", notIis));
        if (!withId.isEmpty()) {
            out.add(new Check("iis.appid", t.host(), assumption, Status.CONFIRMED, "IIS's record(s) " + withId + " carry " + Assumptions.IIS_APP_ID
                    + (otherId.isEmpty() ? "" : "; others carry " + otherId) + context, ""));
        } else if (!otherId.isEmpty()) {
            out.add(new Check("iis.appid", t.host(), assumption, Status.CONTRADICTED, "IIS's record(s) carry other ids: " + otherId + context,
                    "Correct the appid in Invoke-CemNetshSsl (agent.psm1) to the id IIS Manager uses."));
        } else {
            out.add(new Check("iis.appid", t.host(), assumption, Status.UNKNOWN, "no HTTP.SYS record of an IIS binding that cem did not make" + context,
                    "Bind a certificate to a test site in IIS Manager, then run the probe again."));
        }
    }
}

package cem.windows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * The read-only ops {@code cem doctor} and {@code cem ig restore} send outside a plan, with every
 * key of their schema, and what their raw answers mean.
 */
public final class Probes {

    private Probes() {}

    /** IIS's default log folder (W3C logs of each site in W3SVCn subfolders). */
    static final String IIS_LOG_ROOT = "C:\\inetpub\\logs\\LogFiles";

    /** The op {@code host.facts}: the host's clock and its newest IIS log's #Fields and 403 candidate lines. */
    public static Map.Entry<String, JsonNode> hostFacts() {
        return Map.entry("host.facts", WindowsProvider.object().put("iisLogRoot", IIS_LOG_ROOT));
    }

    /**
     * The op {@code agent.status}: the Symantec Management Agent's newest log and its gateway-mode
     * registry values (domain reference §7: KB 151144, KB 397041).
     */
    public static Map.Entry<String, JsonNode> agentStatus() {
        ObjectNode args = WindowsProvider.object();
        args.putArray("logDirectories").add("C:\\ProgramData\\Symantec\\Symantec Agent\\Logs").add("C:\\ProgramData\\Symantec\\SMA\\Logs");
        args.put("communicationsKey", "HKLM:\\SOFTWARE\\Altiris\\Communications").put("switchLine", "Switching to Internet Gateway mode");
        return Map.entry("agent.status", args);
    }

    /** The op {@code internet_gateway.restore} for a gateway resource's attributes (null: the defaults) and a backup (null: the newest). */
    public static Map.Entry<String, JsonNode> gatewayRestore(JsonNode attributes, String backup) {
        return Map.entry("internet_gateway.restore", Itms.restoreArgs(attributes == null ? WindowsProvider.object() : attributes, backup));
    }

    /**
     * What an IIS log says: its path, the number of 403 answers and one of them.
     *
     * @param undated lines counted although their time could not be read (no date/time columns)
     */
    public record IisLog(String path, int count403, String sample, int undated) {

        public IisLog(String path, int count403, String sample) {
            this(path, count403, sample, 0);
        }
    }

    /**
     * Counts the 403 answers of a {@code host.facts} answer. W3C extended logs declare their columns
     * in a #Fields directive at the start of the file and again whenever the server restarts, and
     * the columns may differ between them (W3C "Extended Log File Format"; IIS writes a new header
     * block on restart): each line's status is read from the sc-status column of the #Fields line
     * above it.
     */
    public static IisLog iisLog(JsonNode facts) {
        return iisLog(facts, null);
    }

    /**
     * The 403 answers of a {@code host.facts} answer logged at or after {@code since} (null: all).
     * W3C extended logs write the {@code date} and {@code time} columns in UTC (W3C "Extended Log
     * File Format"; the IIS configuration reference, {@code <logFile>}: W3C logs use UTC), named
     * by the #Fields line in force; a line whose time cannot be read is counted and said so.
     */
    public static IisLog iisLog(JsonNode facts, java.time.Instant since) {
        int status = -1;
        int date = -1;
        int time = -1;
        int count = 0;
        int undated = 0;
        String sample = "";
        for (JsonNode l : facts.path("lines")) {
            String line = l.path("line").asText();
            if (line.startsWith("#Fields:")) {
                java.util.List<String> columns = java.util.Arrays.asList(line.substring("#Fields:".length()).trim().split(" "));
                status = columns.indexOf("sc-status");
                date = columns.indexOf("date");
                time = columns.indexOf("time");
            } else if (!line.startsWith("#") && status >= 0) {
                String[] fields = line.split(" ");
                if (fields.length > status && fields[status].equals("403")) {
                    java.time.Instant at = loggedAt(fields, date, time);
                    if (since != null && at != null && at.isBefore(since)) {
                        continue;
                    }
                    undated += since != null && at == null ? 1 : 0;
                    count++;
                    sample = line;
                }
            }
        }
        return new IisLog(facts.path("iisLog").asText(""), count, sample, undated);
    }

    private static java.time.Instant loggedAt(String[] fields, int date, int time) {
        if (date < 0 || time < 0 || fields.length <= Math.max(date, time)) {
            return null;
        }
        try {
            return java.time.LocalDateTime.parse(fields[date] + "T" + fields[time]).toInstant(java.time.ZoneOffset.UTC);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}

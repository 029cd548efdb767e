package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Services as Win32_Service reports them and sc.exe / Start-Service change them.
 *
 * <p>Sources: Win32_Service (learn.microsoft.com/windows/win32/cimwin32prov/win32-service):
 * State "Running", "Stopped" …, StartMode "Boot", "System", "Auto", "Manual", "Disabled", and
 * DelayedAutoStart. sc.exe config (learn.microsoft.com/windows-server/administration/windows-commands/
 * sc-config): start= auto | demand | disabled | delayed-auto — delayed-auto is an Auto service
 * with DelayedAutoStart set; auto, demand and disabled clear it [?] (the flag only matters for Auto).
 * A disabled service does not start: Win32 error 1058, ERROR_SERVICE_DISABLED; Start-Service
 * wraps it in its ServiceCommandException text [?] (its wording as commonly seen); Get-Service
 * -Name of a missing service: "Cannot find any service with service name 'X'." [?] (likewise).
 */
final class Services {

    private Services() {}

    private static final Map<String, String> DISPLAY_NAMES = Map.of("W3SVC", "World Wide Web Publishing Service", "WinRM",
            "Windows Remote Management (WS-Management)", "AeXNSClient", "Symantec Management Agent");

    static String displayName(String name) {
        return DISPLAY_NAMES.getOrDefault(name, name);
    }

    static ObjectNode add(ObjectNode s, String name, String displayName, String state) {
        return s.with("services").putObject(name).put("name", name).put("displayName", displayName).put("state", state)
                .put("startMode", "Auto").put("delayedAutoStart", false);
    }

    /** The service of this key name, or of this display name. */
    static ObjectNode find(JsonNode s, String nameOrDisplayName) {
        JsonNode byName = s.path("services").get(nameOrDisplayName);
        if (byName != null) {
            return (ObjectNode) byName;
        }
        for (JsonNode svc : s.path("services")) {
            if (svc.path("displayName").asText().equalsIgnoreCase(nameOrDisplayName)) {
                return (ObjectNode) svc;
            }
        }
        return null;
    }

    static boolean running(JsonNode s, String nameOrDisplayName) {
        JsonNode svc = find(s, nameOrDisplayName);
        return svc != null && svc.path("state").asText().equals("Running");
    }

    /** windows_service.read: Win32_Service of the services named by key name or display name (the agent compares both); a missing one is absent. */
    static JsonNode read(ObjectNode s, JsonNode args) {
        ArrayNode out = WindowsState.array();
        java.util.Set<String> listed = new java.util.HashSet<>();
        for (JsonNode name : args.path("names")) {
            JsonNode svc = find(s, name.asText());
            if (svc != null && listed.add(svc.path("name").asText())) {
                out.add(svc.deepCopy());
            }
        }
        return out;
    }

    /** windows_service.set: sc.exe config start=, then Start-Service / Stop-Service. */
    static JsonNode set(ObjectNode s, JsonNode a) {
        String name = a.path("name").asText();
        ObjectNode svc = find(s, name);
        if (svc == null) {
            throw new IllegalStateException("Cannot find any service with service name '" + name + "'.");
        }
        name = svc.path("name").asText();
        if (a.hasNonNull("startMode")) {
            String mode = a.get("startMode").asText();
            svc.put("startMode", switch (mode) {
                case "auto", "delayed-auto" -> "Auto";
                case "demand" -> "Manual";
                case "disabled" -> "Disabled";
                default -> throw new IllegalStateException("[SC] ChangeServiceConfig FAILED 87:\r\n\r\nThe parameter is incorrect.");
            });
            svc.put("delayedAutoStart", mode.equals("delayed-auto"));
        }
        if (a.hasNonNull("state")) {
            if (a.get("state").asText().equals("running")) {
                start(s, svc);
            } else {
                svc.put("state", "Stopped");
                if (svc.path("name").asText().equals(WindowsState.IG_SERVICE_NAME)) {
                    InternetGateway.stopped(s);
                }
            }
        }
        return WindowsState.object().put("name", name);
    }

    /** Start-Service: a disabled service fails, a stopped one starts (and does what it does when starting). */
    static void start(ObjectNode s, ObjectNode svc) {
        String name = svc.path("name").asText();
        if (svc.path("startMode").asText().equals("Disabled")) {
            throw new IllegalStateException("Service '" + svc.path("displayName").asText() + " (" + name
                    + ")' cannot be started due to the following error: Cannot start service " + name + " on computer '.'.");
        }
        if (!svc.path("state").asText().equals("Running")) {
            svc.put("state", "Running");
            if (name.equals(WindowsState.IG_SERVICE_NAME)) {
                InternetGateway.started(s);
            }
        }
    }
}

package cem.cli;

import cem.plan.Action;
import cem.plan.Plan;
import cem.plan.ResourceChange;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Notes a plan shows for ITMS procedures cem cannot do itself: a certificate of the NS replaced
 * while a gateway has Auto Refresh off (refresh the server in Gateway Manager before and after
 * Finalize, KB 204333), and a revocation on an NS with 8.8.1's ephemeral agent certificates (KB 440752).
 */
final class ItmsPlanNotes {

    private ItmsPlanNotes() {}

    static List<String> notes(Plan plan) {
        Set<String> nsHosts = new LinkedHashSet<>();
        String nsVersion = "";
        List<String> manualGateways = new ArrayList<>();
        for (ResourceChange c : plan.changes()) {
            if (c.type().equals("cem_policy")) {
                nsHosts.add(c.host());
                if (c.before() != null && !c.before().path("nsVersion").asText("").isEmpty()) {
                    nsVersion = c.before().path("nsVersion").asText();
                }
            }
            if (c.type().equals("internet_gateway")) {
                JsonNode side = c.after() != null ? c.after() : c.before();
                if (side != null && side.has("autoRefresh") && !side.path("autoRefresh").asBoolean(true)) {
                    manualGateways.add(c.address() + " (host " + c.host() + ")");
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (ResourceChange c : plan.changes()) {
            if (c.type().equals("certificate") && nsHosts.contains(c.host()) && c.action().isReplace() && !manualGateways.isEmpty()) {
                out.add(c.address() + " on the NS is replaced, and Auto Refresh is off on " + String.join(", ", manualGateways) + ": if this "
                        + "replaces the NS's root certificate (Settings > All Settings > Notification Server > Certificate Management), refresh the "
                        + "server in Gateway Manager (Servers tab) on each of them after starting the replacement and again after Finalize "
                        + "(KB 204333); cem cannot do it (Gateway Manager has no documented interface).");
            }
            if (c.type().equals("cem_certificate") && c.action() == Action.CREATE && ItmsVersions.ephemeral(nsVersion)
                    && c.after() != null && c.after().hasNonNull("thumbprint")) {
                out.add(c.address() + " revokes one agent certificate, but the NS runs " + nsVersion + ": agent certificates live about six "
                        + "hours and agents renew them (KB 440752). To keep the agent out, block it on " + ItmsVersions.ACCESS_PAGE + ".");
            }
        }
        return out;
    }

    /** The notes as the plan's text shows them, before the actions. */
    static void append(Plan plan, StringBuilder out) {
        List<String> notes = notes(plan);
        for (String n : notes) {
            out.append("  Note: ").append(cem.diag.TerminalText.safe(n)).append('\n');
        }
        if (!notes.isEmpty()) {
            out.append('\n');
        }
    }
}

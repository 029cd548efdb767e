package cem.cli;

import cem.cli.Finding.Symptom;
import cem.config.Configuration;
import cem.config.ResourceConfig;
import cem.plan.Plan;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The doctor's checks of ITMS 8.8.1's ephemeral agent certificates (KB 440752): the NS's version
 * (cem_policy's live nsVersion) against each gateway's (internet_gateway's installedVersion) — both
 * must be 8.8.1 or later —, where blocked agents are approved, and revocations of one agent
 * certificate, which certificates that live about six hours make short-lived too. Also the gateways
 * without Auto Refresh, which need a hand in Gateway Manager around a root certificate replacement
 * (KB 204333).
 */
final class Itms881Checks {

    private final Configuration config;
    private final Map<String, JsonNode> live;

    Itms881Checks(Configuration config, Plan plan) {
        this.config = config;
        this.live = DoctorChecks.live(plan);
    }

    /** The NS's version as the CEM policy read it, or "" when no policy was read. */
    String nsVersion() {
        for (ResourceConfig p : config.ofType("cem_policy")) {
            JsonNode l = live.get(p.address());
            if (l != null && !l.path("nsVersion").asText("").isEmpty()) {
                return l.path("nsVersion").asText();
            }
        }
        return "";
    }

    List<Finding> run() {
        List<Finding> out = new ArrayList<>();
        String ns = nsVersion();
        boolean nsEphemeral = ItmsVersions.ephemeral(ns);
        for (ResourceConfig g : config.ofType("internet_gateway")) {
            JsonNode l = live.get(g.address());
            if (l == null) {
                continue;
            }
            String ig = l.path("installedVersion").asText("");
            boolean igEphemeral = ItmsVersions.ephemeral(ig);
            if (!ns.isEmpty() && !ig.isEmpty() && nsEphemeral != igEphemeral) {
                out.add(Finding.fail(Symptom.AGENT_NOT_SWITCHING, "itms881.versions", g.address(), "the NS runs " + ns + ", the gateway " + ig,
                        "8.8.1's ephemeral agent certificates need the NS and the gateway both on 8.8.1: the gateway cannot match agents to the "
                                + "NS's registration data and blocks them (KB 440752)",
                        "Upgrade " + (nsEphemeral ? "the gateway" : "the NS") + " to " + (nsEphemeral ? ns : ig) + " or later, then approve blocked agents on "
                                + ItmsVersions.ACCESS_PAGE + "."));
            } else if (nsEphemeral && igEphemeral) {
                out.add(Finding.ok(Symptom.AGENT_NOT_SWITCHING, "itms881.versions", g.address(), "the NS runs " + ns + ", the gateway " + ig
                        + ": both have 8.8.1's ephemeral agent certificates (about six hours each)"));
            }
        }
        if (nsEphemeral) {
            // ITMS documents no API for the page: cem cannot list blocked agents, only say where they are.
            out.add(Finding.ok(Symptom.AGENT_NOT_SWITCHING, "itms881.blocked", "cem_policy", "on " + ns + " a gateway blocks agents it cannot match "
                    + "to NS registration data (a CMDB restored from an older backup, NS and gateway versions that differ, clock skew): approve "
                    + "them on " + ItmsVersions.ACCESS_PAGE + "; cem cannot list them (no documented API)"));
            for (ResourceConfig c : config.ofType("cem_certificate")) {
                if (c.string("thumbprint").isPresent()) {
                    out.add(Finding.warn(Symptom.CERTIFICATE, "itms881.revocation", c.address(), "revokes one agent certificate (thumbprint) on NS " + ns,
                            "on 8.8.1 agent certificates live about six hours and agents renew them themselves (KB 440752): one revoked "
                                    + "certificate is soon replaced",
                            "To keep an agent out, block it on " + ItmsVersions.ACCESS_PAGE + "; revoke by computer when the agent is retired."));
                }
            }
        }
        return out;
    }

    /** Gateways whose Auto Refresh is off: a root certificate replacement needs their server refreshed by hand (KB 204333). */
    List<Finding> autoRefresh() {
        List<Finding> out = new ArrayList<>();
        for (ResourceConfig g : config.ofType("internet_gateway")) {
            JsonNode l = live.get(g.address());
            boolean off = l != null ? l.has("autoRefresh") && !l.path("autoRefresh").asBoolean(true) : !g.attr("autoRefresh").asBoolean(true);
            if (off) {
                out.add(Finding.ok(Symptom.CERTIFICATE, "gatewayManager.autoRefresh", g.address(), "Auto Refresh is off. Note: when the NS's root certificate "
                        + "is replaced (Settings > All Settings > Notification Server > Certificate Management), refresh the server in Gateway "
                        + "Manager (Servers tab) on this gateway after starting the replacement and again after Finalize (KB 204333)"));
            }
        }
        return out;
    }
}

package cem.cli;

import cem.cert.CertificateFacts;
import cem.cli.Finding.Symptom;
import cem.config.Configuration;
import cem.config.ResourceConfig;
import cem.plan.Plan;
import cem.plan.ResourceChange;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The doctor's checks on what the hosts hold, read live in one refresh (one round trip per host):
 * the gateway's service, registration, Online status and version; the CEM policy, its targets and
 * their members; IIS bindings against the certificates they should present; certificates' expiry;
 * and the port places against live values ({@link PortChecks}).
 */
final class DoctorChecks {

    private final Configuration config;
    private final Map<String, JsonNode> live = new LinkedHashMap<>();
    private final Set<String> unreadable = new TreeSet<>();
    private final Instant now;

    DoctorChecks(Configuration config, Plan plan, Instant now) {
        this.config = config;
        this.now = now;
        for (ResourceChange c : plan.changes()) {
            if ("host_unreadable".equals(c.reason())) {
                unreadable.add(c.address());
            }
        }
        live.putAll(live(plan));
    }

    /** What the plan read on the hosts, by address (resources that exist there). */
    static Map<String, JsonNode> live(Plan plan) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (ResourceChange c : plan.changes()) {
            if (!"host_unreadable".equals(c.reason()) && c.before() != null) {
                out.put(c.address(), c.before());
            }
        }
        return out;
    }

    List<Finding> run() {
        List<Finding> out = new ArrayList<>();
        JsonNode policy = null;
        String policyAddress = null;
        for (ResourceConfig p : config.ofType("cem_policy")) {
            policyAddress = p.address();
            policy = live.get(p.address());
            policy(p, policy, out);
        }
        for (ResourceConfig g : config.ofType("internet_gateway")) {
            gateway(g, policy, policyAddress, out);
        }
        for (ResourceConfig b : config.ofType("iis_binding")) {
            binding(b, out);
        }
        for (ResourceConfig c : config.ofType("certificate")) {
            certificate(c, out);
        }
        return out;
    }

    private boolean missing(ResourceConfig r, Symptom symptom, String check, List<Finding> out) {
        if (unreadable.contains(r.address())) {
            out.add(Finding.skip(symptom, check, r.address(), "host " + r.host() + " could not be read (see the error above)"));
            return true;
        }
        if (!live.containsKey(r.address())) {
            out.add(Finding.fail(symptom, check, r.address(), "not found on host " + r.host(), "it was never applied, or it was removed by hand",
                    "Run `cem plan` and `cem apply`."));
            return true;
        }
        return false;
    }

    private void policy(ResourceConfig p, JsonNode l, List<Finding> out) {
        Symptom s = Symptom.AGENT_NOT_SWITCHING;
        if (missing(p, s, "policy.present", out)) {
            return;
        }
        out.add(l.path("enabled").asBoolean() ? Finding.ok(s, "policy.enabled", p.address(), "the CEM settings policy is enabled")
                : Finding.fail(s, "policy.enabled", p.address(), "the CEM settings policy is disabled", "policy not delivered: it is switched off",
                        "Enable it (cem apply), or in the console: Settings > Agents/Plug-ins > Cloud-enabled Management Settings."));
        out.add(l.path("allowCloudCommunication").asBoolean()
                ? Finding.ok(s, "policy.cloud", p.address(), "cloud communication is allowed")
                : Finding.fail(s, "policy.cloud", p.address(), "cloud communication is not allowed", "agents are told not to use gateways",
                        "Set allowCloudCommunication: true and apply."));
        List<String> targets = new ArrayList<>();
        l.path("targets").forEach(t -> targets.add(t.asText()));
        if (targets.isEmpty() && l.path("targetGuids").isEmpty()) {
            out.add(Finding.fail(s, "policy.targets", p.address(), "the policy has no targets", "policy not delivered: no computer receives it",
                    "Add targets to the policy (targets: [...]) and apply."));
        } else {
            out.add(Finding.ok(s, "policy.targets", p.address(), "targets " + targets));
        }
        for (String t : targets) {
            JsonNode target = live.get("resource_target." + t);
            if (target == null) {
                continue;
            }
            int members = target.path("memberCount").asInt();
            out.add(members > 0 ? Finding.ok(s, "target.members", "resource_target." + t, members + " computer(s)")
                    : Finding.fail(s, "target.members", "resource_target." + t, "the target resolves to no computer",
                            "its filters match nothing, so no agent receives the policy", "Check the target's base group and filters."));
        }
    }

    private void gateway(ResourceConfig g, JsonNode policy, String policyAddress, List<Finding> out) {
        Symptom s = Symptom.IG_NOT_ONLINE;
        if (missing(g, s, "ig.present", out)) {
            return;
        }
        JsonNode l = live.get(g.address());
        String service = l.path("serviceState").asText("unknown");
        out.add(service.equalsIgnoreCase("running") ? Finding.ok(s, "ig.service", g.address(), "Symantec Internet Gateway Service is running")
                : Finding.fail(s, "ig.service", g.address(), "Symantec Internet Gateway Service is " + service, "the gateway does not run",
                        "Start the service (a windows_service resource with state: running keeps it so)."));
        out.add(l.path("registered").asBoolean()
                ? Finding.ok(s, "ig.registered", g.address(), "a.log says: Internet Gateway successfully registered with Notification Server")
                : Finding.fail(s, "ig.registered", g.address(),
                        "no \"Internet Gateway successfully registered with Notification Server\" in the newest a.log",
                        "registration failed (KB 216202)", "Re-run the IG configuration: check its servers list, then cem apply."));
        if (policy != null) {
            boolean online = false;
            for (JsonNode o : policy.path("gatewaysOnline")) {
                online |= o.asText().equals(g.name());
            }
            out.add(online ? Finding.ok(s, "ig.online", g.address(), "the NS reports it Online")
                    : Finding.fail(s, "ig.online", g.address(), "the NS does not report it Online", "registration or status reporting failed",
                            "Check ig.registered and ig.service above; enable status reporting on the NS: Settings > Notification Server > Internet Gateway (KB 216202)."));
            String ns = policy.path("nsVersion").asText("");
            String ig = l.path("installedVersion").asText("");
            if (!ns.isEmpty() && !ig.isEmpty()) {
                out.add(ns.equals(ig) ? Finding.ok(s, "ig.version", g.address(), "version " + ig + " = the NS's")
                        : Finding.warn(s, "ig.version", g.address(), "version " + ig + ", the NS runs " + ns,
                                "from 8.8.1 on the gateway must run the NS's version (KB 440752)", "Upgrade the gateway to " + ns + "."));
            }
        }
        new PortChecks(config, live, unreadable).check(g, l, policy, policyAddress, out);
    }

    private void binding(ResourceConfig b, List<Finding> out) {
        Symptom s = Symptom.IIS_403;
        if (missing(b, s, "binding.present", out)) {
            return;
        }
        String certName = b.string("certificate").orElse(null);
        if (certName == null) {
            return;
        }
        JsonNode l = live.get(b.address());
        JsonNode cert = live.get("certificate." + certName);
        String presented = l.path("thumbprint").asText("");
        String expected = cert == null ? "" : cert.path("thumbprint").asText("");
        if (presented.isEmpty()) {
            out.add(Finding.fail(s, "binding.certificate", b.address(), "HTTP.SYS has no certificate for this binding",
                    "missing IIS certificate binding", "Apply the binding (cem apply) or bind it in IIS Manager."));
        } else if (!presented.equalsIgnoreCase(expected)) {
            out.add(Finding.fail(s, "binding.certificate", b.address(), "HTTP.SYS presents " + presented + ", certificate." + certName + " is "
                    + (expected.isEmpty() ? "not on the host" : expected), "wrong IIS certificate binding (the classic 403)",
                    "cem apply rebinds the configured certificate; check every site sharing this IP:port."));
        } else {
            out.add(Finding.ok(s, "binding.certificate", b.address(), "presents certificate." + certName + " (" + presented + ")"));
        }
    }

    private void certificate(ResourceConfig c, List<Finding> out) {
        Symptom s = Symptom.CERTIFICATE;
        if (missing(c, s, "certificate.present", out)) {
            return;
        }
        JsonNode l = live.get(c.address());
        Instant notAfter;
        try {
            notAfter = Instant.parse(l.path("notAfter").asText());
        } catch (RuntimeException e) {
            out.add(Finding.skip(s, "certificate.expiry", c.address(), "the host did not report its expiry"));
            return;
        }
        long days = Duration.between(now, notAfter).toDays();
        int min = c.integer("minDaysValid").orElse(CertificateFacts.DEFAULT_MIN_DAYS_VALID);
        if (notAfter.isBefore(now)) {
            out.add(Finding.fail(s, "certificate.expiry", c.address(), "expired on " + notAfter, "certificate expired",
                    "Renew it, point the resource at the new PFX and apply."));
        } else if (days < min) {
            out.add(Finding.warn(s, "certificate.expiry", c.address(), days + " days left (minDaysValid " + min + ")", "it expires soon",
                    "Renew it before " + notAfter + "."));
        } else {
            out.add(Finding.ok(s, "certificate.expiry", c.address(), days + " days left"));
        }
    }
}

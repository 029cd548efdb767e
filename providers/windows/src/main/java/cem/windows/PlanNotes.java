package cem.windows;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Severity;
import cem.spi.ApplyRequest;
import cem.spi.HostTarget;
import cem.spi.PlanRequest;
import cem.spi.PlanResponse;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a plan of Windows and ITMS changes says before apply, from the host's last read and the
 * local files: the values cem already knows (a certificate's thumbprint from its file), every side
 * effect apply has on the host beyond the attributes shown (each names the op of {@link Ops} that
 * causes it), and what apply cannot do.
 */
final class PlanNotes {

    /** An object apply cannot create on this host. */
    static final String CANNOT_CREATE = "PRV4008";
    /** A change that takes something away from objects cem does not manage. */
    static final String ENDANGERS_UNMANAGED = "PRV4009";
    /** A cem_policy whose policyName changed: cem does not move CEM from one policy item to another. */
    static final String SWITCHES_POLICY = "PRV4011";

    private final HostTarget host;
    private final WindowsProvider.Known known;
    private final Map<String, PlanResponse.Refinement> out = new LinkedHashMap<>();
    private final Diagnostics.Builder diags = Diagnostics.builder();

    private PlanNotes(HostTarget host, WindowsProvider.Known known) {
        this.host = host;
        this.known = known;
    }

    static PlanResponse of(PlanRequest request, WindowsProvider.Known known) {
        PlanNotes notes = new PlanNotes(request.host(), known);
        request.changes().forEach(notes::add);
        return new PlanResponse(notes.out, notes.diags.build());
    }

    private void add(PlanRequest.Proposed p) {
        ResourceInstance r = p.resource();
        Map<String, JsonNode> values = new HashMap<>();
        List<String> effects = new ArrayList<>();
        switch (r.type()) {
            case "certificate" -> certificate(p, values, effects);
            case "iis_binding" -> binding(p, values, effects);
            case "internet_gateway" -> gateway(p, values, effects);
            case "windows_service" -> service(p);
            case "resource_target" -> target(p, effects);
            case "cem_policy" -> policy(p);
            case "offline_package" -> {
                if (p.creates()) {
                    effects.add("generates the offline package on " + host.name() + " and writes it to " + r.attributes().path("output").asText()
                            + " on this machine");
                }
            }
            default -> {
            }
        }
        if (!values.isEmpty() || !effects.isEmpty()) {
            out.put(r.address(), new PlanResponse.Refinement(values, effects));
        }
    }

    /** certificate.import: the leaf goes to LocalMachine\My, the file's intermediates to LocalMachine\CA; a root is never added. */
    private void certificate(PlanRequest.Proposed p, Map<String, JsonNode> values, List<String> effects) {
        if (!p.creates()) {
            return;
        }
        CertificateFiles.facts(p.resource().attributes(), host.configDirectory()).ifPresent(facts -> {
            values.putAll(CertificateFiles.shown(facts.leaf()));
            long intermediates = facts.chain().stream().filter(c -> !c.getSubjectX500Principal().equals(c.getIssuerX500Principal())).count();
            if (intermediates > 0) {
                effects.add("adds the file's " + intermediates + " intermediate CA certificate" + (intermediates == 1 ? "" : "s")
                        + " to LocalMachine\\CA (a root CA in the file is not trusted on the host's behalf)");
            }
        });
    }

    /** iis_binding.set / .remove: the certificate lives in HTTP.SYS, one record per endpoint, shared by every site bound there. */
    private void binding(PlanRequest.Proposed p, Map<String, JsonNode> values, List<String> effects) {
        ResourceInstance r = p.resource();
        Bindings.Binding b = Bindings.of(r);
        String others = String.join(", ", Bindings.sharing(b, known.iis()));
        String shared = others.isEmpty() ? "" : ", which the site(s) " + others + " also use";
        if (p.operations().contains(ApplyRequest.Operation.DELETE) && !p.creates()) {
            if (Bindings.removeArgs(r, known.iis()).hasNonNull("sslEndpoint")) {
                effects.add("deletes the HTTP.SYS certificate record of " + b.endpoint() + " (netsh http delete sslcert)");
            }
            return;
        }
        Reads.relatedThumbprint(r, host).ifPresent(thumbprint -> {
            values.put("thumbprint", WindowsProvider.object().textNode(thumbprint));
            String now = p.before() == null ? "" : p.before().path("thumbprint").asText("");
            if (b.protocol().equals("https") && !thumbprint.equalsIgnoreCase(now)) {
                effects.add("sets the HTTP.SYS certificate record of " + b.endpoint() + " to " + thumbprint + shared + " (netsh http sslcert)");
            }
        });
    }

    /** internet_gateway.install and .set: the installer, the backup of the settings, the service restart. */
    private void gateway(PlanRequest.Proposed p, Map<String, JsonNode> values, List<String> effects) {
        if (p.deletes() && !p.creates()) {
            return;
        }
        ResourceInstance r = p.resource();
        JsonNode a = r.attributes();
        if (p.creates()) {
            if (!a.hasNonNull("installer")) {
                diags.add(new Diagnostic(Severity.ERROR, CANNOT_CREATE, "The Internet Gateway cannot be created on host " + host.name(),
                        "The Internet Gateway is not installed on " + host.name() + " (its settings key " + a.path("settingsKey")
                                .asText(Itms.DEFAULT_SETTINGS_KEY) + " is missing), and " + r.address() + " has no installer, so apply"
                                + " could only fail. cem configures an installed gateway; it installs one only from installer.package.",
                        "Add installer.package (the IG's installer as the host sees it, e.g. C:\\Installers\\Symantec_Internet_Gateway_x64.msi,"
                                + " with installer.arguments such as [/qn, /norestart]) to " + r.address() + ", or install the Internet"
                                + " Gateway on " + host.name() + " first (its installer comes from the console: Settings > Notification Server >"
                                + " Cloud-enabled Management, KB 216202 step 2).",
                        null, r.address()));
                return;
            }
            ObjectNode install = Itms.installArgs(r);
            effects.add("runs the installer on " + host.name() + ": " + install.path("file").asText()
                    + (install.hasNonNull("arguments") ? " " + install.path("arguments").asText() : ""));
        }
        effects.add("saves the gateway's current settings to " + Itms.BACKUPS + " on " + host.name() + " (keeps the newest "
                    + a.path("backups").path("keep").asInt(Itms.DEFAULT_KEEP_BACKUPS) + "; `cem ig restore` puts one back)");
        if (Itms.restartsService(p.creates(), known)) {
            effects.add((p.creates() ? "starts" : "restarts") + " the \"" + Itms.IG_SERVICE + "\" service to load the settings"
                    + (p.creates() ? "" : ": agents connected through this gateway reconnect"));
        } else {
            effects.add("leaves the \"" + Itms.IG_SERVICE + "\" service stopped (it is not running): the settings take effect when it starts");
        }
    }

    /** windows_service.set changes a service that exists: cem installs none. */
    private void service(PlanRequest.Proposed p) {
        ResourceInstance r = p.resource();
        if (p.creates() && r.related().keySet().stream().noneMatch(a -> a.startsWith("internet_gateway."))) {
            diags.add(new Diagnostic(Severity.ERROR, CANNOT_CREATE, "Service " + r.attributes().path("service").asText() + " does not exist on host "
                            + host.name(),
                    "cem configures services but installs none, and nothing " + r.address() + " depends on installs this one, so apply"
                            + " could only fail.",
                    "Check the service's key name or display name (Get-Service on " + host.name() + "), install the software that provides it"
                            + " first, or make the resource depend (dependsOn) on the internet_gateway whose installer creates it.",
                    null, r.address()));
        }
    }

    /**
     * A replaced cem_policy would be destroyed, which turns CEM off in its policy item (the item stays), and
     * created in the item the new policyName names: agents that reach the NS only through CEM could be cut
     * off before they receive the other policy ([?]: inferred from the settings policy's role, domain reference
     * §5; no document describes the transition). A rename never does that on the side: it is refused.
     */
    private void policy(PlanRequest.Proposed p) {
        ResourceInstance r = p.resource();
        String from = p.before() == null ? null : p.before().path("policyName").asText(null);
        String to = Itms.policyName(r);
        if (!(p.creates() && p.deletes()) || from == null || from.equalsIgnoreCase(to)) {
            return;
        }
        diags.add(new Diagnostic(Severity.ERROR, SWITCHES_POLICY, r.address() + " cannot move from policy \"" + from + "\" to \"" + to + "\"",
                "A changed policyName names another policy item on the NS. Replacing the resource would destroy it, which turns CEM off"
                        + " in \"" + from + "\" (its gateways and targets are cleared; the item stays), and agents that reach the NS only"
                        + " through CEM could lose it before they receive \"" + to + "\".",
                "Keep policyName \"" + from + "\". To manage \"" + to + "\" and leave \"" + from + "\" as it is, forget the old one"
                        + " first (`cem state rm " + r.address() + "`): the next plan adopts \"" + to + "\". To turn CEM off in \"" + from
                        + "\" as well, apply without " + r.address() + " first (that destroys it), then declare it again with the new name.",
                null, r.address()));
    }

    /** A target cem replaces is deleted and created again (DeleteItem, CreateResourceTarget): its GUID changes. */
    private void target(PlanRequest.Proposed p, List<String> effects) {
        ResourceInstance r = p.resource();
        if (!(p.creates() && p.deletes()) || r.attributes().hasNonNull("guid")) {
            return;
        }
        String old = r.identity() == null ? "its GUID" : r.identity();
        effects.add("deletes the target " + old + " on the NS and creates it again with a new GUID");
        diags.add(new Diagnostic(Severity.WARNING, ENDANGERS_UNMANAGED, "Replacing " + r.address() + " gives the target a new GUID",
                "The NS deletes the resource target " + old + " and creates a new one. cem points the cem_policy resources of this"
                        + " configuration at the new target, but policies, tasks and filters in the console that use the old target lose it.",
                "Before apply, find the policies and tasks that use " + old + " (their AppliedToResourceTargets in ItemManagementService"
                        + " GetItemByGuid, domain reference S20) and re-target them after apply; or keep the target by undoing the change that"
                        + " forces its replacement.",
                null, r.address()));
    }
}

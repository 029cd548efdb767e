package cem.windows;

import cem.spi.ApplyRequest;
import cem.spi.HostTarget;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.security.GeneralSecurityException;

/** The agent op for one change. */
final class Ops {

    private Ops() {}

    /**
     * Adds the op for a change; returns its index, or null when the change needs none (forgetting a service).
     *
     * @param known what this run already learned of the host: its encryption certificate (secrets are
     *     sealed to it) and its last IIS read (whether an HTTP.SYS record is shared)
     */
    static Integer add(Agent agent, ApplyRequest.Change change, HostTarget host, WindowsProvider.Known known)
            throws IOException, GeneralSecurityException {
        ResourceInstance r = change.resource();
        JsonNode a = r.attributes();
        boolean delete = change.operation() == ApplyRequest.Operation.DELETE;
        ObjectNode args = WindowsProvider.object();
        switch (r.type()) {
            case "certificate" -> {
                if (delete) {
                    args.put("thumbprint", (r.identity() != null ? r.identity() : a.path("thumbprint").asText()).toUpperCase(java.util.Locale.ROOT));
                    return agent.add("certificate.remove", args);
                }
                CertificateFiles.Pfx pfx = CertificateFiles.pfx(a, host.configDirectory());
                if (known.recipient() == null) {
                    throw new IllegalArgumentException("host " + host.name() + " has no cem encryption certificate to seal the PFX to");
                }
                ObjectNode secret = WindowsProvider.object().put("pfx", WindowsProvider.base64(pfx.bytes())).put("password", pfx.password());
                args.setAll(Agent.seal(secret, known.recipient()));
                if (a.hasNonNull("friendlyName")) {
                    args.put("friendlyName", a.get("friendlyName").asText());
                } else {
                    args.putNull("friendlyName");
                }
                return agent.add("certificate.import", args);
            }
            case "iis_binding" -> {
                if (delete) {
                    return agent.add("iis_binding.remove", Bindings.removeArgs(r, known.iis()));
                }
                java.util.Optional<String> thumbprint = Reads.relatedThumbprint(r, host);
                if (a.hasNonNull("certificate") && thumbprint.isEmpty()) {
                    throw new IllegalArgumentException("the certificate " + a.path("certificate").asText() + " cannot be read");
                }
                return agent.add("iis_binding.set", Bindings.setArgs(r, thumbprint));
            }
            case "windows_firewall_rule" -> {
                return agent.add(delete ? "windows_firewall_rule.remove" : "windows_firewall_rule.set",
                        delete ? Firewall.removeArgs(r) : Firewall.setArgs(r));
            }
            case "windows_service" -> {
                if (delete) {
                    return null; // cem never deletes a service: it forgets it
                }
                args.put("name", a.path("service").asText());
                // sc.exe config's start= values (Microsoft Learn, sc config): delayed start is its own mode there.
                String mode = switch (a.path("startType").asText("")) {
                    case "automatic" -> "auto";
                    case "delayed" -> "delayed-auto";
                    case "manual" -> "demand";
                    case "disabled" -> "disabled";
                    default -> null;
                };
                args.put("startMode", mode);
                args.put("state", a.hasNonNull("state") ? a.get("state").asText() : null);
                return agent.add("windows_service.set", args);
            }
            case "resource_target", "cem_policy" -> {
                return AsdkOps.add(agent, change, host, new AsdkReads(known.asdk()));
            }
            case "internet_gateway", "cem_certificate", "site_server", "offline_package" -> {
                return Itms.op(agent, change, Itms.restartsService(change.operation() == ApplyRequest.Operation.CREATE, known));
            }
            default -> throw new IllegalArgumentException("not a Windows resource type: " + r.type());
        }
    }
}

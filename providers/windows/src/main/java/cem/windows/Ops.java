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

    /** Adds the op for a change; returns its index, or null when the change needs none (forgetting a service). */
    static Integer add(Agent agent, ApplyRequest.Change change, HostTarget host) throws IOException, GeneralSecurityException {
        ResourceInstance r = change.resource();
        JsonNode a = r.attributes();
        boolean delete = change.operation() == ApplyRequest.Operation.DELETE;
        ObjectNode args = WindowsProvider.object();
        switch (r.type()) {
            case "certificate" -> {
                if (delete) {
                    args.put("thumbprint", r.identity() != null ? r.identity() : a.path("thumbprint").asText());
                    return agent.add("certificate.remove", args);
                }
                CertificateFiles.Pfx pfx = CertificateFiles.pfx(a, host.configDirectory());
                args.put("pfx", WindowsProvider.base64(pfx.bytes())).put("password", pfx.password());
                if (a.hasNonNull("friendlyName")) {
                    args.put("friendlyName", a.get("friendlyName").asText());
                }
                return agent.add("certificate.import", args);
            }
            case "iis_binding" -> {
                args.put("site", a.path("site").asText()).put("protocol", a.path("protocol").asText("https"))
                        .put("ip", a.path("ip").asText("*")).put("port", a.path("port").asInt())
                        .put("hostHeader", a.path("hostHeader").asText(""));
                if (delete) {
                    return agent.add("iis_binding.remove", args);
                }
                args.put("sni", a.path("sni").asBoolean(false));
                args.put("thumbprint", Reads.relatedThumbprint(r, host).orElseThrow(() ->
                        new IllegalArgumentException("the certificate " + a.path("certificate").asText() + " cannot be read")));
                return agent.add("iis_binding.set", args);
            }
            case "windows_firewall_rule" -> {
                args.put("ruleName", Reads.ruleName(r));
                if (delete) {
                    return agent.add("windows_firewall_rule.remove", args);
                }
                args.put("displayName", a.path("displayName").asText(Reads.ruleName(r)));
                for (String f : new String[] {"direction", "action", "protocol", "enabled"}) {
                    if (a.has(f)) {
                        args.set(f, a.get(f));
                    }
                }
                for (String f : new String[] {"localPorts", "remotePorts", "remoteAddresses", "profiles"}) {
                    args.set(f, a.has(f) ? a.get(f) : WindowsProvider.array());
                }
                return agent.add("windows_firewall_rule.set", args);
            }
            case "windows_service" -> {
                if (delete) {
                    return null; // cem never deletes a service: it forgets it
                }
                args.put("service", a.path("service").asText());
                if (a.has("state")) {
                    args.set("state", a.get("state"));
                }
                if (a.has("startType")) {
                    args.set("startType", a.get("startType"));
                }
                return agent.add("windows_service.set", args);
            }
            case "internet_gateway", "resource_target", "cem_policy", "cem_certificate", "site_server", "offline_package" -> {
                return Itms.op(agent, change);
            }
            default -> throw new IllegalArgumentException("not a Windows resource type: " + r.type());
        }
    }
}

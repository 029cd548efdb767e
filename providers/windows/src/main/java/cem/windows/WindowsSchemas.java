package cem.windows;

import cem.spi.AttributeSchema;
import cem.spi.AttributeSchema.Kind;
import cem.spi.ResourceSchema;
import java.util.List;
import java.util.Map;

/** The Windows provider's resource types (DESIGN §3, domain §10). */
final class WindowsSchemas {

    private WindowsSchemas() {}

    static final String DEFAULT_POLICY = "Cloud-enabled Management Settings";

    static Map<String, ResourceSchema> all() {
        Map<String, ResourceSchema> all = new java.util.HashMap<>(windows());
        all.put("internet_gateway", ResourceSchema.of("internet_gateway", false, Map.of("autoRefresh", true),
                List.of(AttributeSchema.of("externalFqdn", Kind.CASE_INSENSITIVE),
                        AttributeSchema.of("listenerPort", Kind.NUMBER),
                        AttributeSchema.of("servers", Kind.OBJECT),
                        AttributeSchema.of("autoRefresh", Kind.BOOLEAN),
                        AttributeSchema.of("statusReporting", Kind.BOOLEAN),
                        AttributeSchema.of("version", Kind.STRING),
                        AttributeSchema.of("registered", Kind.BOOLEAN).asComputed(),
                        AttributeSchema.of("installedVersion", Kind.STRING).asComputed(),
                        AttributeSchema.of("serviceState", Kind.STRING).asComputed())));
        all.put("resource_target", ResourceSchema.of("resource_target", false,
                Map.of("mode", "computers", "baseGroup", "All Discovered Resources"), List.of(
                        AttributeSchema.of("targetName", Kind.STRING).forcingReplacement(),
                        AttributeSchema.of("asdkUrl", Kind.STRING),
                        AttributeSchema.of("guid", Kind.CASE_INSENSITIVE).forcingReplacement(),
                        AttributeSchema.of("mode", Kind.CASE_INSENSITIVE).forcingReplacement(),
                        AttributeSchema.of("baseGroup", Kind.STRING).forcingReplacement(),
                        AttributeSchema.of("filters", Kind.OBJECT).forcingReplacement(),
                        AttributeSchema.of("memberCount", Kind.NUMBER).asComputed())));
        all.put("cem_policy", ResourceSchema.of("cem_policy", false,
                Map.of("enabled", true, "allowCloudCommunication", true, "policyName", DEFAULT_POLICY), List.of(
                        AttributeSchema.of("policyName", Kind.STRING).forcingReplacement(),
                        AttributeSchema.of("asdkUrl", Kind.STRING),
                        AttributeSchema.of("enabled", Kind.BOOLEAN),
                        AttributeSchema.of("allowCloudCommunication", Kind.BOOLEAN),
                        AttributeSchema.of("gateways", Kind.OBJECT),
                        AttributeSchema.of("preferCem", Kind.BOOLEAN),
                        AttributeSchema.of("preferCemOnVpn", Kind.BOOLEAN),
                        AttributeSchema.of("targets", Kind.SET),
                        AttributeSchema.of("targetGuids", Kind.SET),
                        AttributeSchema.of("nsVersion", Kind.STRING).asComputed(),
                        AttributeSchema.of("gatewaysOnline", Kind.SET).asComputed())));
        all.put("cem_certificate", ResourceSchema.of("cem_certificate", false, Map.of("revoked", true), List.of(
                AttributeSchema.of("computer", Kind.CASE_INSENSITIVE).forcingReplacement(),
                AttributeSchema.of("thumbprint", Kind.CASE_INSENSITIVE).forcingReplacement(),
                AttributeSchema.of("revoked", Kind.BOOLEAN))));
        all.put("site_server", ResourceSchema.of("site_server", false, Map.of("cemRole", true), List.of(
                AttributeSchema.of("serverFqdn", Kind.CASE_INSENSITIVE).forcingReplacement(),
                AttributeSchema.of("publishedFqdn", Kind.CASE_INSENSITIVE),
                AttributeSchema.of("cemRole", Kind.BOOLEAN),
                AttributeSchema.of("communicationHosts", Kind.SET),
                AttributeSchema.of("certificate", Kind.STRING))));
        all.put("offline_package", ResourceSchema.of("offline_package", false, Map.of(), List.of(
                AttributeSchema.of("policy", Kind.STRING),
                AttributeSchema.of("output", Kind.STRING).forcingReplacement())));
        for (String type : new String[] {"windows_service", "internet_gateway", "site_server", "cem_certificate"}) {
            all.put(type, all.get(type).forgettingOnDelete());
        }
        all.put("resource_target", all.get("resource_target").forgettingOnDeleteWhenSet("guid"));
        return Map.copyOf(all);
    }

    private static Map<String, ResourceSchema> windows() {
        return Map.of(
                "certificate", ResourceSchema.of("certificate", true, Map.of("store", "My"), List.of(
                        AttributeSchema.of("pfx", Kind.STRING).forcingReplacement(),
                        AttributeSchema.of("pem", Kind.STRING).forcingReplacement(),
                        AttributeSchema.of("password", Kind.STRING).asSensitive(),
                        AttributeSchema.of("store", Kind.CASE_INSENSITIVE).forcingReplacement(),
                        AttributeSchema.of("friendlyName", Kind.STRING),
                        AttributeSchema.of("thumbprint", Kind.CASE_INSENSITIVE).asComputed(),
                        AttributeSchema.of("subject", Kind.STRING).asComputed(),
                        AttributeSchema.of("notAfter", Kind.STRING).asComputed(),
                        AttributeSchema.of("minDaysValid", Kind.NUMBER),
                        AttributeSchema.of("allowEcdsa", Kind.BOOLEAN),
                        AttributeSchema.of("trustedCaFile", Kind.STRING),
                        // Issued by an ACME CA: cem fills in "names" and, once issued, the PEM it keeps sealed ("pemData").
                        AttributeSchema.of("acme", Kind.OBJECT),
                        AttributeSchema.of("names", Kind.SET),
                        AttributeSchema.of("pemData", Kind.STRING).asSensitive())),
                "iis_binding", ResourceSchema.of("iis_binding", false,
                        Map.of("protocol", "https", "ip", "*", "hostHeader", "", "sni", false), List.of(
                                AttributeSchema.of("site", Kind.CASE_INSENSITIVE).forcingReplacement(),
                                AttributeSchema.of("protocol", Kind.CASE_INSENSITIVE).forcingReplacement(),
                                AttributeSchema.of("ip", Kind.IP_WILDCARD).forcingReplacement(),
                                AttributeSchema.of("port", Kind.NUMBER).forcingReplacement(),
                                AttributeSchema.of("hostHeader", Kind.CASE_INSENSITIVE).forcingReplacement(),
                                AttributeSchema.of("sni", Kind.BOOLEAN).forcingReplacement(),
                                AttributeSchema.of("certificate", Kind.STRING),
                                AttributeSchema.of("thumbprint", Kind.CASE_INSENSITIVE).asComputed())),
                "windows_firewall_rule", ResourceSchema.of("windows_firewall_rule", false,
                        Map.of("enabled", true, "protocol", "tcp", "profiles", List.of("any")), List.of(
                                AttributeSchema.of("ruleName", Kind.STRING).forcingReplacement(),
                                AttributeSchema.of("displayName", Kind.STRING),
                                AttributeSchema.of("direction", Kind.CASE_INSENSITIVE),
                                AttributeSchema.of("action", Kind.CASE_INSENSITIVE),
                                AttributeSchema.of("protocol", Kind.CASE_INSENSITIVE),
                                AttributeSchema.of("localPorts", Kind.SET),
                                AttributeSchema.of("remotePorts", Kind.SET),
                                AttributeSchema.of("remoteAddresses", Kind.SET),
                                AttributeSchema.of("profiles", Kind.SET),
                                AttributeSchema.of("enabled", Kind.BOOLEAN))),
                "windows_service", ResourceSchema.of("windows_service", false, Map.of(), List.of(
                        AttributeSchema.of("service", Kind.CASE_INSENSITIVE).forcingReplacement(),
                        AttributeSchema.of("state", Kind.CASE_INSENSITIVE),
                        AttributeSchema.of("startType", Kind.CASE_INSENSITIVE))));
    }
}

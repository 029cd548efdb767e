package cem.windows;

import cem.spi.AttributeSchema;
import cem.spi.AttributeSchema.Kind;
import cem.spi.ResourceSchema;
import java.util.List;
import java.util.Map;

/** The Windows provider's resource types (DESIGN §3, domain §10). */
final class WindowsSchemas {

    private WindowsSchemas() {}

    static Map<String, ResourceSchema> all() {
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
                        AttributeSchema.of("trustedCaFile", Kind.STRING))),
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

package cem.testkit.fake;

import cem.spi.AttributeSchema;
import cem.spi.AttributeSchema.Kind;
import cem.spi.ResourceSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Schemas of every cem resource type as the fake provider serves them: realistic replace rules and secrets. */
final class FakeSchemas {

    private FakeSchemas() {}

    static Map<String, ResourceSchema> all() {
        Map<String, ResourceSchema> out = new LinkedHashMap<>();
        AttributeSchema id = AttributeSchema.of("id", Kind.STRING).asComputed();
        add(out, ResourceSchema.of("certificate", true, Map.of("store", "My"), List.of(id,
                AttributeSchema.of("pfx", Kind.STRING).forcingReplacement(),
                AttributeSchema.of("pem", Kind.STRING).forcingReplacement(),
                AttributeSchema.of("password", Kind.STRING).asSensitive(),
                AttributeSchema.of("thumbprint", Kind.CASE_INSENSITIVE).asComputed(),
                AttributeSchema.of("minDaysValid", Kind.NUMBER))));
        add(out, ResourceSchema.of("iis_binding", false, Map.of("protocol", "https", "ip", "*", "hostHeader", "", "sni", false),
                List.of(id,
                        AttributeSchema.of("site", Kind.CASE_INSENSITIVE).forcingReplacement(),
                        AttributeSchema.of("protocol", Kind.CASE_INSENSITIVE).forcingReplacement(),
                        AttributeSchema.of("ip", Kind.IP_WILDCARD).forcingReplacement(),
                        AttributeSchema.of("port", Kind.NUMBER).forcingReplacement(),
                        AttributeSchema.of("hostHeader", Kind.CASE_INSENSITIVE).forcingReplacement(),
                        AttributeSchema.of("sni", Kind.BOOLEAN),
                        AttributeSchema.of("certificate", Kind.STRING))));
        add(out, ResourceSchema.of("windows_firewall_rule", false, Map.of("enabled", true, "protocol", "tcp"), List.of(id,
                AttributeSchema.of("ruleName", Kind.STRING).forcingReplacement(),
                AttributeSchema.of("localPorts", Kind.SET),
                AttributeSchema.of("remotePorts", Kind.SET),
                AttributeSchema.of("remoteAddresses", Kind.SET),
                AttributeSchema.of("profiles", Kind.SET),
                AttributeSchema.of("enabled", Kind.BOOLEAN))));
        add(out, ResourceSchema.of("windows_service", false, Map.of(), List.of(id,
                AttributeSchema.of("service", Kind.CASE_INSENSITIVE).forcingReplacement())));
        add(out, ResourceSchema.of("internet_gateway", false, Map.of("autoRefresh", true, "statusReporting", true), List.of(id,
                AttributeSchema.of("listenerPort", Kind.NUMBER),
                AttributeSchema.of("externalFqdn", Kind.CASE_INSENSITIVE))));
        add(out, ResourceSchema.of("cem_policy", false, Map.of("enabled", true, "allowCloudCommunication", true), List.of(id,
                AttributeSchema.of("targets", Kind.SET),
                AttributeSchema.of("targetGuids", Kind.SET))));
        add(out, ResourceSchema.of("resource_target", false, Map.of(), List.of(id)));
        add(out, ResourceSchema.of("site_server", false, Map.of(), List.of(id)));
        add(out, ResourceSchema.of("offline_package", false, Map.of(), List.of(id)));
        add(out, ResourceSchema.of("cem_certificate", false, Map.of(), List.of(id)));
        add(out, ResourceSchema.of("nft_rule", false, Map.of(), List.of(id,
                AttributeSchema.of("table", Kind.STRING).forcingReplacement(),
                AttributeSchema.of("dport", Kind.SET))));
        add(out, ResourceSchema.of("bigip_gateway_vip", false, Map.of(), List.of(id)));
        return out;
    }

    private static void add(Map<String, ResourceSchema> out, ResourceSchema schema) {
        out.put(schema.type(), schema);
    }
}

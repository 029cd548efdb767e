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
        all.put("internet_gateway", ResourceSchema.of("internet_gateway", false,
                Map.of("autoRefresh", true, "servers[].port", Itms.DEFAULT_SITE_PORT),
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
                        // [?] not in the exported item (AsdkReads.readTarget): what cem set stands
                        AttributeSchema.of("mode", Kind.CASE_INSENSITIVE).forcingReplacement().asUnreadable(),
                        AttributeSchema.of("baseGroup", Kind.STRING).forcingReplacement().asUnreadable(),
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
                        // AsdkOps.policy sends the targets' GUIDs (AssignResourceTargetsToPolicy, S20): a replaced target has a new one
                        AttributeSchema.of("targets", Kind.SET).asResolvedAtApply(),
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
        identities(all);
        all.put("windows_firewall_rule", all.get("windows_firewall_rule").namedAfterResource("ruleName", Firewall::defaultRuleName));
        all.put("resource_target", all.get("resource_target").namedAfterResource("targetName", name -> name));
        return Map.copyOf(all);
    }

    /**
     * How each type's object is found on its host, with the provider's own defaults. Names Windows or
     * ITMS compares ignoring case are lower-cased; where no source says how they compare, they are too
     * (a false alarm costs a rename, a missed collision two resources fighting over one object).
     */
    private static void identities(Map<String, ResourceSchema> all) {
        identify(all, "certificate", "the certificate store + the certificate file (pfx or pem): one file imported twice into one store "
                + "is one certificate", (name, a) -> lower(a.path("store").asText()) + " "
                + java.nio.file.Path.of(a.path(a.has("pfx") ? "pfx" : "pem").asText()).normalize());
        identify(all, "iis_binding", "site + protocol + IP address + port + host header: IIS keeps one binding of a site per such tuple",
                (name, a) -> lower(Bindings.identity(Bindings.of(a))));
        // [?] New-NetFirewallRule's documentation does not say whether rule names (-Name) compare ignoring case.
        identify(all, "windows_firewall_rule", "the rule name (ruleName, by default cem-NAME; compared ignoring case)",
                (name, a) -> lower(Firewall.ruleName(name, a)));
        // "service name comparisons are always case insensitive" (Microsoft Learn, CreateServiceW, lpServiceName).
        identify(all, "windows_service", "the service name (compared ignoring case, as Windows does)", (name, a) -> lower(a.path("service").asText()));
        identify(all, "internet_gateway", "the host: a host runs one Internet Gateway", (name, a) -> "internet-gateway");
        // [?] Whether the NS compares item names ignoring case is not documented.
        identify(all, "cem_policy", "the policy item's name on the NS (policyName, by default \"" + DEFAULT_POLICY + "\"; compared ignoring case)",
                (name, a) -> lower(a.path("policyName").asText(DEFAULT_POLICY)));
        identify(all, "resource_target", "the target's GUID when guid is set, else its name on the NS (targetName, by default NAME; "
                + "compared ignoring case)", (name, a) -> a.hasNonNull("guid") ? "guid " + Asdk.normalGuid(a.get("guid").asText())
                : "name " + lower(a.path("targetName").asText(name)));
        identify(all, "site_server", "the site server's FQDN (serverFqdn; compared ignoring case)", (name, a) -> lower(a.path("serverFqdn").asText()));
        identify(all, "offline_package", "the package file it writes (output)",
                (name, a) -> java.nio.file.Path.of(a.path("output").asText()).normalize().toString());
        identify(all, "cem_certificate", "the revoked certificate's thumbprint when set, else the computer's name (compared ignoring case)",
                (name, a) -> a.path("thumbprint").asText("").isEmpty() ? "computer " + lower(a.path("computer").asText())
                        : "thumbprint " + lower(a.path("thumbprint").asText()));
    }

    private static void identify(Map<String, ResourceSchema> all, String type, String description,
            java.util.function.BiFunction<String, com.fasterxml.jackson.databind.JsonNode, String> key) {
        all.put(type, all.get(type).identifiedBy(description, key));
    }

    private static String lower(String text) {
        return text.toLowerCase(java.util.Locale.ROOT);
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

package cem.config;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Rules within and between resources that the schema cannot say: IIS bindings and their
 * certificates, HTTP.SYS bindings shared by sites, CEM policy targets, F5 pass-through, and
 * attributes that go together.
 */
final class ResourceRules {

    Diagnostics check(Configuration config) {
        Diagnostics.Builder out = Diagnostics.builder();
        bindings(config, out);
        policies(config, out);
        nftRules(config, out);
        for (ResourceConfig vip : config.ofType("bigip_gateway_vip")) {
            for (int i = 0; i < vip.body().path("profiles").size(); i++) {
                String profile = vip.attr("profiles/" + i).asText().toLowerCase(Locale.ROOT);
                if (profile.contains("ssl") || profile.contains("http") || profile.contains("tls")) {
                    out.add(Diagnostic.error(ConfigCodes.BIGIP_SSL_PROFILE, "F5 profile \"" + profile + "\" would end TLS before the gateway",
                            "Broadcom supports an F5 in front of Internet Gateways only as TCP pass-through: the TLS handshake must end on the gateway (KB 181705, KB 178549).",
                            "Remove SSL and HTTP profiles; use a TCP profile only.", vip.range("profiles/" + i)).withAddress(vip.address()));
                }
            }
        }
        for (ResourceConfig revocation : config.ofType("cem_certificate")) {
            if (revocation.string("computer").isEmpty() && revocation.string("thumbprint").isEmpty()) {
                out.add(Diagnostic.error(ConfigCodes.MISSING_KEY, "Missing \"computer\" or \"thumbprint\" in cem_certificate \"" + revocation.name() + "\"",
                        "A revocation names the agent certificate by its computer or its thumbprint.",
                        "Add \"computer:\" or \"thumbprint:\".", revocation.declRange()).withAddress(revocation.address()));
            }
        }
        for (ResourceConfig pkg : config.ofType("offline_package")) {
            String output = pkg.string("output").orElse("");
            if (!output.isEmpty() && cem.fs.Confined.inside(config.directory(), output).isEmpty()) {
                out.add(Diagnostic.error(ConfigCodes.OUTPUT_OUTSIDE_CONFIGURATION, "The offline package's output leads out of the configuration's directory",
                        "\"" + output + "\" resolves (links followed) outside " + config.directory() + ", or to the directory itself; cem writes"
                                + " this file on apply and deletes it when the resource is removed, so it may only be a file of this configuration.",
                        "Give a path inside the configuration's directory, such as .cem/cem-offline-package.zip.", pkg.range("output"))
                        .withAddress(pkg.address()));
            }
        }
        return out.build();
    }

    /**
     * nftables rules: every rule of one chain agrees on the chain's hook and priority (cem creates
     * the chain from them), and the addresses of one field are of one family (one nft match holds one).
     */
    private static void nftRules(Configuration config, Diagnostics.Builder out) {
        Map<String, ResourceConfig> chainOwner = new LinkedHashMap<>();
        for (ResourceConfig rule : config.ofType("nft_rule")) {
            String table = rule.string("table").orElse("inet cem");
            String hook = rule.string("hook").orElse("forward");
            String chain = rule.host() + " " + table + " " + rule.string("chain").orElse(hook);
            ResourceConfig first = chainOwner.putIfAbsent(chain, rule);
            if (first != null) {
                String firstHook = first.string("hook").orElse("forward");
                int firstPriority = first.attr("priority").asInt(0);
                int priority = rule.attr("priority").asInt(0);
                if (!firstHook.equals(hook) || firstPriority != priority) {
                    out.add(Diagnostic.error(ConfigCodes.NFT_CHAIN_CONFLICT, "Chain declared twice with different settings",
                            "Rule \"" + first.name() + "\" (" + first.declRange().label() + ") puts chain " + chain.substring(chain.indexOf(' ') + 1)
                                    + " on hook " + firstHook + " priority " + firstPriority + "; this rule says hook " + hook + " priority "
                                    + priority + ". cem creates each chain once, from its rules.",
                            "Give every rule of the chain the same hook and priority, or name another chain.",
                            firstPriority != priority && rule.body().has("priority") ? rule.range("priority")
                                    : rule.body().has("hook") ? rule.range("hook") : rule.declRange())
                            .withAddress(rule.address()));
                }
            }
            java.util.Set<String> families = new java.util.TreeSet<>();
            for (String field : new String[] {"saddr", "daddr"}) {
                JsonNode values = rule.attr(field);
                boolean v4 = false;
                boolean v6 = false;
                int sets = 0;
                for (JsonNode v : values) {
                    String a = v.asText();
                    if (!NFT_ADDRESS.matcher(a).matches()) {
                        // Checked here, not by nft on the host: a value that is no address never leaves this machine.
                        out.add(Diagnostic.error(ConfigCodes.INVALID_VALUE, "\"" + field + "\" holds something that is not an address",
                                "Each entry is an IPv4 or IPv6 address, a prefix (192.0.2.0/24, 2001:db8::/32) or one named set (@blocklist).",
                                "Write the address as an IP literal.", rule.range(field)).withAddress(rule.address()));
                        continue;
                    }
                    if (a.startsWith("@")) {
                        sets++;
                    } else if (a.contains(":")) {
                        v6 = true;
                    } else {
                        v4 = true;
                    }
                }
                if (v4 != v6) {
                    families.add(v4 ? "IPv4" : "IPv6");
                }
                String problem = v4 && v6 ? "mixes IPv4 and IPv6 addresses"
                        : field.equals("daddr") && families.size() > 1 ? "is " + (v4 ? "IPv4" : "IPv6") + " but \"saddr\" is not"
                        : sets > 0 && values.size() > 1 ? "mixes a named set with other entries"
                        : v6 && table.startsWith("ip ") ? "holds IPv6 addresses in an IPv4 (ip) table"
                        : v4 && table.startsWith("ip6 ") ? "holds IPv4 addresses in an IPv6 (ip6) table" : null;
                if (problem != null) {
                    out.add(Diagnostic.error(ConfigCodes.NFT_ADDRESS_FAMILY, "\"" + field + "\" " + problem,
                            "One nftables match compares one address family, or one named set.",
                            "Split the rule in two (one per family), or use table \"inet cem\", which holds both.", rule.range(field))
                            .withAddress(rule.address()));
                }
            }
        }
    }

    /** An address nft_rule accepts: IPv4 or IPv6, optionally with a prefix length, or a named set. */
    private static final java.util.regex.Pattern NFT_ADDRESS = java.util.regex.Pattern.compile(
            "(\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?)|([0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}(/\\d{1,3})?)|(@[A-Za-z_][A-Za-z0-9_]{0,62})");

    private static void bindings(Configuration config, Diagnostics.Builder out) {
        Map<String, List<ResourceConfig>> sharedEndpoints = new LinkedHashMap<>();
        for (ResourceConfig b : config.ofType("iis_binding")) {
            boolean https = b.string("protocol").orElse("https").equals("https");
            boolean sni = b.flag("sni", false);
            if (sni && b.string("hostHeader").orElse("").isEmpty()) {
                out.add(Diagnostic.error(ConfigCodes.CONFLICTING_KEYS, "SNI binding without a host header",
                        "With Server Name Indication, HTTP.SYS selects the certificate by host name; this binding has none.",
                        "Add \"hostHeader:\" or set \"sni: false\".", b.range("sni")).withAddress(b.address()));
            }
            Optional<String> certName = b.string("certificate");
            if (https && certName.isEmpty()) {
                out.add(Diagnostic.error(ConfigCodes.BINDING_NEEDS_CERT, "HTTPS binding without a certificate",
                        "An https binding needs a certificate; a missing or wrong IIS certificate binding is the most frequent CEM outage.",
                        "Add \"certificate: <name of a certificate resource on host " + b.host() + ">\".", b.declRange()).withAddress(b.address()));
                continue;
            }
            if (certName.isEmpty()) {
                continue;
            }
            config.resource("certificate", certName.get()).ifPresent(cert -> {
                if (cert.host() != null && b.host() != null && !cert.host().equals(b.host())) {
                    out.add(Diagnostic.error(ConfigCodes.BINDING_CERT_OTHER_HOST, "Binding uses a certificate of another host",
                            "Certificate \"" + cert.name() + "\" is imported on host \"" + cert.host() + "\" (" + cert.range("host").label()
                                    + "), but this binding is on \"" + b.host() + "\". IIS binds only certificates of its own store.",
                            "Declare a certificate resource for host \"" + b.host() + "\" (the same PFX may be imported on both hosts).",
                            b.range("certificate")).withAddress(b.address()));
                }
            });
            if (https && !sni) {
                String endpoint = b.host() + "|" + b.string("ip").orElse("*") + ":" + b.integer("port").orElse(0);
                sharedEndpoints.computeIfAbsent(endpoint, k -> new ArrayList<>()).add(b);
            }
        }
        for (List<ResourceConfig> sharing : sharedEndpoints.values()) {
            String firstCert = sharing.get(0).string("certificate").orElse("");
            for (ResourceConfig b : sharing.subList(1, sharing.size())) {
                if (!b.string("certificate").orElse("").equals(firstCert)) {
                    out.add(Diagnostic.error(ConfigCodes.SHARED_HTTPSYS_BINDING, "Sites sharing an HTTP.SYS binding need one certificate",
                            "Without SNI, HTTP.SYS holds one certificate per IP:port; these bindings share "
                                    + b.string("ip").orElse("*") + ":" + b.integer("port").orElse(0) + " on host \"" + b.host() + "\": "
                                    + sharing.stream().map(s -> s.address() + " (site \"" + s.string("site").orElse("") + "\", certificate \""
                                            + s.string("certificate").orElse("") + "\")").toList()
                                    + ". Changing it for one site changes it for all.",
                            "Use the same certificate on all of them, or give each site a host header with \"sni: true\".",
                            b.range("certificate")).withAddress(b.address()));
                }
            }
        }
    }

    private static void policies(Configuration config, Diagnostics.Builder out) {
        for (ResourceConfig policy : config.ofType("cem_policy")) {
            boolean cloud = policy.flag("allowCloudCommunication", true);
            boolean empty = policy.body().path("targets").isEmpty() && policy.body().path("targetGuids").isEmpty();
            if (cloud && empty) {
                out.add(Diagnostic.error(ConfigCodes.POLICY_NO_TARGETS, "CEM policy applies to no computers",
                        "Cloud communication is allowed, but the policy has no targets, so no agent receives it and none switches to the gateway.",
                        "Add \"targets:\" (resource_target resources) or \"targetGuids:\" (existing resource targets).",
                        policy.body().has("targets") ? policy.range("targets") : policy.declRange()).withAddress(policy.address()));
            }
        }
    }
}

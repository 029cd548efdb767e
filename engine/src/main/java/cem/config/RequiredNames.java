package cem.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The names the model requires each certificate to cover (KB 440283): a gateway's external FQDN,
 * a site server's internal and published names, an IIS binding's host header (else the name of
 * its host). The certificate rule refuses a certificate that misses one; an ACME certificate
 * requests them.
 */
public final class RequiredNames {

    private RequiredNames() {}

    /**
     * One name a resource requires of the certificate it names.
     *
     * @param user the resource naming the certificate
     * @param name the DNS name to cover
     * @param what why, for messages ("the gateway's external name")
     */
    public record Requirement(ResourceConfig user, String name, String what) {}

    /** Requirements by certificate name, in the order of the configuration. */
    public static Map<String, List<Requirement>> of(Configuration config) {
        Map<String, List<Requirement>> out = new LinkedHashMap<>();
        for (ResourceConfig gw : config.ofType("internet_gateway")) {
            gw.string("externalFqdn").ifPresent(fqdn -> add(out, gw, fqdn, "the gateway's external name"));
        }
        for (ResourceConfig site : config.ofType("site_server")) {
            String what = "the site server's internal and published names";
            site.string("serverFqdn").ifPresent(n -> add(out, site, n, what));
            site.string("publishedFqdn").ifPresent(n -> add(out, site, n, what));
        }
        for (ResourceConfig binding : config.ofType("iis_binding")) {
            String header = binding.string("hostHeader").orElse("");
            String name = !header.isEmpty() ? header
                    : Optional.ofNullable(config.hosts().get(binding.host())).map(HostConfig::clientName).orElse(null);
            if (name != null) {
                add(out, binding, name, header.isEmpty() ? "the name of host \"" + binding.host() + "\"" : "the binding's host header");
            }
        }
        return out;
    }

    /** The distinct names a certificate must cover, lower-cased, in the order they are required. */
    public static List<String> namesOf(Configuration config, String certificate) {
        Set<String> names = new LinkedHashSet<>();
        of(config).getOrDefault(certificate, List.of()).forEach(r -> names.add(r.name().toLowerCase(java.util.Locale.ROOT)));
        return new ArrayList<>(names);
    }

    /** The names an ACME certificate requests: {@code acme.names}, else those the model requires of it. */
    public static List<String> requested(Configuration config, ResourceConfig cert) {
        List<String> given = new ArrayList<>();
        cert.body().path("acme").path("names").forEach(n -> given.add(n.asText().toLowerCase(java.util.Locale.ROOT)));
        return given.isEmpty() ? namesOf(config, cert.name()) : given;
    }

    private static void add(Map<String, List<Requirement>> out, ResourceConfig user, String name, String what) {
        user.string("certificate").ifPresent(cert -> out.computeIfAbsent(cert, k -> new ArrayList<>()).add(new Requirement(user, name, what)));
    }
}

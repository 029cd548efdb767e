package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Realistic out-of-band changes to lab hosts, as an administrator at a console makes them: an
 * HTTPS binding's certificate swapped for another one, a cem firewall rule disabled, the running
 * services stopped, a gateway's listener port changed, the CEM policy disabled, IIS answering 403
 * after a restart. Each change leaves the host as Windows would hold it (the state WindowsState
 * models: HTTP.SYS records, "True"/"False" rules, "Running"/"Stopped" services, registry values, W3C logs). Works on the lab directory's state files; no server needs to run.
 */
public final class Drift {

    private Drift() {}

    /** Applies the changes and says what they were, one line each. */
    public static List<String> apply(Path labDirectory) throws java.io.IOException {
        List<String> done = new ArrayList<>();
        if (!Files.isDirectory(labDirectory)) {
            return done;
        }
        try (var files = Files.list(labDirectory)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                if (file.getFileName().toString().endsWith(NFTABLES_SUFFIX)) {
                    firewall(file, done);
                    continue;
                }
                if (file.getFileName().toString().endsWith(BIGIP_SUFFIX)) {
                    balancer(file, done);
                    continue;
                }
                String host = file.getFileName().toString().replace(".json", "");
                WindowsState state = new WindowsState(file, List.of(), Map.of());
                state.change(s -> drift(file, host, s, done));
            }
        }
        return done;
    }

    /** Where the lab keeps a Linux firewall's nftables ({@code HOST-nftables.json}). */
    static final String NFTABLES_SUFFIX = "-nftables.json";

    /** Where the lab keeps an F5's configuration ({@code HOST-bigip.json}). */
    static final String BIGIP_SUFFIX = "-bigip.json";

    /** Someone adds a second member to a gateway's pool in the F5 GUI: the pool balances across two gateways. */
    private static void balancer(Path file, List<String> done) {
        String host = file.getFileName().toString().replace(BIGIP_SUFFIX, "");
        BigipHost device = new BigipHost(host, file);
        var pools = device.snapshot().path("pools").fieldNames();
        if (pools.hasNext()) {
            String pool = pools.next();
            device.addMember(pool, "172.16.10.99:443");
            done.add(host + ": a second member 172.16.10.99:443 added to pool " + pool + " by hand");
        }
    }

    /** Someone deletes cem's last rule with nft by hand. */
    private static void firewall(Path file, List<String> done) {
        String host = file.getFileName().toString().replace(NFTABLES_SUFFIX, "");
        NftTables nft = new NftTables(file);
        for (Map.Entry<String, JsonNode> table : nft.snapshot().entrySet()) {
            String last = null;
            for (JsonNode chain : table.getValue().path("chains")) {
                for (JsonNode rule : chain.path("rules")) {
                    if (rule.path("comment").asText().startsWith("cem:")) {
                        last = rule.path("comment").asText();
                    }
                }
            }
            String[] key = table.getKey().split(" ", 2);
            if (last != null && nft.deleteRule(key[0], key[1], last)) {
                done.add(host + ": nft rule \"" + last + "\" deleted from table " + table.getKey() + " by hand");
                return;
            }
        }
    }

    private static void drift(Path file, String host, ObjectNode s, List<String> done) {
        Iterator<Map.Entry<String, JsonNode>> ssl = s.path("sslBindings").fields();
        if (ssl.hasNext()) {
            // Someone picks another certificate for the binding in IIS Manager: a new certificate in My, and
            // the HTTP.SYS record (netsh http update sslcert) now names it.
            Map.Entry<String, JsonNode> binding = ssl.next();
            Certificates.Issued other = Certificates.selfSigned("CN=" + host + " (replaced by hand)").dns(host).build();
            String thumb = CertificateStores.add(s, "certificates", other.certificate(), true, "");
            ((ObjectNode) binding.getValue()).put("thumbprint", thumb);
            LabKeys.keep(file.getParent(), thumb, other.keys().getPrivate(), new java.security.cert.Certificate[] {other.certificate()});
            done.add(host + ": the HTTP.SYS binding " + binding.getKey() + " now presents another certificate (" + thumb + ")");
        }
        Iterator<Map.Entry<String, JsonNode>> rules = s.path("firewall").fields();
        if (rules.hasNext()) {
            Map.Entry<String, JsonNode> rule = rules.next();
            ((ObjectNode) rule.getValue()).put("enabled", "False");
            done.add(host + ": firewall rule " + rule.getKey() + " disabled");
        }
        ObjectNode ig = InternetGateway.key(s, s.path("igKey").asText());
        if (ig != null && ig.path("ListenerPort").asInt() != 8443) {
            // The classic silent failure of KB 440283: the listener no longer matches the policy and the firewall.
            ig.put("ListenerPort", 8443);
            done.add(host + ": Internet Gateway listener moved to port 8443 in Gateway Manager");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = s.path("ns").path("targets").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> target = it.next();
            JsonNode first = target.getValue().path("filters").path(0);
            if (first.isObject()) {
                ((ObjectNode) first).put("operation", "Except"); // Union/Intersect/Except: domain §8.2 (S22)
                done.add(host + ": resource target \"" + target.getKey() + "\": its first filter turned into an Except in the console");
            }
            break;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = s.path("ns").path("siteServers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> server = it.next();
            ((ObjectNode) server.getValue()).put("cemRole", false);
            done.add(host + ": site server " + server.getKey() + " no longer serves cloud-enabled agents");
        }
        // A certificate that no binding uses is deleted from the store (a clean-up gone too far); another product's is left alone.
        Iterator<Map.Entry<String, JsonNode>> certs = s.path("certificates").fields();
        while (certs.hasNext()) {
            Map.Entry<String, JsonNode> cert = certs.next();
            boolean bound = cert.getValue().path("friendlyName").asText().equals(CertificateStores.OTHER_PRODUCT);
            for (JsonNode b : s.path("sslBindings")) {
                bound |= b.path("thumbprint").asText().equalsIgnoreCase(cert.getKey());
            }
            if (!bound) {
                certs.remove();
                done.add(host + ": certificate " + cert.getKey() + " deleted from LocalMachine\\My");
                break;
            }
        }
        JsonNode policies = s.path("ns").path("policies");
        for (Iterator<Map.Entry<String, JsonNode>> it = policies.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> policy = it.next();
            if (policy.getValue().path("enabled").asBoolean()) {
                ((ObjectNode) policy.getValue()).put("enabled", false);
                done.add(host + ": policy \"" + policy.getKey() + "\" disabled in the console");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = s.path("services").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> service = it.next();
            if (service.getValue().path("state").asText().equals("Running")) {
                ((ObjectNode) service.getValue()).put("state", "Stopped");
                if (service.getKey().equals(WindowsState.IG_SERVICE_NAME)) {
                    InternetGateway.stopped(s);
                }
                done.add(host + ": service " + service.getKey() + " stopped");
            }
        }
        boolean agentOnly = s.path("sslBindings").isEmpty() && ig == null;
        if (!s.path("sslBindings").isEmpty() && Iis.answered403(s) == 0) {
            Iis.append403(s, 37);
            done.add(host + ": IIS answered 403 to agents 37 times (newest W3SVC log)");
        }
        if (ig != null && s.path("clockSkewSeconds").asLong() == 0) {
            s.put("clockSkewSeconds", 420);
            done.add(host + ": clock 7 minutes ahead of the NS");
        }
        if (agentOnly && s.path("agent").path("secureGatewayMode").asInt() != 1) {
            s.with("agent").put("secureGatewayMode", 1);
            done.add(host + ": agent left at Secure Gateway Mode 1 (the 8.7 stuck state)");
        }
    }
}

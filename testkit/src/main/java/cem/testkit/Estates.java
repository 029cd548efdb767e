package cem.testkit;

/**
 * The benchmark estate (issue 11): per site an NS (WinRM), an Internet Gateway (SSH) and a Linux
 * perimeter firewall, 12 resources — used by bench/estate.sh, the JMH benchmarks and the smoke
 * test, so all three measure the same thing.
 */
public final class Estates {

    private Estates() {}

    /** {@code java -cp cem-testkit.jar cem.testkit.Estates SITES FILE [lab]}: writes the configuration. */
    public static void main(String[] args) throws java.io.IOException {
        java.nio.file.Files.writeString(java.nio.file.Path.of(args[1]), yaml(Integer.parseInt(args[0]), args.length > 2 && args[2].equals("lab")));
    }

    /** The configuration of {@code sites} sites; with {@code lab} every host says lab: true. */
    public static String yaml(int sites, boolean lab) {
        String l = lab ? ", lab: true" : "";
        StringBuilder b = new StringBuilder("version: 1\nhosts:\n");
        for (int i = 0; i < sites; i++) {
            b.append("  ns").append(i).append(": {address: ns").append(i).append(".example.net, fqdn: smp.example.net, os: windows").append(l).append("}\n");
            b.append("  ig").append(i).append(": {address: ig").append(i).append(".example.net, os: windows, transport: ssh").append(l).append("}\n");
            b.append("  fw").append(i).append(": {address: fw").append(i).append(".example.net, os: linux").append(l).append("}\n");
        }
        b.append("resources:\n");
        for (int i = 0; i < sites; i++) {
            String n = String.valueOf(i);
            b.append("  - {type: certificate, name: ns-cert-").append(n).append(", host: ns").append(n)
                    .append(", pfx: ../certs/ns.pfx, password: '${file:../certs/example.pass}'}\n");
            b.append("  - {type: certificate, name: gw-cert-").append(n).append(", host: ig").append(n)
                    .append(", pfx: ../certs/gateway.pfx, password: '${file:../certs/example.pass}'}\n");
            b.append("  - {type: iis_binding, name: ns-https-").append(n).append(", host: ns").append(n)
                    .append(", site: Default Web Site, port: 443, certificate: ns-cert-").append(n).append("}\n");
            b.append("  - {type: iis_binding, name: ns-agent-").append(n).append(", host: ns").append(n)
                    .append(", site: CEM Agent, port: 4726, certificate: ns-cert-").append(n).append("}\n");
            b.append("  - {type: windows_firewall_rule, name: ns-agent-in-").append(n).append(", host: ns").append(n)
                    .append(", direction: inbound, action: allow, localPorts: [4726]}\n");
            b.append("  - {type: windows_firewall_rule, name: ig-in-").append(n).append(", host: ig").append(n)
                    .append(", direction: inbound, action: allow, localPorts: [443]}\n");
            b.append("  - {type: windows_service, name: iis-").append(n).append(", host: ns").append(n)
                    .append(", service: W3SVC, state: running, startType: automatic}\n");
            b.append("  - {type: windows_service, name: gw-svc-").append(n).append(", host: ig").append(n)
                    .append(", service: Symantec Internet Gateway Service, state: running, startType: automatic, dependsOn: [internet_gateway.ig").append(n)
                    .append("]}\n");
            b.append("  - {type: internet_gateway, name: ig").append(n).append(", host: ig").append(n)
                    .append(", externalFqdn: gateway.example.com, listenerPort: 443, certificate: gw-cert-").append(n)
                    .append(", servers: [{fqdn: smp.example.net}], installer: {package: 'C:\\Installers\\Symantec_Internet_Gateway_x64.msi', arguments: [/qn]}}\n");
            b.append("  - {type: resource_target, name: laptops-").append(n).append(", host: ns").append(n)
                    .append(", filters: [{type: resourceCollection, operation: union, ref: All Windows Computers}]}\n");
            b.append("  - {type: cem_policy, name: policy-").append(n).append(", host: ns").append(n)
                    .append(", gateways: [{gateway: ig").append(n).append(", port: 443}], targets: [laptops-").append(n).append("]}\n");
            b.append("  - {type: nft_rule, name: agents-").append(n).append(", host: fw").append(n)
                    .append(", hook: forward, protocol: tcp, dport: [443], daddr: [192.0.2.20], action: accept, gateway: ig").append(n).append("}\n");
        }
        return b.toString();
    }
}

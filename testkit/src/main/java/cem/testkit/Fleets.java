package cem.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A fleet of N lab sites made from examples/gitops's template (an NS, a gateway and a perimeter
 * firewall each): for the rollout tests and bench/fleet.sh, so both use the same sites. Waves: a
 * canary (the first site), 10%, then the rest; no site may fail.
 */
public final class Fleets {

    private Fleets() {}

    /** {@code java -cp cem-testkit.jar cem.testkit.Fleets SITES DIR REPO}: writes the fleet. */
    public static void main(String[] args) {
        write(Path.of(args[1]), Integer.parseInt(args[0]), Path.of(args[2]));
    }

    /** Writes a fleet of {@code sites} sites into {@code dir}, from the repository at {@code repo}; returns {@code dir}. */
    public static Path write(Path dir, int sites, Path repo) {
        Path gitops = repo.resolve("examples/gitops");
        try {
            for (String sub : new String[] {"templates", "certs"}) {
                Path from = gitops.resolve(sub);
                try (Stream<Path> walk = Files.walk(from)) {
                    for (Path p : walk.toList()) {
                        Path target = dir.resolve(sub).resolve(from.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(p, target);
                        }
                    }
                }
            }
            String inventory = Files.readString(gitops.resolve("sites.yaml"));
            StringBuilder b = new StringBuilder(inventory.substring(0, inventory.indexOf("sites:\n"))).append("sites:\n");
            for (int i = 0; i < sites; i++) {
                String name = name(i, sites);
                String ip = "10." + (i / 250) + "." + (i % 250) + ".1";
                b.append("  - name: ").append(name).append(i == 0 ? "\n    wave: canary\n" : "\n")
                        .append("    vars: {nsAddress: ns.").append(name).append(".example.net, gatewayAddress: ").append(ip)
                        .append(", gatewayFqdn: gw-").append(name).append(".example.com, gatewayPublicIp: ").append(ip)
                        .append(", firewallAddress: fw.").append(name).append(".example.net}\n");
            }
            b.append("\nrollout:\n  waves:\n    - name: canary\n    - name: ten-percent\n      percent: 10\n    - name: rest\n  maxFailures: 0\n");
            Files.writeString(dir.resolve("sites.yaml"), b.toString());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Site {@code i}'s name: s00…s19 for 20 sites, s000… for 100 or more. */
    public static String name(int i, int sites) {
        return String.format("s%0" + Math.max(2, String.valueOf(sites - 1).length()) + "d", i);
    }
}

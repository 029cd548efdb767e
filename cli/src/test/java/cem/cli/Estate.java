package cem.cli;

import cem.testkit.fake.FakeWorld;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A configuration directory and a fake world in a temporary directory, driven through the real
 * command line in-process: the engine's test bench.
 */
final class Estate {

    static final String BASE = """
            version: 1
            hosts:
              ns1: {address: smp.example.net, fqdn: smp.example.net, os: windows}
              ig1: {address: 198.51.100.20, os: windows}
            perimeter: {managedBy: network-team, openPorts: [443]}
            resources:
              - type: certificate
                name: ns-cert
                host: ns1
                pfx: ../certs/ns.pfx
                password: ${file:../certs/example.pass}
              - type: certificate
                name: gateway-cert
                host: ig1
                pfx: ../certs/gateway.pfx
                password: ${file:../certs/example.pass}
              - type: iis_binding
                name: ns-https
                host: ns1
                site: Default Web Site
                port: 443
                certificate: ns-cert
              - type: windows_firewall_rule
                name: agents-in
                host: ns1
                direction: inbound
                action: allow
                localPorts: [4726]
              - type: internet_gateway
                name: ig1
                host: ig1
                externalFqdn: gateway.example.com
                listenerPort: 443
                certificate: gateway-cert
                servers: [{fqdn: smp.example.net}]
              - type: cem_policy
                name: default
                host: ns1
                gateways: [{gateway: ig1, port: 443}]
                targetGuids: ["{0b6c1b0f-6d4c-4a44-9d44-6b9a4d8b5a11}"]
            """;

    final Path root;
    final Path config;
    final FakeWorld world;

    Estate(Path root) {
        this.root = root;
        this.config = root.resolve("site");
        this.world = new FakeWorld(root.resolve("world"));
        try {
            Files.createDirectories(config);
            Path certs = Files.createDirectories(root.resolve("certs"));
            for (String f : new String[] {"ns.pfx", "gateway.pfx", "san.pfx", "example.pass"}) {
                Files.copy(CliRun.REPO.resolve("examples/certs").resolve(f), certs.resolve(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        write(BASE);
    }

    Estate write(String yaml) {
        try {
            Files.writeString(config.resolve("estate.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    Estate edit(String from, String to) {
        try {
            String now = Files.readString(config.resolve("estate.yaml"));
            if (!now.contains(from)) {
                throw new AssertionError("config has no \"" + from + "\"");
            }
            return write(now.replace(from, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("CEM_FAKE_WORLD", world.directory().toString());
        return env;
    }

    CliRun cem(String... args) {
        return CliRun.run(env(), root, args);
    }

    /** A live object's attributes on a fake host, to change out of band. */
    ObjectNode object(String host, String address) {
        return (ObjectNode) world.host(host).get(address).get("attributes");
    }

    void changeOutOfBand(String host, String address, String attribute, Object value) {
        ObjectNode objects = world.host(host);
        ObjectNode attrs = (ObjectNode) objects.get(address).get("attributes");
        attrs.putPOJO(attribute, value);
        attrs.set(attribute, new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(value));
        world.save(host, objects);
    }

    void deleteOutOfBand(String host, String address) {
        ObjectNode objects = world.host(host);
        objects.remove(address);
        world.save(host, objects);
    }

    long calls(String kind) {
        try {
            Path log = world.directory().resolve("calls.log");
            return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.startsWith(kind + " ")).count() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void resetCalls() {
        try {
            Files.deleteIfExists(world.directory().resolve("calls.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

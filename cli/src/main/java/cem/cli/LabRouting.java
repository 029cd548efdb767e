package cem.cli;

import cem.config.Configuration;
import cem.config.HostConfig;
import cem.diag.Severity;
import cem.lab.Lab;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hosts that say {@code lab: true} are routed to the embedded lab: it is started in-process on
 * ephemeral ports, and those hosts are reached through the real WinRM and SSH transports, trusted
 * through the lab's CA and host keys, with a password generated for the run.
 */
final class LabRouting {

    static final String PASSWORD_VARIABLE = "CEM_LAB_PASSWORD";

    private LabRouting() {}

    /** The lab directory of a configuration: {@code <config>/.cem/lab}. */
    static Path directory(Path configDirectory) {
        Path dir = configDirectory.toAbsolutePath().normalize();
        // The sites of a fleet (FLEET/sites/NAME, rendered or in memory) share the fleet's lab, so that
        // `cem plan FLEET --sites NAME` and `cem plan FLEET/sites/NAME` see the same hosts.
        Path fleet = dir.getParent() == null ? null : dir.getParent().getParent();
        if (fleet != null && cem.sites.Inventory.isFleet(fleet)) {
            return fleet.resolve(".cem").resolve("lab");
        }
        return dir.resolve(".cem").resolve("lab");
    }

    /** Starts the lab when any host asks for it, else returns null. */
    static Lab start(Configuration config) {
        return start(directory(config.directory()), List.of(config));
    }

    /** Starts one lab for the lab hosts of several configurations (a fleet's sites), else returns null. */
    static Lab start(Path directory, List<Configuration> configs) {
        List<Lab.HostSpec> specs = new ArrayList<>();
        for (Configuration config : configs) {
            for (HostConfig h : config.hosts().values()) {
                if (h.lab()) {
                    // Each configuration (a fleet's site) is its own network in the lab.
                    specs.add(new Lab.HostSpec(h.name(), h.body().path("transport").asText(h.os().equals("windows") ? "winrm" : "ssh"), h.os(),
                            config.directory().toAbsolutePath().normalize().toString()));
                }
            }
        }
        return specs.isEmpty() ? null : Lab.start(directory, specs);
    }

    /** The configuration with its lab hosts pointed at the running lab. */
    static Configuration route(Configuration config, Lab lab) {
        Map<String, HostConfig> hosts = new LinkedHashMap<>();
        for (HostConfig h : config.hosts().values()) {
            Lab.Endpoint e = h.lab() ? lab.endpoint(h.name()) : null;
            if (e == null) {
                hosts.put(h.name(), h);
                continue;
            }
            ObjectNode body = ((ObjectNode) h.body()).deepCopy();
            body.put("address", "127.0.0.1").put("port", e.port()).put("transport", e.transport());
            body.remove("insecureHttp");
            body.putObject("auth").put("scheme", e.transport().equals("ssh") ? "password" : "basic").put("username", e.user())
                    .put("password", "${env:" + PASSWORD_VARIABLE + "}");
            body.putObject("tls").put("caFile", e.caFile().toAbsolutePath().toString());
            body.putObject("ssh").put("knownHosts", e.knownHosts().toAbsolutePath().toString());
            hosts.put(h.name(), new HostConfig(h.name(), h.os(), body, h.doc(), h.pointer()));
        }
        return new Configuration(config.directory(), config.documents(), hosts, config.resources(), config.perimeter(), config.moved(),
                config.removed());
    }
}

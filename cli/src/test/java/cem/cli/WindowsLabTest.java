package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Certificates;
import cem.lab.CommandShell;
import cem.lab.Faults;
import cem.lab.LabSshServer;
import cem.lab.LabWinRmServer;
import cem.lab.WindowsHost;
import cem.lab.WindowsState;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Windows provider end to end through the CLI: one lab host over WinRM (HTTPS, lab CA), one
 * over SSH (Windows OpenSSH), the PowerShell agent answered by the lab's twin.
 */
class WindowsLabTest {

    private static final String PASSWORD = "lab-Pass-31";

    @TempDir
    Path tmp;

    WindowsHost ns;
    WindowsHost ig;
    LabWinRmServer winrm;
    LabSshServer ssh;

    @BeforeEach
    void start() throws Exception {
        ns = new WindowsHost("ns1", new WindowsState(tmp.resolve("lab/ns1.json"), List.of("Default Web Site", "CEM Agent"),
                Map.of("W3SVC", "running")));
        ig = new WindowsHost("ig1", new WindowsState(tmp.resolve("lab/ig1.json"), List.of("Default Web Site"),
                Map.of("Symantec Internet Gateway Service", "stopped")));
        Certificates.Issued ca = Certificates.rootCa("CN=cem lab CA");
        Certificates.Issued tls = ca.issue("CN=127.0.0.1").ip("127.0.0.1").build();
        winrm = new LabWinRmServer(CommandShell.on(ns), new Faults(), "cem", PASSWORD, tls.serverContext(), 30).start();
        ssh = new LabSshServer(tmp.resolve("lab/ig1-ssh"), ig, new Faults(), "cem", PASSWORD, null).start();
        Path site = Files.createDirectories(tmp.resolve("site"));
        Path certs = Files.createDirectories(tmp.resolve("certs"));
        for (String f : new String[] {"ns.pfx", "san.pfx", "gateway.pfx", "example.pass"}) {
            Files.copy(CliRun.REPO.resolve("examples/certs").resolve(f), certs.resolve(f));
        }
        Files.writeString(site.resolve("lab-ca.pem"), ca.certificatePem());
        Files.writeString(site.resolve("lab.pass"), PASSWORD + "\n");
        Files.writeString(site.resolve("known_hosts"), ssh.knownHostsLine() + "\n");
        Files.writeString(site.resolve("estate.yaml"), """
                version: 1
                hosts:
                  ns1:
                    address: 127.0.0.1
                    port: %d
                    fqdn: smp.example.net
                    os: windows
                    auth: {scheme: basic, username: cem, password: "${file:lab.pass}"}
                    tls: {caFile: lab-ca.pem}
                  ig1:
                    address: 127.0.0.1
                    port: %d
                    os: windows
                    transport: ssh
                    auth: {scheme: password, username: cem, password: "${file:lab.pass}"}
                    ssh: {knownHosts: known_hosts}
                resources:
                  - {type: certificate, name: ns-cert, host: ns1, pfx: ../certs/ns.pfx, password: "${file:../certs/example.pass}"}
                  - {type: iis_binding, name: ns-https, host: ns1, site: Default Web Site, port: 443, certificate: ns-cert}
                  - {type: iis_binding, name: ns-cem-agent, host: ns1, site: CEM Agent, port: 4726, certificate: ns-cert}
                  - {type: windows_firewall_rule, name: agents-in, host: ns1, direction: inbound, action: allow, localPorts: [4726]}
                  - {type: windows_service, name: w3svc, host: ns1, service: W3SVC, state: running}
                  - {type: windows_firewall_rule, name: gateway-in, host: ig1, direction: inbound, action: allow, localPorts: [443]}
                  - {type: windows_service, name: ig-service, host: ig1, service: Symantec Internet Gateway Service, state: running, startType: automatic}
                """.formatted(winrm.port(), ssh.port()));
    }

    @AfterEach
    void stop() {
        winrm.close();
        ssh.close();
    }

    private CliRun cem(String... args) {
        return CliRun.run(Map.of(), tmp, args);
    }

    @Test
    void planApplyConvergeDriftAndRotate() throws Exception {
        CliRun first = cem("plan", "--detailed-exitcode", "site");
        assertEquals(2, first.exitCode(), first.err() + first.out());
        assertTrue(first.out().contains("Plan: 2 to adopt, 5 to add, 1 to change, 0 to destroy."), first.out());
        // First contact: the loader finds no agent (exit 3), the agent is installed once, the loader runs the batch.
        assertEquals(3, winrm.scripts(), "first refresh of ns1: loader, install, loader");
        assertEquals(3, ssh.commands(), "first refresh of ig1: loader, install, loader");
        assertTrue(ns.state().snapshot().path("programData").size() == 1, "the agent is installed, content-addressed");

        CliRun apply = cem("apply", "--auto-approve", "site");
        assertEquals(0, apply.exitCode(), apply.err() + apply.out());
        ObjectNode nsState = ns.state().snapshot();
        String thumb = nsState.at("/sslBindings/0.0.0.0:443/thumbprint").asText();
        assertTrue(nsState.get("certificates").has(thumb), "the bound certificate is in LocalMachine\\My");
        assertEquals(thumb, nsState.at("/sslBindings/0.0.0.0:4726/thumbprint").asText());
        assertEquals("Running", ig.state().snapshot().at("/services/SymantecInternetGateway/state").asText(), "named by its display name");

        int scripts = winrm.scripts();
        int commands = winrm.commands();
        int sshCommands = ssh.commands();
        CliRun converged = cem("plan", "--detailed-exitcode", "site");
        assertEquals(0, converged.exitCode(), converged.out() + converged.err());
        assertEquals(scripts + 1, winrm.scripts(), "steady-state refresh: one PowerShell invocation for ns1");
        assertEquals(commands + 1, winrm.commands(), "and no upload: the loader fits in one command line");
        assertEquals(sshCommands + 1, ssh.commands(), "steady-state refresh: one command for ig1");

        ns.state().change(s -> {
            ((ObjectNode) s.at("/firewall/cem-agents-in")).put("enabled", "False");
            ((ObjectNode) s.at("/services/W3SVC")).put("state", "Stopped");
        });
        CliRun drift = cem("plan", "--detailed-exitcode", "site");
        assertEquals(2, drift.exitCode(), drift.out());
        assertTrue(drift.out().contains("# windows_firewall_rule.agents-in has changed"), drift.out());
        assertTrue(drift.out().contains("# windows_service.w3svc has changed"), drift.out());
        assertTrue(drift.out().contains("Plan: 0 to add, 2 to change, 0 to destroy."), drift.out());
        assertEquals(0, cem("apply", "--auto-approve", "site").exitCode());
        assertEquals(0, cem("plan", "--detailed-exitcode", "site").exitCode());

        Files.writeString(tmp.resolve("site/estate.yaml"),
                Files.readString(tmp.resolve("site/estate.yaml")).replace("../certs/ns.pfx", "../certs/san.pfx"));
        CliRun rotate = cem("plan", "site");
        assertTrue(rotate.out().contains("+/- resource \"certificate\" \"ns-cert\""), rotate.out());
        assertTrue(rotate.out().contains("# iis_binding.ns-https will be updated in-place"), rotate.out());
        CliRun rotated = cem("apply", "--auto-approve", "site");
        assertEquals(0, rotated.exitCode(), rotated.err());
        ObjectNode after = ns.state().snapshot();
        String newThumb = after.at("/sslBindings/0.0.0.0:443/thumbprint").asText();
        assertFalse(newThumb.equals(thumb));
        assertFalse(after.get("certificates").has(thumb), "the old certificate is removed");
        assertTrue(after.get("certificates").has(newThumb));
        assertEquals(newThumb, after.at("/sslBindings/0.0.0.0:4726/thumbprint").asText());
        assertEquals(0, cem("plan", "--detailed-exitcode", "site").exitCode());
    }

    /**
     * A create-before-destroy replacement whose import the host refuses (a PFX with two certificates
     * with a private key, which the agent refuses): the old certificate stays in the store, bound
     * and in the state, and nothing says it was destroyed.
     */
    @Test
    void aRefusedImportLeavesTheOldCertificateAlone() throws Exception {
        assertEquals(0, cem("apply", "--auto-approve", "site").exitCode());
        String thumb = ns.state().snapshot().at("/sslBindings/0.0.0.0:443/thumbprint").asText();
        String password = Files.readString(tmp.resolve("certs/example.pass")).strip();
        java.security.KeyStore pfx = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(tmp.resolve("certs/san.pfx"))) {
            pfx.load(in, password.toCharArray());
        }
        Certificates.Issued other = Certificates.selfSigned("CN=a second key").build();
        pfx.setKeyEntry("second", other.keys().getPrivate(), password.toCharArray(), new java.security.cert.Certificate[] {other.certificate()});
        try (var out = Files.newOutputStream(tmp.resolve("certs/two-keys.pfx"))) {
            pfx.store(out, password.toCharArray());
        }
        Files.writeString(tmp.resolve("site/estate.yaml"),
                Files.readString(tmp.resolve("site/estate.yaml")).replace("../certs/ns.pfx", "../certs/two-keys.pfx"));
        assertTrue(cem("plan", "site").out().contains("+/- resource \"certificate\" \"ns-cert\""), "a replacement, the new one first");

        CliRun refused = cem("apply", "--auto-approve", "site");
        assertEquals(1, refused.exitCode(), refused.out() + refused.err());
        assertTrue(refused.err().contains("more than one certificate with a private key"), refused.err());
        assertFalse(refused.err().contains("certificate.ns-cert: Destruction complete"), refused.err());
        assertTrue(refused.out().contains("0 destroyed"), refused.out());
        ObjectNode after = ns.state().snapshot();
        assertTrue(after.get("certificates").has(thumb), "the old certificate stays in LocalMachine\\My");
        assertEquals(thumb, after.at("/sslBindings/0.0.0.0:443/thumbprint").asText(), "and bound");
        assertTrue(cem("state", "show", "certificate.ns-cert", "--dir", "site").out().contains(thumb), "and in the state");
    }
}

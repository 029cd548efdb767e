package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.lab.Certificates;
import cem.lab.CommandShell;
import cem.lab.LabWinRmServer;
import cem.lab.WindowsHost;
import cem.lab.WindowsState;
import cem.testkit.Kdc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cem on a domain-joined workstation: the host says {@code auth: {scheme: kerberos}} and nothing
 * else — no user, no password in any file — and cem plans and applies with the ticket the
 * administrator's logon (here: the real kinit against a real MIT KDC) left in the cache named by
 * KRB5CCNAME. The listener accepts only tickets the KDC issued for HTTP/localhost.
 */
class KerberosWorkstationTest {

    private static final String REALM = "LAB.CEM";

    @TempDir
    static Path tmp;

    static Kdc kdc;
    static LabWinRmServer winrm;
    static WindowsHost ns;

    @BeforeAll
    static void start() throws Exception {
        kdc = Kdc.startOrSkip(tmp.resolve("kdc"), REALM);
        kdc.addUser("cem", "krb-Admin-Pass-8");
        ns = new WindowsHost("ns1", new WindowsState(tmp.resolve("lab/ns1.json"), List.of("Default Web Site"), Map.of("W3SVC", "stopped")));
        Certificates.Issued ca = Certificates.rootCa("CN=cem lab CA");
        winrm = kdc.winrmListener(CommandShell.on(ns), ca); // cem reads KRB5_CONFIG
        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("lab-ca.pem"), ca.certificatePem());
        Files.writeString(site.resolve("estate.yaml"), """
                version: 1
                hosts:
                  ns1:
                    address: localhost
                    port: %d
                    os: windows
                    auth: {scheme: kerberos}
                    tls: {caFile: lab-ca.pem}
                resources:
                  - {type: windows_firewall_rule, name: agents-in, host: ns1, direction: inbound, action: allow, localPorts: [4726]}
                  - {type: windows_service, name: w3svc, host: ns1, service: W3SVC, state: running}
                """.formatted(winrm.port()));
    }

    @AfterAll
    static void stop() {
        if (winrm != null) {
            winrm.close();
        }
        if (kdc != null) {
            kdc.close();
        }
    }

    private static Map<String, String> session(Path cache) {
        return Map.of("KRB5CCNAME", "FILE:" + cache, "KRB5_CONFIG", kdc.krb5Conf().toString());
    }

    @Test
    void planAndApplyWithTheLoggedOnUsersTicket() throws Exception {
        Path cache = tmp.resolve("krb5cc_admin");
        kdc.kinit("cem", "krb-Admin-Pass-8", cache);
        assertFalse(Files.readString(tmp.resolve("site/estate.yaml")).contains("password"), "no password in any file");

        CliRun plan = CliRun.run(session(cache), tmp, "plan", "--detailed-exitcode", "site");
        assertEquals(2, plan.exitCode(), plan.out() + plan.err());
        assertTrue(plan.out().contains("Plan: 1 to adopt, 1 to add, 1 to change, 0 to destroy."), plan.out());
        CliRun apply = CliRun.run(session(cache), tmp, "apply", "--auto-approve", "site");
        assertEquals(0, apply.exitCode(), apply.out() + apply.err());
        assertEquals("Running", ns.state().snapshot().at("/services/W3SVC/state").asText());
        CliRun converged = CliRun.run(session(cache), tmp, "plan", "--detailed-exitcode", "site");
        assertEquals(0, converged.exitCode(), converged.out() + converged.err());
        assertTrue(winrm.kerberosLogins() > 0, "every request was authenticated with the ticket");
    }

    @Test
    void withoutATicketThePlanSaysKinitAndNothingIsSent() {
        int requests = winrm.requests();
        CliRun plan = CliRun.run(session(tmp.resolve("krb5cc_nobody")), tmp, "plan", "site");
        assertEquals(1, plan.exitCode(), plan.out() + plan.err());
        assertTrue(plan.err().contains("No Kerberos ticket to authenticate to ns1"), plan.err());
        assertTrue(plan.err().contains("there is no ticket cache at " + tmp.resolve("krb5cc_nobody")), plan.err());
        assertTrue(plan.err().contains("kinit"), plan.err());
        assertFalse(plan.err().contains("\tat "), "no stack trace: " + plan.err());
        assertEquals(requests, winrm.requests());
    }

    @Test
    void theTicketOverPlainHttpIsRefusedAtValidation() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("http-site"));
        Files.writeString(other.resolve("estate.yaml"), """
                version: 1
                hosts:
                  ns1: {address: ns1.example.net, os: windows, insecureHttp: true, auth: {scheme: kerberos}}
                resources:
                  - {type: windows_service, name: w3svc, host: ns1, service: W3SVC, state: running}
                """);
        CliRun validate = CliRun.run(Map.of(), tmp, "validate", "http-site");
        assertEquals(1, validate.exitCode(), validate.out() + validate.err());
        String all = validate.out() + validate.err();
        assertTrue(all.contains("Kerberos with the logged-on user's ticket over plain HTTP"), all);
        assertTrue(all.contains("estate.yaml:3:"), all);
        // With a password too: winrm4j does not encrypt Kerberos messages, so plain HTTP is refused either way (issue 24, item 12).
        Files.writeString(other.resolve("estate.yaml"), """
                version: 1
                hosts:
                  ns1: {address: ns1.example.net, os: windows, insecureHttp: true, auth: {scheme: kerberos, username: svc@EXAMPLE.NET, password: "${env:CEM_P}"}}
                resources:
                  - {type: windows_service, name: w3svc, host: ns1, service: W3SVC, state: running}
                """);
        CliRun withPassword = CliRun.run(Map.of("CEM_P", "x"), tmp, "validate", "http-site");
        assertEquals(1, withPassword.exitCode(), withPassword.out() + withPassword.err());
        assertTrue((withPassword.out() + withPassword.err()).contains("Error: Kerberos over plain HTTP"), withPassword.out() + withPassword.err());
    }
}

package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plans of the quickstart's lab promise only what apply can do, and show everything it will do:
 * adoptions, values cem knows before apply, defaults, side effects on hosts, and what it cannot do.
 */
class HonestPlanTest {

    @TempDir
    Path tmp;

    private final Map<String, String> env = Map.of();

    private CliRun cem(String... args) {
        return CliRun.run(env, tmp, args);
    }

    private void edit(Path site, String from, String to) throws Exception {
        Path file = site.resolve("estate.yaml");
        String text = Files.readString(file);
        assertTrue(text.contains(from), from);
        Files.writeString(file, text.replace(from, to));
    }

    private static boolean has(String text, String part) {
        return text.replaceAll(" +", " ").contains(part.replaceAll(" +", " "));
    }

    private static JsonNode change(JsonNode plan, String address) {
        for (JsonNode c : plan.get("resource_changes")) {
            if (c.get("address").asText().equals(address)) {
                return c.get("change");
            }
        }
        throw new AssertionError("no " + address);
    }

    /**
     * A target's base group is not in its exported item: the read echoed the configuration, so a changed
     * baseGroup showed as drift and "No changes". And a replaced target left the policy naming the
     * deleted GUID until the next apply: the CEM policy no longer reached the target's computers.
     */
    @Test
    @Timeout(300)
    void aReplacedTargetIsReplacedAndThePolicyPointsAtTheNewOne() throws Exception {
        Path site = CliRun.copyExample(tmp, "quickstart");
        assertEquals(0, cem("apply", "--auto-approve", "quickstart").exitCode());
        edit(site, "    name: cloud-laptops\n    host: ns1\n", "    name: cloud-laptops\n    host: ns1\n    baseGroup: All Computers\n");
        CliRun plan = cem("plan", "--no-color", "quickstart");
        String out = plan.out();
        assertFalse(out.contains("has changed"), "what the configuration changes is no drift: " + out);
        assertTrue(has(out, "~ baseGroup = \"All Discovered Resources\" -> \"All Computers\" # forces replacement"), out);
        assertTrue(has(out, "# cem_policy.default will be updated in-place\n  # apply also points targets at the new resource_target.cloud-laptops"), out);
        assertTrue(has(out, "Plan: 1 to add, 1 to change, 1 to destroy."), out);
        CliRun apply = cem("apply", "--auto-approve", "quickstart");
        assertEquals(0, apply.exitCode(), apply.out() + apply.err());
        CliRun after = cem("plan", "--detailed-exitcode", "quickstart");
        assertEquals(0, after.exitCode(), "the policy holds the new target: " + after.out() + after.err());
    }

    @Test
    @Timeout(300)
    void thePlanSaysWhatApplyWillDo() throws Exception {
        Path site = CliRun.copyExample(tmp, "quickstart");
        CliRun plan = cem("plan", "--no-color", "quickstart");
        assertEquals(0, plan.exitCode(), plan.err());
        String out = plan.out();
        // Adoption: its own headline and count, never "N to change" for an object that does not change.
        assertTrue(has(out, "# windows_service.iis will be adopted\n"), out);
        assertTrue(has(out, "# cem_policy.default will be adopted and updated in-place"), out);
        assertTrue(has(out, "Plan: 2 to adopt, 13 to add, 1 to change, 0 to destroy."), out);
        // Known before apply: the certificate from its file, the binding's thumbprint from its certificate, defaults.
        String thumbprint = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(cem.cert.CertificateFile
                .readPfx(tmp.resolve("certs/ns.pfx"), Files.readString(tmp.resolve("certs/example.pass")).strip().toCharArray()).leaf().getEncoded()));
        assertTrue(has(out, "+ thumbprint = \"" + thumbprint + "\""), out);
        assertTrue(has(out, "+ thumbprint  = \"" + thumbprint + "\""), "the bindings of ns-cert: " + out);
        assertTrue(has(out, "+ subject = \"CN=smp.example.net\""), out);
        assertTrue(has(out, "+ notAfter = \"9999-12-31T23:59:59Z\""), out);
        assertFalse(has(out, "thumbprint = (known after apply)") || has(out, "subject = (known after apply)"), out);
        assertTrue(has(out, "+ servers = [{fqdn = \"smp.example.net\", port = 4726}]"), out);
        // Side effects on the hosts.
        assertTrue(out.contains("  # apply also runs the installer on ig1: msiexec.exe /i C:\\Installers\\Symantec_Internet_Gateway_x64.msi /qn /norestart\n"), out);
        assertTrue(out.contains("  # apply also starts the \"Symantec Internet Gateway Service\" service"), out);
        assertTrue(out.contains("  # apply also sets the HTTP.SYS certificate record of 0.0.0.0:443 to " + thumbprint), out);

        JsonNode json = cem("plan", "--json", "quickstart").json();
        assertEquals("[\"no-op\"]", change(json, "windows_service.iis").get("actions").toString());
        assertEquals("W3SVC", change(json, "windows_service.iis").at("/importing/id").asText());
        assertEquals("[\"update\"]", change(json, "cem_policy.default").get("actions").toString());
        assertTrue(change(json, "cem_policy.default").has("importing"));
        assertFalse(change(json, "certificate.ns-cert").has("importing"));
        assertEquals(thumbprint, change(json, "certificate.ns-cert").at("/after/thumbprint").asText());
        assertFalse(change(json, "certificate.ns-cert").at("/after_unknown").has("thumbprint"));
        assertTrue(change(json, "internet_gateway.ig1").get("side_effects").toString().contains("runs the installer on ig1"));

        CliRun apply = cem("apply", "--auto-approve", "--no-color", "quickstart");
        assertEquals(0, apply.exitCode(), apply.err());
        assertTrue(apply.err().contains("windows_service.iis: Adoption complete"), apply.err());
        assertTrue(apply.out().contains("Apply complete! Resources: 2 adopted, 13 added, 1 changed, 0 destroyed."), apply.out());
        assertEquals(0, cem("plan", "--detailed-exitcode", "quickstart").exitCode(), "the default port recorded is no drift");

        // A new listener port: the running gateway service is restarted, and its settings backed up first.
        for (String[] e : new String[][] {{"listenerPort: 443", "listenerPort: 8443"}, {"port: 443\n    targets", "port: 8443\n    targets"},
                {"dport: [443]", "dport: [8443]"}, {"localPorts: [443]", "localPorts: [8443]"}}) {
            edit(site, e[0], e[1]);
        }
        String port = cem("plan", "--no-color", "quickstart").out();
        assertTrue(port.contains("  # apply also restarts the \"Symantec Internet Gateway Service\" service to load the settings: agents connected"
                + " through this gateway reconnect\n"), port);
        assertTrue(port.contains("  # apply also saves the gateway's current settings to C:\\ProgramData\\cem\\ig-backups on ig1 (keeps the newest 5"), port);
        assertEquals(0, cem("apply", "--auto-approve", "quickstart").exitCode());

        // The service stopped on purpose: a settings change says it leaves it stopped, and apply does.
        edit(site, "service: Symantec Internet Gateway Service   # its documented display name; the key name is not documented\n    state: running",
                "service: Symantec Internet Gateway Service\n    state: stopped");
        assertEquals(0, cem("apply", "--auto-approve", "quickstart").exitCode());
        edit(site, "listenerPort: 8443", "listenerPort: 9443");
        edit(site, "port: 8443\n    targets", "port: 9443\n    targets");
        edit(site, "dport: [8443]", "dport: [9443]");
        edit(site, "localPorts: [8443]", "localPorts: [9443]");
        String stopped = cem("plan", "--no-color", "quickstart").out();
        assertTrue(stopped.contains("  # apply also leaves the \"Symantec Internet Gateway Service\" service stopped (it is not running)"), stopped);
        assertFalse(stopped.contains("restarts the \"Symantec Internet Gateway Service\""), stopped);
        assertEquals(0, cem("apply", "--auto-approve", "quickstart").exitCode());
        assertEquals(0, cem("plan", "--detailed-exitcode", "quickstart").exitCode(), "the service is still stopped, as configured");

        // A target replaced gets a new GUID: what cem does not manage loses it.
        edit(site, "operation: union", "operation: intersect");
        CliRun replace = cem("plan", "--no-color", "quickstart");
        assertTrue(replace.err().contains("Warning: Replacing resource_target.cloud-laptops gives the target a new GUID [PRV4009]"), replace.err());
        assertTrue(replace.out().contains("on the NS and creates it again with a new GUID\n"), replace.out());
    }

    @Test
    @Timeout(120)
    void aGatewayThatIsNotInstalledAndHasNoInstallerCannotBeCreated() throws Exception {
        Path site = CliRun.copyExample(tmp, "quickstart");
        edit(site, "    installer:\n      package: C:\\Installers\\Symantec_Internet_Gateway_x64.msi\n      arguments: [/qn, /norestart]\n", "");
        CliRun plan = cem("plan", "--no-color", "quickstart");
        assertEquals(1, plan.exitCode(), plan.out());
        assertTrue(plan.err().contains("Error: The Internet Gateway cannot be created on host ig1 [PRV4008]"), plan.err());
        assertTrue(plan.err().contains("Hint: Add installer.package"), plan.err());
        assertTrue(plan.err().contains("install the Internet Gateway on ig1 first"), plan.err());
        assertTrue(plan.out().contains("# internet_gateway.ig1 cannot be created (PRV4008"), plan.out());
        assertFalse(plan.out().contains("# internet_gateway.ig1 will be created"), plan.out());
        assertEquals(1, cem("apply", "--auto-approve", "quickstart").exitCode(), "nothing is applied");
    }
}

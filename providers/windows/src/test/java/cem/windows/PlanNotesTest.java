package cem.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.diag.Diagnostic;
import cem.diag.Severity;
import cem.lab.Certificates;
import cem.spi.ApplyRequest.Operation;
import cem.spi.HostTarget;
import cem.spi.PlanRequest;
import cem.spi.PlanResponse;
import cem.spi.ResourceInstance;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Windows provider's refinement of a plan: what apply cannot do is an error before any host is
 * changed, every side effect of its ops is named, and what the local files tell is known.
 */
class PlanNotesTest {

    @TempDir
    Path tmp;

    private static final String RUNNING = "{\"keyExists\": true, \"service\": {\"state\": \"Running\"}}";
    private static final String STOPPED = "{\"keyExists\": true, \"service\": {\"state\": \"Stopped\"}}";

    private HostTarget host() {
        return new HostTarget("ig1", WindowsProvider.object(), Map.of(), tmp);
    }

    private static JsonNode json(String text) {
        try {
            return Agent.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static WindowsProvider.Known known(String gateway, String iis) {
        return new WindowsProvider.Known(null, iis == null ? null : json(iis), gateway == null ? null : json(gateway), Map.of());
    }

    private PlanResponse plan(WindowsProvider.Known known, List<Operation> ops, ResourceInstance r, String before) {
        return PlanNotes.of(new PlanRequest(host(), List.of(new PlanRequest.Proposed(ops, r, before == null ? null : json(before)))), known);
    }

    private static ResourceInstance gateway(String extra) {
        return new ResourceInstance("internet_gateway.ig1", "internet_gateway", null,
                json("{\"externalFqdn\": \"gateway.example.com\", \"listenerPort\": 8443, \"servers\": [{\"fqdn\": \"smp.example.net\"}]" + extra + "}"));
    }

    private static List<String> effects(PlanResponse r, String address) {
        return r.resources().get(address).effects();
    }

    @Test
    void aGatewayWithoutInstallerOnAHostWithoutOneCannotBeCreated() {
        PlanResponse r = plan(known("{\"keyExists\": false}", null), List.of(Operation.CREATE), gateway(""), null);
        Diagnostic d = r.diagnostics().list().get(0);
        assertEquals(Severity.ERROR, d.severity());
        assertEquals("PRV4008", d.code());
        assertEquals("internet_gateway.ig1", d.address());
        assertTrue(d.detail().contains("not installed on ig1"), d.detail());
        assertTrue(d.hint().contains("installer.package") && d.hint().contains("install the Internet Gateway on ig1 first"), d.hint());
    }

    @Test
    void aGatewayCreatedFromItsInstallerSaysItRunsItAndStartsTheService() {
        PlanResponse r = plan(known("{\"keyExists\": false}", null), List.of(Operation.CREATE),
                gateway(", \"installer\": {\"package\": \"C:\\\\Installers\\\\ig.msi\", \"arguments\": [\"/qn\"]}"), null);
        assertTrue(r.diagnostics().list().isEmpty(), r.diagnostics().list().toString());
        List<String> effects = effects(r, "internet_gateway.ig1");
        assertTrue(effects.contains("runs the installer on ig1: msiexec.exe /i C:\\Installers\\ig.msi /qn"), effects.toString());
        assertTrue(effects.stream().anyMatch(e -> e.startsWith("starts the \"Symantec Internet Gateway Service\" service")), effects.toString());
    }

    @Test
    void aSettingsChangeNamesTheBackupAndTheRestartOfARunningService() {
        List<String> effects = effects(plan(known(RUNNING, null), List.of(Operation.UPDATE), gateway(", \"backups\": {\"keep\": 3}"),
                "{\"listenerPort\": 443}"), "internet_gateway.ig1");
        assertTrue(effects.stream().anyMatch(e -> e.startsWith("saves the gateway's current settings to C:\\ProgramData\\cem\\ig-backups")
                && e.contains("keeps the newest 3")), effects.toString());
        assertTrue(effects.stream().anyMatch(e -> e.startsWith("restarts the \"Symantec Internet Gateway Service\" service")
                && e.contains("agents connected through this gateway reconnect")), effects.toString());
    }

    @Test
    void aStoppedServiceIsSaidToStayStopped() {
        List<String> effects = effects(plan(known(STOPPED, null), List.of(Operation.UPDATE), gateway(""), "{\"listenerPort\": 443}"),
                "internet_gateway.ig1");
        assertTrue(effects.stream().anyMatch(e -> e.startsWith("leaves the \"Symantec Internet Gateway Service\" service stopped")), effects.toString());
        assertTrue(effects.stream().noneMatch(e -> e.contains("restarts") || e.startsWith("starts")), effects.toString());
    }

    @Test
    void aCertificateIsKnownFromItsFileAndItsIntermediatesAreNamed() throws Exception {
        Certificates.Issued root = Certificates.rootCa("CN=Plan Root");
        Certificates.Issued intermediate = root.issue("CN=Plan Intermediate").ca().build();
        Certificates.Issued leaf = intermediate.issue("CN=www.plan.example").dns("www.plan.example").build();
        leaf.writePfx(tmp.resolve("leaf.pfx"), "pw", true);
        ObjectNode attrs = WindowsProvider.object().put("pfx", "leaf.pfx").put("password", "pw");
        PlanResponse r = plan(WindowsProvider.Known.NONE, List.of(Operation.CREATE),
                new ResourceInstance("certificate.web", "certificate", null, attrs), null);
        Map<String, JsonNode> known = r.resources().get("certificate.web").known();
        assertEquals(CertificateFiles.thumbprint(leaf.certificate()), known.get("thumbprint").asText());
        assertEquals("CN=www.plan.example", known.get("subject").asText());
        assertEquals(leaf.certificate().getNotAfter().toInstant().toString(), known.get("notAfter").asText());
        assertTrue(effects(r, "certificate.web").get(0).startsWith("adds the file's 1 intermediate CA certificate to LocalMachine\\CA"),
                effects(r, "certificate.web").toString());
    }

    @Test
    void aBindingKnowsItsThumbprintAndNamesTheSitesThatShareItsRecord() throws Exception {
        Certificates.Issued leaf = Certificates.selfSigned("CN=smp.example.net").dns("smp.example.net").build();
        leaf.writePfx(tmp.resolve("ns.pfx"), "pw", false);
        String thumbprint = CertificateFiles.thumbprint(leaf.certificate());
        JsonNode cert = WindowsProvider.object().put("pfx", "ns.pfx").put("password", "pw");
        ResourceInstance binding = new ResourceInstance("iis_binding.ns", "iis_binding", null,
                json("{\"site\": \"Default Web Site\", \"port\": 443, \"certificate\": \"ns-cert\"}"), Map.of("certificate.ns-cert", cert));
        String iis = "{\"sites\": [{\"name\": \"Reports\", \"bindings\": [{\"protocol\": \"https\", \"bindingInformation\": \"*:443:\", \"sslFlags\": 0}]}]}";
        PlanResponse r = plan(known(null, iis), List.of(Operation.CREATE), binding, null);
        assertEquals(thumbprint, r.resources().get("iis_binding.ns").known().get("thumbprint").asText());
        assertEquals(List.of("sets the HTTP.SYS certificate record of 0.0.0.0:443 to " + thumbprint
                + ", which the site(s) Reports also use (netsh http sslcert)"), effects(r, "iis_binding.ns"));
    }

    @Test
    void replacingATargetWarnsThatWhatCemDoesNotManageLosesIt() {
        ResourceInstance target = new ResourceInstance("resource_target.laptops", "resource_target", "{5d1c0e6a-0000-4000-8000-000000000001}",
                json("{\"filters\": []}"));
        PlanResponse r = plan(WindowsProvider.Known.NONE, List.of(Operation.DELETE, Operation.CREATE), target, "{}");
        Diagnostic d = r.diagnostics().list().get(0);
        assertEquals(Severity.WARNING, d.severity());
        assertEquals("PRV4009", d.code());
        assertTrue(d.detail().contains("{5d1c0e6a-0000-4000-8000-000000000001}") && d.detail().contains("lose it"), d.detail());
        assertTrue(effects(r, "resource_target.laptops").get(0).contains("new GUID"));
        ResourceInstance adopted = new ResourceInstance("resource_target.theirs", "resource_target", null,
                json("{\"guid\": \"{5d1c0e6a-0000-4000-8000-000000000002}\"}"));
        assertTrue(plan(WindowsProvider.Known.NONE, List.of(Operation.DELETE, Operation.CREATE), adopted, "{}").diagnostics().list().isEmpty(),
                "a target named by its GUID is never deleted");
    }

    @Test
    void aServiceNothingInstallsCannotBeCreated() {
        ResourceInstance service = new ResourceInstance("windows_service.x", "windows_service", null, json("{\"service\": \"NoSuchSvc\"}"));
        Diagnostic d = plan(WindowsProvider.Known.NONE, List.of(Operation.CREATE), service, null).diagnostics().list().get(0);
        assertEquals("PRV4008", d.code());
        assertTrue(d.summary().contains("NoSuchSvc does not exist on host ig1"), d.summary());
        ResourceInstance installed = new ResourceInstance("windows_service.gw", "windows_service", null, json("{\"service\": \"IG\"}"),
                Map.of("internet_gateway.ig1", json("{}")));
        assertTrue(plan(WindowsProvider.Known.NONE, List.of(Operation.CREATE), installed, null).diagnostics().list().isEmpty());
    }
}

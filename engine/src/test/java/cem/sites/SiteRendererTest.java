package cem.sites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.config.Configuration;
import cem.config.SecretResolver;
import cem.config.Validator;
import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.diag.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteRendererTest {

    @TempDir
    Path tmp;

    private static final String TEMPLATE = """
            version: 1
            hosts:
              [=site.name]-ns:
                address: [=address]
                os: windows
            <#if lab>
                lab: true
            </#if>
            resources:
            <#list ports as port>
              - type: windows_firewall_rule
                name: in-[=port]
                host: [=site.name]-ns
                direction: inbound
                action: allow
                localPorts: [[=port]]
            </#list>
            """;

    private Inventory fleet(String inventory, String template) throws IOException {
        Files.createDirectories(tmp.resolve("templates"));
        Files.writeString(tmp.resolve("templates/site.yaml.ftl"), template);
        Files.writeString(tmp.resolve("sites.yaml"), inventory);
        Result<Inventory> loaded = Inventory.load(tmp, tmp);
        assertNotNull(loaded.value(), loaded.diagnostics().toString());
        return loaded.value();
    }

    private static final String THREE = """
            version: 1
            template: templates
            defaults: {lab: true, ports: [443]}
            sites:
              - name: ams
                tags: [eu]
                vars: {address: 192.0.2.1}
              - name: ber
                tags: [eu]
                vars: {address: 192.0.2.2, ports: [443, 8443]}
              - name: nyc
                vars: {address: 192.0.2.3}
            """;

    @Test
    void rendersEachSiteWithItsVariablesAndStripsDirectiveLines() throws IOException {
        Inventory inv = fleet(THREE, TEMPLATE);
        RenderedSite ber = new SiteRenderer(inv, tmp).render(inv.site("ber").orElseThrow()).value();
        String text = ber.files().get(0).text();
        assertTrue(text.startsWith("# Rendered by `cem render` from templates/site.yaml.ftl for site ber of sites.yaml."), text);
        assertTrue(text.contains("  ber-ns:\n    address: 192.0.2.2\n    os: windows\n    lab: true\nresources:\n"), text);
        assertTrue(text.contains("name: in-8443") && text.contains("localPorts: [8443]"), text);
        assertFalse(text.contains("<#") || text.contains("\uE000"), "no directive line or marker is left: " + text);
        assertEquals(tmp.resolve("sites/ber/site.yaml"), ber.files().get(0).path());
    }

    @Test
    void markersGoOnlyOnLinesThatWriteText() {
        String marked = SiteRenderer.mark("a: [=x]\n<#if y>\n  b: 1\n</#if>\n<#-- a\ncomment -->\n<#assign z = (1 >\n 0)>\nc: 2\n", "n", 0);
        String[] lines = marked.split("\n", -1);
        assertEquals("a: [=x]\uE000n:0:1\uE001", lines[0]);
        assertEquals("<#if y>", lines[1]);
        assertEquals("  b: 1\uE000n:0:3\uE001", lines[2]);
        assertEquals("</#if>", lines[3]);
        assertEquals("comment -->", lines[5]);
        assertEquals(" 0)>", lines[7], "a tag spanning lines carries no marker inside it");
        assertEquals("c: 2\uE000n:0:9\uE001", lines[8]);
    }

    @Test
    void anUndefinedVariableNamesTheTemplateLineAndTheSiteEntry() throws IOException {
        Inventory inv = fleet(THREE.replace("    vars: {address: 192.0.2.3}\n", ""), TEMPLATE);
        Result<RenderedSite> r = new SiteRenderer(inv, tmp).render(inv.site("nyc").orElseThrow());
        assertNull(r.value());
        Diagnostic d = r.diagnostics().list().get(0);
        assertEquals(SiteCodes.UNDEFINED_VARIABLE, d.code());
        assertEquals("templates/site.yaml.ftl:4:16", d.subject().label(), "the address of [=address] in the template");
        assertTrue(d.detail().contains("Site nyc (sites.yaml:11:5)"), d.detail());
        assertTrue(d.hint().contains("[=address!\"value\"]"), d.hint());
    }

    @Test
    void aSyntaxErrorPointsIntoTheTemplate() throws IOException {
        Inventory inv = fleet(THREE, TEMPLATE.replace("<#list ports as port>", "<#list ports as>"));
        Diagnostic d = new SiteRenderer(inv, tmp).render(inv.site("ams").orElseThrow()).diagnostics().list().get(0);
        assertEquals(SiteCodes.TEMPLATE_SYNTAX, d.code());
        assertEquals(10, d.subject().start().line(), d.toString());
    }

    @Test
    void aTemplateThatNeverEndsOrGrowsWithoutBoundIsADiagnostic() throws IOException {
        java.time.Duration before = SiteRenderer.LIMIT;
        SiteRenderer.LIMIT = java.time.Duration.ofMillis(500);
        try {
            Inventory inv = fleet(THREE, "version: 1\n<#list 1..2000000000 as i></#list>\n");
            Diagnostic slow = new SiteRenderer(inv, tmp).render(inv.site("ams").orElseThrow()).diagnostics().list().get(0);
            assertTrue(slow.summary().contains("takes longer than"), slow.toString());
            Files.writeString(tmp.resolve("templates/site.yaml.ftl"), "version: 1\n<#list 1..100000000 as i>xxxxxxxxxxxxxxxx</#list>\n");
            Inventory big = Inventory.load(tmp, tmp).value();
            Diagnostic large = new SiteRenderer(big, tmp).render(big.site("ams").orElseThrow()).diagnostics().list().get(0);
            assertTrue(large.summary().contains("makes more than 4 MiB"), large.toString());
        } finally {
            SiteRenderer.LIMIT = before;
        }
    }

    @Test
    void secretReferencesPassThroughATemplate() throws IOException {
        Inventory inv = fleet(THREE, TEMPLATE.replace("    os: windows\n", "    os: windows\n    auth: {password: ${env:NS_PASSWORD}}\n"));
        String text = new SiteRenderer(inv, tmp).render(inv.site("ams").orElseThrow()).value().files().get(0).text();
        assertTrue(text.contains("password: ${env:NS_PASSWORD}"), text);
    }

    @Test
    void aProblemInTheRenderedConfigurationIsShownAtTheTemplateLine() throws IOException {
        Inventory inv = fleet(THREE.replace("vars: {address: 192.0.2.2, ports: [443, 8443]}", "vars: {address: 192.0.2.2, ports: [443, 0]}"), TEMPLATE);
        RenderedSite ber = new SiteRenderer(inv, tmp).render(inv.site("ber").orElseThrow()).value();
        Validator validator = new Validator(tmp, new SecretResolver(Map.of()), Clock.systemUTC(), Severity.WARNING);
        Result<Configuration> config = validator.validate(ber.directory(), ber.sources());
        Diagnostics shown = ber.remap(config.diagnostics());
        Diagnostic port = shown.list().stream().filter(Diagnostic::isError).findFirst().orElseThrow();
        assertEquals("templates/site.yaml.ftl:16:18", port.subject().label(), port.toString());
        assertTrue(port.detail().contains("In site ber (sites.yaml:8:5), rendered as sites/ber/site.yaml:20:18"), port.detail());
        assertEquals(16, port.subject().end().line());
        assertEquals(25, port.subject().end().column(), "the template's whole interpolation [=port] is underlined: " + port.subject());
        assertTrue(port.detail().endsWith("\n  20 |     localPorts: [0]\n     |                  ^"),
                "the rendered line, with the value underlined: " + port.detail());
    }

    @Test
    void wavesTakeNamedSitesSelectorsPercentagesAndTheRest() throws IOException {
        StringBuilder inventory = new StringBuilder("version: 1\ntemplate: templates\nsites:\n");
        for (int i = 0; i < 20; i++) {
            inventory.append("  - name: s").append(i).append(i == 5 ? "\n    wave: canary\n" : "\n").append(i % 4 == 0 ? "    tags: [pilot]\n" : "");
        }
        inventory.append("rollout:\n  waves:\n    - name: canary\n    - name: pilots\n      sites: [tag:pilot]\n    - name: ten\n      percent: 10\n    - name: rest\n  maxFailures: 1\n");
        Inventory inv = fleet(inventory.toString(), TEMPLATE);
        List<Waves.Wave> waves = Waves.plan(inv);
        assertEquals(List.of("canary", "pilots", "ten", "rest"), waves.stream().map(Waves.Wave::name).toList());
        assertEquals(List.of("s5"), names(waves.get(0)));
        assertEquals(List.of("s0", "s4", "s8", "s12", "s16"), names(waves.get(1)));
        assertEquals(List.of("s1", "s2"), names(waves.get(2)));
        assertEquals(12, waves.get(3).sites().size());
        Waves.Budget budget = Waves.budget(inv);
        assertFalse(budget.exceeded(1, 6), "equalling the budget does not stop a rollout");
        assertTrue(budget.exceeded(2, 6));
        assertFalse(new Waves.Budget(0, 10.0).exceeded(1, 10), "10% of 10 is one site: allowed");
        assertTrue(new Waves.Budget(0, 10.0).exceeded(2, 10));
    }

    @Test
    void rolloutMistakesAreDiagnosticsInTheInventory() throws IOException {
        Files.createDirectories(tmp.resolve("templates"));
        Files.writeString(tmp.resolve("templates/site.yaml.ftl"), TEMPLATE);
        Files.writeString(tmp.resolve("sites.yaml"), """
                version: 1
                template: templates
                sites:
                  - name: a
                    wave: canary
                  - name: b
                    wave: canry
                  - name: a
                  - name: c
                rollout:
                  waves:
                    - name: canary
                    - name: eu
                      sites: [tag:eu]
                  maxFailures: 1
                  maxFailurePercent: 5
                """);
        Diagnostics d = Inventory.load(tmp, tmp).diagnostics();
        List<String> codes = d.list().stream().map(x -> x.code() + "@" + (x.subject() == null ? "" : x.subject().label())).toList();
        assertTrue(codes.contains("TPL6002@sites.yaml:8:11"), codes.toString());
        assertTrue(codes.contains("TPL6030@sites.yaml:7:11"), codes.toString());
        assertTrue(codes.contains("TPL6020@sites.yaml:14:14"), codes.toString());
        assertTrue(codes.contains("TPL6032@sites.yaml:13:7"), codes.toString());
        assertTrue(codes.contains("TPL6031@sites.yaml:9:5"), codes.toString());
        assertTrue(codes.contains("TPL6033@sites.yaml:16:3"), codes.toString());
        assertTrue(d.list().stream().anyMatch(x -> x.hint().contains("Did you mean \"canary\"")), d.toString());
    }

    /** Issue 26, item 5: a gate entry {certificateDaysLeft: N} beside the kinds; a misspelt or zero one is a schema error there. */
    @Test
    void aGateCanRequireCertificateDaysLeft() throws IOException {
        String base = "version: 1\ntemplate: templates\nsites:\n  - name: a\nrollout:\n  gate: ";
        Waves.Gate gate = Waves.gate(fleet(base + "[ig-online, tls, {certificateDaysLeft: 21}]\n", TEMPLATE));
        assertEquals(List.of("ig-online", "tls"), gate.kinds());
        assertEquals(21, gate.certificateDaysLeft());
        assertEquals("ig-online, tls, at least 21 days left on each certificate", gate.describe());
        assertEquals(new Waves.Gate(Waves.Gate.ALL, 0), Waves.gate(fleet("version: 1\ntemplate: templates\nsites:\n  - name: a\n", TEMPLATE)));
        for (String wrong : List.of("[{certificateDays: 21}]", "[{certificateDaysLeft: 0}]", "[tls, certificateDaysLeft]")) {
            Files.writeString(tmp.resolve("sites.yaml"), base + wrong + "\n");
            Diagnostics d = Inventory.load(tmp, tmp).diagnostics();
            assertTrue(d.hasErrors() && d.list().get(0).subject().label().startsWith("sites.yaml:6:"), wrong + ": " + d);
        }
    }

    @Test
    void selectorsChooseByNameGlobTagAndWaveAndSayWhenNothingMatches() throws IOException {
        Inventory inv = fleet(THREE, TEMPLATE);
        assertEquals(List.of("ams", "ber"), Selector.select(inv, List.of("tag:eu")).value().stream().map(Inventory.Site::name).toList());
        assertEquals(List.of("ams", "nyc"), Selector.select(inv, List.of("nyc,a*")).value().stream().map(Inventory.Site::name).toList());
        Result<List<Inventory.Site>> typo = Selector.select(inv, List.of("amz"));
        assertNull(typo.value());
        assertTrue(typo.diagnostics().list().get(0).hint().contains("Did you mean \"ams\"?"));
    }

    private static List<String> names(Waves.Wave w) {
        return w.sites().stream().map(Inventory.Site::name).toList();
    }
}

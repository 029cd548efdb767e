package cem.cli;

import cem.engine.PlanOptions;
import cem.diag.TerminalText;
import cem.engine.Planner;
import cem.plan.ResourceChange;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem report [DIR]}: the CEM view of an estate, read live (changes nothing). */
@Command(name = "report", description = {"Show the CEM view of an estate, read live. Changes nothing.",
    "Gateways and their registration, the CEM policy with its gateways and targets, certificates and the days they have left;",
    "each ACME certificate's CA, account, days left, last renewal and pending step, as the state backend keeps them."})
final class ReportCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
    String directory = ".";

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Mixin
    CommonOptions common;

    ReportCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        try (Workspace ws = Workspace.open(session, directory, common.debug)) {
            Planner.Planned planned;
            try (var lock = ws.lock("report", Duration.ZERO)) {
                planned = PlanRun.plan(ws, ws.readState(), PlanOptions.defaults());
            }
            PlanRun.diagnostics(ws, planned.plan().diagnostics(), common.color(session));
            ObjectNode report = JsonNodeFactory.instance.objectNode();
            ArrayNode gateways = report.putArray("gateways");
            ArrayNode policies = report.putArray("policies");
            ArrayNode certificates = report.putArray("certificates");
            ArrayNode revoked = report.putArray("revokedAgentCertificates");
            ArrayNode targets = report.putArray("targets");
            for (ResourceChange c : planned.plan().changes()) {
                JsonNode live = c.before();
                if (live == null) {
                    continue; // not on the host (yet): the plan says so
                }
                switch (c.type()) {
                    case "internet_gateway" -> gateways.addObject().put("name", c.name()).put("host", c.host())
                            .put("externalFqdn", live.path("externalFqdn").asText()).put("listenerPort", live.path("listenerPort").asInt())
                            .put("service", live.path("serviceState").asText()).put("registered", live.path("registered").asBoolean())
                            .put("version", live.path("installedVersion").asText());
                    case "resource_target" -> targets.addObject().put("name", c.name()).put("members", live.path("memberCount").asInt());
                    case "cem_policy" -> {
                        ObjectNode p = policies.addObject().put("name", c.name()).put("host", c.host())
                                .put("enabled", live.path("enabled").asBoolean())
                                .put("allowCloudCommunication", live.path("allowCloudCommunication").asBoolean())
                                .put("nsVersion", live.path("nsVersion").asText());
                        p.set("gateways", live.path("gateways"));
                        p.set("gatewaysOnline", live.path("gatewaysOnline"));
                        p.set("targets", live.path("targets"));
                    }
                    case "certificate" -> {
                        ObjectNode cert = certificates.addObject().put("name", c.name()).put("host", c.host())
                                .put("thumbprint", live.path("thumbprint").asText()).put("subject", live.path("subject").asText())
                                .put("notAfter", live.path("notAfter").asText());
                        try {
                            cert.put("daysLeft", Duration.between(Instant.now(), Instant.parse(live.path("notAfter").asText())).toDays());
                        } catch (RuntimeException e) {
                            cert.putNull("daysLeft");
                        }
                    }
                    case "cem_certificate" -> revoked.addObject().put("name", c.name())
                            .put("computer", live.path("computer").asText("")).put("thumbprint", live.path("thumbprint").asText(""));
                    default -> {
                    }
                }
            }
            versionCheck(report);
            report.set("acmeCertificates", AcmeView.json(ws, Instant.now()));
            if (json) {
                session.out().println(JsonOutput.write(report));
            } else {
                session.out().print(text((ObjectNode) shown(report)));
            }
            session.out().flush();
            return planned.plan().applyable() ? 0 : 1;
        }
    }

    /**
     * 8.8.1's ephemeral agent certificates (KB 440752): the NS and every gateway must both be 8.8.1 or
     * later (versions compared by number); blocked agents are approved on the Access Troubleshooting page.
     */
    private static void versionCheck(ObjectNode report) {
        String ns = report.path("policies").path(0).path("nsVersion").asText("");
        boolean nsEphemeral = ItmsVersions.ephemeral(ns);
        for (JsonNode g : report.get("gateways")) {
            String ig = g.path("version").asText("");
            boolean known = !ns.isEmpty() && !ig.isEmpty();
            ((ObjectNode) g).put("versionMatchesNs", !known || nsEphemeral == ItmsVersions.ephemeral(ig));
        }
        ObjectNode ephemeral = report.putObject("ephemeralCertificates").put("nsVersion", ns).put("applies", nsEphemeral);
        if (nsEphemeral) {
            ephemeral.put("note", "agent certificates live about six hours and agents renew them; a gateway blocks agents it cannot match to NS "
                    + "registration data until they are approved on " + ItmsVersions.ACCESS_PAGE + "; the NS and every gateway must be on "
                    + ItmsVersions.EPHEMERAL + " or later");
        }
    }

    /** The report with every text made safe for a terminal: hosts supplied most of it (their control characters are shown, not obeyed). */
    static JsonNode shown(JsonNode node) {
        if (node.isTextual()) {
            return JsonNodeFactory.instance.textNode(TerminalText.safe(node.asText()));
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> out.add(shown(n)));
            return out;
        }
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            node.fields().forEachRemaining(e -> out.set(TerminalText.safe(e.getKey()), shown(e.getValue())));
            return out;
        }
        return node;
    }

    private static String text(ObjectNode r) {
        StringBuilder b = new StringBuilder("Gateways\n");
        if (r.get("gateways").isEmpty()) {
            b.append("  (none on the hosts yet)\n");
        }
        r.get("gateways").forEach(g -> b.append(String.format("  %-12s %-28s port %-5d service %-8s %s%s%n", g.path("name").asText(),
                g.path("externalFqdn").asText(), g.path("listenerPort").asInt(), g.path("service").asText(),
                g.path("registered").asBoolean() ? "registered with the NS" : "NOT registered",
                g.path("versionMatchesNs").asBoolean(true) ? "" : "; version " + g.path("version").asText()
                        + ": the NS and the gateway must both be on 8.8.1 or later (KB 440752)")));
        if (r.path("ephemeralCertificates").path("applies").asBoolean()) {
            b.append("\nAgent certificates (ITMS ").append(r.path("ephemeralCertificates").path("nsVersion").asText()).append(")\n  ")
                    .append(r.path("ephemeralCertificates").path("note").asText()).append('\n');
        }
        b.append("\nCEM policy\n");
        if (r.get("policies").isEmpty()) {
            b.append("  (none on the hosts yet)\n");
        }
        r.get("policies").forEach(p -> {
            b.append("  ").append(p.path("name").asText()).append(" on ").append(p.path("host").asText()).append(": ")
                    .append(p.path("enabled").asBoolean() ? "enabled" : "DISABLED").append(", cloud communication ")
                    .append(p.path("allowCloudCommunication").asBoolean() ? "allowed" : "NOT allowed").append('\n');
            p.path("gateways").forEach(g -> {
                boolean online = false;
                for (JsonNode o : p.path("gatewaysOnline")) {
                    online |= o.asText().equals(g.path("gateway").asText());
                }
                b.append("    gateway ").append(g.path("gateway").asText()).append(" port ").append(g.path("port").asInt())
                        .append(online ? ": Online" : ": not reported Online by the NS").append('\n');
            });
            b.append("    targets ").append(p.path("targets").isEmpty() ? "NONE: no agent receives the policy" : p.path("targets").toString())
                    .append('\n');
        });
        r.get("targets").forEach(t -> b.append("  target ").append(t.path("name").asText()).append(": ")
                .append(t.path("members").asInt()).append(" computer(s)\n"));
        if (!r.get("revokedAgentCertificates").isEmpty()) {
            b.append("\nRevoked agent certificates\n");
            r.get("revokedAgentCertificates").forEach(x -> b.append("  ").append(x.path("name").asText()).append(": ")
                    .append(x.path("computer").asText()).append(' ').append(x.path("thumbprint").asText()).append('\n'));
        }
        b.append("\nCertificates\n");
        if (r.get("certificates").isEmpty()) {
            b.append("  (none on the hosts yet)\n");
        }
        r.get("certificates").forEach(c -> b.append(String.format("  %-14s %-6s %-40s %s%n", c.path("name").asText(), c.path("host").asText(),
                c.path("thumbprint").asText(), c.path("daysLeft").isNull() ? "" : c.path("daysLeft").asLong() + " days left")));
        if (!r.get("acmeCertificates").isEmpty()) {
            b.append("\nACME certificates (as the state backend keeps them; the CA is not asked)\n");
            r.get("acmeCertificates").forEach(c -> b.append(acme(c)));
        }
        return b.toString();
    }

    private static String acme(JsonNode c) {
        StringBuilder b = new StringBuilder("  ").append(c.path("name").asText()).append(" on ").append(c.path("host").asText())
                .append(": CA ").append(AcmeView.ca(c)).append('\n');
        if (c.path("notAfter").isNull()) {
            b.append("    not issued yet\n");
        } else {
            b.append("    account ").append(c.path("account").asText()).append('\n').append("    ").append(c.path("daysLeft").asLong())
                    .append(" days left (until ").append(c.path("notAfter").asText()).append("; renewed ").append(c.path("renewBefore").asInt())
                    .append(" days before), last renewal ").append(c.path("lastRenewal").asText()).append('\n');
        }
        if (!c.path("pending").isNull()) {
            b.append("    ").append(c.path("pending").asText()).append(" at the next `cem apply`\n");
        }
        return b.toString();
    }
}

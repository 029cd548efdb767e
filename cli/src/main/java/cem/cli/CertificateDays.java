package cem.cli;

import cem.acme.AcmeCertificates;
import cem.cli.Finding.Symptom;
import cem.config.ResourceConfig;
import cem.plan.Plan;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A rollout gate's {@code certificateDaysLeft}: each certificate of a site must have at least so
 * many days of validity left after its apply: those of the certificate the host holds, as its
 * provider read it ({@code notAfter}) — an ACME certificate whose import failed does not pass on
 * the strength of what was issued. Only when the host holds none does an ACME certificate count
 * what the state backend keeps.
 */
final class CertificateDays {

    static final String CHECK = "certificate.daysLeft";

    private CertificateDays() {}

    /** One finding per certificate of the site: ok, or fail when it has fewer days left than {@code min}. */
    static List<Finding> check(Workspace ws, Plan read, int min, Instant now) {
        Map<String, JsonNode> live = DoctorChecks.live(read);
        Map<String, AcmeCertificates.Status> acme = ws.acme().statuses();
        List<Finding> out = new ArrayList<>();
        for (ResourceConfig c : ws.config.ofType("certificate")) {
            AcmeCertificates.Status s = acme.get(c.address());
            Instant held = notAfter(live.get(c.address()));
            Instant notAfter = held != null || s == null || s.kept() == null ? held : s.kept().notAfter();
            if (notAfter == null) {
                out.add(Finding.fail(Symptom.CERTIFICATE, CHECK, c.address(), s != null ? "not issued by its ACME CA" : "not on host " + c.host(),
                        "the site has no certificate to count the days of", "Run `cem apply` on the site, then `cem rollout --resume`."));
                continue;
            }
            long days = Duration.between(now, notAfter).toDays();
            String whose = held == null ? " (kept from its ACME CA)" : " (as host " + c.host() + " holds it)";
            out.add(days >= min ? Finding.ok(Symptom.CERTIFICATE, CHECK, c.address(), days + " days left" + whose)
                    : Finding.fail(Symptom.CERTIFICATE, CHECK, c.address(), days + " days left" + whose + ", the rollout's gate asks for at least " + min,
                            "it expires too soon for the gate's certificateDaysLeft", s != null
                                    ? "Set its acme.renewBefore above " + min + " days so that `cem apply` renews it, then `cem rollout --resume`."
                                    : "Import a certificate with more time left (point the resource at the new PFX) and apply."));
        }
        return out;
    }

    private static Instant notAfter(JsonNode live) {
        if (live == null) {
            return null;
        }
        try {
            return Instant.parse(live.path("notAfter").asText());
        } catch (RuntimeException e) {
            return null;
        }
    }
}

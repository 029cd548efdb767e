package cem.cli;

import cem.acme.AcmeCertificates;
import cem.acme.Issued;
import cem.cli.Finding.Symptom;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What cem knows of each ACME certificate of a configuration, for {@code cem doctor} and
 * {@code cem report}: the CA, the account, the days left, the last renewal and the pending step.
 * It reads what the state backend keeps ({@link AcmeCertificates#statuses()}); the CA is not asked.
 */
final class AcmeView {

    /** The doctor's check of an ACME certificate's renewal (its kind is {@code tls} in a rollout's gate). */
    static final String CHECK = "certificate.acme";

    private AcmeView() {}

    /** Every ACME certificate's status, by address, as the report's JSON gives it. */
    static ArrayNode json(Workspace ws, Instant now) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        statuses(ws).forEach(s -> out.add(json(s, now)));
        return out;
    }

    private static List<AcmeCertificates.Status> statuses(Workspace ws) {
        List<AcmeCertificates.Status> out = new ArrayList<>(ws.acme().statuses().values());
        out.sort(Comparator.comparing(s -> s.cert().address()));
        return out;
    }

    static ObjectNode json(AcmeCertificates.Status s, Instant now) {
        Issued kept = s.kept();
        String directory = kept != null ? kept.directory() : s.cert().attr("acme/directory").asText();
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("name", s.cert().name()).put("address", s.cert().address())
                .put("host", s.cert().host());
        o.putObject("ca").put("directory", directory).put("host", caHost(directory)).put("staging", staging(directory))
                .put("stagingJudgedBy", "the directory URL (a guess: an ACME directory does not say whether it is a staging one)");
        s.names().forEach(o.putArray("names")::add);
        o.put("renewBefore", s.renewBefore());
        if (kept == null) {
            o.putNull("account").putNull("notAfter").putNull("daysLeft").putNull("lastRenewal");
        } else {
            o.put("account", kept.account()).put("notAfter", kept.notAfter().toString()).put("daysLeft", kept.daysLeft(Clock.fixed(now, ZoneOffset.UTC)))
                    .put("lastRenewal", kept.issuedAt().toString());
        }
        if (s.pending() == null) {
            o.putNull("pending");
        } else {
            o.put("pending", s.pending());
        }
        return o;
    }

    /** The doctor's finding of each ACME certificate: expired (fail), due for renewal or not issued (warn), else ok. */
    static List<Finding> findings(Workspace ws, Instant now) {
        List<Finding> out = new ArrayList<>();
        statuses(ws).forEach(s -> out.add(finding(json(s, now), now)));
        return out;
    }

    static Finding finding(JsonNode c, Instant now) {
        Symptom s = Symptom.CERTIFICATE;
        String subject = c.path("address").asText();
        String ca = ca(c);
        if (c.path("notAfter").isNull()) {
            return Finding.warn(s, CHECK, subject, "not issued yet; " + c.path("pending").asText() + " by " + ca,
                    "the state backend keeps no certificate from the CA for it", "Run `cem apply`: it asks the CA, imports and binds it.");
        }
        long days = c.path("daysLeft").asLong();
        String seen = "issued by " + ca + " for the account " + c.path("account").asText() + "; last renewal " + c.path("lastRenewal").asText();
        if (!Instant.parse(c.path("notAfter").asText()).isAfter(now)) {
            return Finding.fail(s, CHECK, subject, seen + "; expired on " + c.path("notAfter").asText(),
                    "certificate expired: no `cem apply` ran within renewBefore (" + c.path("renewBefore").asInt() + " days) of its expiry",
                    "Run `cem apply`: it renews it. Run it on a schedule (e.g. daily) so that it renews in time.");
        }
        if (!c.path("pending").isNull()) {
            boolean due = days < c.path("renewBefore").asInt();
            return Finding.warn(s, CHECK, subject, seen + "; " + days + " days left (renewBefore " + c.path("renewBefore").asInt() + "); "
                    + c.path("pending").asText(), due ? "it is inside its renewal window" : "the names the model requires changed",
                    "Run `cem apply`: it renews it" + (due ? "." : " with the names " + c.path("names") + "."));
        }
        return Finding.ok(s, CHECK, subject, seen + "; " + days + " days left (renews " + c.path("renewBefore").asInt() + " days before expiry)");
    }

    /** The CA as the report says it: its directory's host, and "a staging directory" where the URL says so. */
    static String ca(JsonNode c) {
        JsonNode ca = c.path("ca");
        return ca.path("host").asText() + (ca.path("staging").asBoolean() ? " (a staging directory, judging by its URL)" : "");
    }

    private static String caHost(String directory) {
        try {
            String host = URI.create(directory).getHost();
            return host == null ? directory : host;
        } catch (IllegalArgumentException e) {
            return directory;
        }
    }

    /**
     * Whether a directory URL names a staging (test) directory: a guess from its words, as the CAs
     * name them — Let's Encrypt's acme-staging-v02.api.letsencrypt.org (letsencrypt.org/docs/staging-environment),
     * Google Trust Services' dv.acme-v02.test-api.pki.goog (cloud.google.com/certificate-manager/docs/public-ca-tutorial),
     * Buypass's api.test4.buypass.no (buypass.com, "ACME API"). **[?]** for any other CA.
     */
    static boolean staging(String directory) {
        String host = caHost(directory).toLowerCase(Locale.ROOT);
        return host.contains("staging") || host.matches("(.*[.-])?test[^.]*\\..*");
    }
}

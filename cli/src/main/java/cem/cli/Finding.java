package cem.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * One doctor check's outcome: what was checked, on what, whether it is fine, what was seen, the
 * likely cause and what to do — grouped under the troubleshooting table's symptom it confirms or
 * rules out.
 *
 * @param symptom the symptom of KB 216202's table this check belongs to
 * @param check a short stable name, e.g. {@code ig.registered}
 * @param subject what was checked, e.g. {@code internet_gateway.ig1}
 * @param status ok, warn, fail, or skip (could not be checked from here; says why)
 * @param evidence what was seen
 * @param cause the likely cause (empty when ok)
 * @param action what to do (empty when ok)
 */
record Finding(Symptom symptom, String check, String subject, Status status, String evidence, String cause, String action) {

    enum Status {
        FAIL, WARN, SKIP, OK;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The four symptoms of the troubleshooting table (KB 216202), and the checks of everything else. */
    enum Symptom {
        IG_NOT_ONLINE("Internet Gateway not Online"),
        AGENT_NOT_SWITCHING("Agents do not switch to CEM"),
        IIS_403("IIS answers 403 (certificate binding)"),
        CERTIFICATE("Certificate expired or revoked");

        final String title;

        Symptom(String title) {
            this.title = title;
        }
    }

    static Finding ok(Symptom symptom, String check, String subject, String evidence) {
        return new Finding(symptom, check, subject, Status.OK, evidence, "", "");
    }

    static Finding fail(Symptom symptom, String check, String subject, String evidence, String cause, String action) {
        return new Finding(symptom, check, subject, Status.FAIL, evidence, cause, action);
    }

    static Finding warn(Symptom symptom, String check, String subject, String evidence, String cause, String action) {
        return new Finding(symptom, check, subject, Status.WARN, evidence, cause, action);
    }

    static Finding skip(Symptom symptom, String check, String subject, String why) {
        return new Finding(symptom, check, subject, Status.SKIP, why, "", "");
    }

    void into(ObjectNode o) {
        o.put("symptom", symptom.title).put("check", check).put("subject", subject).put("status", status.word())
                .put("evidence", evidence).put("cause", cause).put("action", action);
    }
}

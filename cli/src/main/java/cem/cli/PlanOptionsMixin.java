package cem.cli;

import cem.engine.PlanOptions;
import cem.plan.PlanMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** The options plan and apply share. */
final class PlanOptionsMixin {

    @Option(names = "--target", paramLabel = "ADDR", description = "Limit to this resource and what it depends on (repeatable).")
    List<String> targets = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "ADDR", description = "Leave out this resource and what depends on it (repeatable).")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--replace", paramLabel = "ADDR", description = "Replace this resource even if it is unchanged (repeatable).")
    List<String> replace = new ArrayList<>();

    @Option(names = "--refresh-only", description = "Only update the state to match what is live; change no host.")
    boolean refreshOnly;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "64", description = "Hosts worked on at once (default: ${DEFAULT-VALUE}).")
    int parallelism;

    /** The benchmark's baseline: a round trip per resource, as Terraform's providers refresh. Not for real use. */
    @Option(names = "--one-command-per-resource", hidden = true)
    boolean onePerResource;

    @Option(names = "--accept-new-host-keys",
            description = "Record the SSH host key of a host seen for the first time (OpenSSH's accept-new); a changed key still fails.")
    boolean acceptNewHostKeys;

    @Option(names = "--lock-timeout", paramLabel = "DURATION",
            description = "How long to wait for the state lock, e.g. 30s, 5m (default: 0s at a terminal; 5m in CI, where the CI variable is set).")
    String lockTimeout;

    /** The default suits where cem runs: a person at a terminal is told at once; a CI job queues behind another job's lock. */
    static final Duration CI_LOCK_TIMEOUT = Duration.ofMinutes(5);

    PlanOptions options(PlanMode mode) {
        PlanMode m = refreshOnly ? PlanMode.REFRESH_ONLY : mode;
        return new PlanOptions(m, Set.copyOf(targets), Set.copyOf(excludes), Set.copyOf(replace), Math.max(1, parallelism), onePerResource);
    }

    Duration lockTimeout(Session session) {
        if (lockTimeout != null) {
            return parseDuration(lockTimeout);
        }
        String ci = session.env().get("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") ? CI_LOCK_TIMEOUT : Duration.ZERO;
    }

    static Duration parseDuration(String text) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(text.trim());
        if (!m.matches()) {
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9003",
                    "Invalid duration \"" + text + "\"", "", "Write a duration such as 30s, 5m or 1h.", null, null));
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}

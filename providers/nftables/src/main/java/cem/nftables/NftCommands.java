package cem.nftables;

import cem.spi.RemoteCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two commands cem runs on a Linux firewall, each one round trip. Both are fixed POSIX sh
 * programs: every value (table names, the nftables document, addresses of resources) travels in
 * standard input, never in the command line. Their output is a sequence of sections, each headed
 * by a line {@code ### KIND ARGS EXIT-CODE}.
 *
 * <ul>
 *   <li>read: lists each table named on standard input (one {@code family name} per line), each
 *       through a JSON request ({@code nft -j -f} of {@code {"list":{"table":…}}}), never through
 *       nft's arguments, which nft joins and parses as commands ({@code ;} separates two). The
 *       names are checked in Java first ({@link #tableKey}).
 *   <li>apply: standard input holds the tables to list afterwards ({@code ;}-separated), the whole
 *       transaction, then one {@code ADDRESS DOCUMENT} line per rule. The transaction is checked
 *       with {@code nft -c}; only when the check passes is it applied ({@code nft -j -f}, atomic).
 *       When the check fails, each rule's own document is checked, so that nft's message lands on
 *       the rule it is about. Then the tables are listed.
 * </ul>
 */
final class NftCommands {

    private NftCommands() {}

    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /** {@code nft} itself, or through {@code sudo -n} (never prompting) when the host says so. */
    private static final String PRELUDE = """
            PATH="$PATH:/usr/sbin:/sbin"
            if [ "$1" = sudo ]; then nft() { sudo -n nft "$@"; }; fi
            list_tables() {
              l=$(mktemp) || exit 70
              while read -r family name; do
                [ -n "$family" ] || continue
                printf "{\\"nftables\\":[{\\"list\\":{\\"table\\":{\\"family\\":\\"%s\\",\\"name\\":\\"%s\\"}}}]}\\n" "$family" "$name" > "$l"
                out=$(nft -j -f "$l" 2>&1); rc=$?
                printf "%s\\n" "### table $family $name $rc" "$out"
              done
              rm -f "$l"
            }
            """;

    static final String READ_SCRIPT = PRELUDE + """
            list_tables
            exit 0
            """;

    static final String APPLY_SCRIPT = PRELUDE + """
            IFS= read -r tables
            IFS= read -r doc
            f=$(mktemp) || exit 70
            trap "rm -f \\"$f\\"" EXIT
            printf "%s\\n" "$doc" > "$f"
            out=$(nft -c -j -f "$f" 2>&1); rc=$?
            printf "%s\\n" "### check - $rc" "$out"
            if [ "$rc" = 0 ]; then
              out=$(nft -j -f "$f" 2>&1); rc=$?
              printf "%s\\n" "### apply - $rc" "$out"
            else
              while read -r address rule; do
                printf "%s\\n" "$rule" > "$f"
                out=$(nft -c -j -f "$f" 2>&1); r=$?
                printf "%s\\n" "### rule $address $r" "$out"
              done
            fi
            printf "%s\\n" "$tables" | tr ";" "\\n" | list_tables
            exit 0
            """;

    /** nft's table families cem uses, and its identifiers (nft(8): a letter or underscore, then letters, digits, underscores). */
    private static final Pattern TABLE_KEY = Pattern.compile("(inet|ip|ip6) [A-Za-z_][A-Za-z0-9_]{0,62}");

    /**
     * A table's {@code family name} as cem sends it, or an exception when it is not one: a name read
     * from a state file or a host is checked here before any of it reaches a host.
     */
    static String tableKey(String familyAndName) {
        if (!TABLE_KEY.matcher(familyAndName).matches()) {
            throw new IllegalArgumentException("\"" + familyAndName.replaceAll("\\p{Cntrl}", "?")
                    + "\" is not an nftables table (a family inet, ip or ip6 and a name of letters, digits and underscores)");
        }
        return familyAndName;
    }

    static RemoteCommand read(boolean sudo, List<String> tables) {
        tables.forEach(NftCommands::tableKey);
        return new RemoteCommand(commandLine(READ_SCRIPT, sudo), (String.join("\n", tables) + "\n").getBytes(StandardCharsets.UTF_8),
                TIMEOUT, true);
    }

    /** @param perRule each rule's check document (its table, chain and the rule alone), by resource address */
    static RemoteCommand apply(boolean sudo, List<String> tables, String transaction, Map<String, String> perRule) {
        tables.forEach(NftCommands::tableKey);
        StringBuilder in = new StringBuilder(String.join(";", tables)).append('\n').append(transaction).append('\n');
        perRule.forEach((address, doc) -> in.append(address).append(' ').append(doc).append('\n'));
        return new RemoteCommand(commandLine(APPLY_SCRIPT, sudo), in.toString().getBytes(StandardCharsets.UTF_8), TIMEOUT, false);
    }

    /** The command line: a constant program; the only argument is one of two constant words. */
    static String commandLine(String script, boolean sudo) {
        if (script.indexOf('\'') >= 0) {
            throw new IllegalStateException("a single quote in a fixed script");
        }
        return "sh -c '" + script + "' cem-nft " + (sudo ? "sudo" : "direct");
    }

    /** One section of the output. */
    record Section(String kind, String subject, int exitCode, String body) {}

    private static final Pattern HEADER = Pattern.compile("^### (table|check|apply|rule) (.+) (\\d+)$");

    /** A section's exit status as sh prints {@code $?}: 0 to 255; anything else is not an answer of cem's program. */
    private static int exitStatus(String text, String line) {
        if (text.length() > 3 || Integer.parseInt(text) > 255) {
            throw new cem.spi.HostAnswerException("the nftables program's answer has a section header with exit status " + text
                    + ", which sh never prints: " + cem.spi.HostAnswerException.excerpt(line));
        }
        return Integer.parseInt(text);
    }

    static List<Section> sections(String stdout) {
        List<Section> out = new ArrayList<>();
        String kind = null;
        String subject = null;
        int code = 0;
        StringBuilder body = new StringBuilder();
        for (String line : stdout.split("\n", -1)) {
            Matcher m = HEADER.matcher(line);
            if (m.matches()) {
                if (kind != null) {
                    out.add(new Section(kind, subject, code, body.toString().strip()));
                }
                kind = m.group(1);
                subject = m.group(2);
                code = exitStatus(m.group(3), line);
                body.setLength(0);
            } else if (kind != null) {
                body.append(line).append('\n');
            }
        }
        if (kind != null) {
            out.add(new Section(kind, subject, code, body.toString().strip()));
        }
        return out;
    }
}

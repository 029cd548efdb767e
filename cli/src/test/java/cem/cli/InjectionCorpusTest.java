package cem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The injection corpus (issue 12): hostile strings in every free-text attribute that reaches a
 * host, over WinRM (ns1) and SSH (ig1). The lab records what it received; each value must arrive
 * exactly as written, and no command may be run but the transport's own fixed forms.
 */
class InjectionCorpusTest {

    static final List<String> CORPUS = List.of(
            "'", "\"", "$(whoami)", "`whoami`", "; Remove-Item C:\\ -Recurse", "&& calc.exe", "| Out-File C:\\pwned.txt",
            "line1\nline2", "\r\nwhoami", "nul\u0000byte", "%COMSPEC% /c calc", "{0}{1}", "@{a=1}", "$env:PATH", "${env:PATH}",
            "\u2018; whoami; \u2019", "\u201c$(whoami)\u201d", "\u2013Command whoami", "\u202etxt.exe", "-EncodedCommand ZQBjAGgAbwA=",
            "A".repeat(4000) + "'; whoami");

    /** The attributes carrying a value to a host: (resource YAML with %s for the value). */
    static final List<String> CARRIERS = List.of(
            "  - {type: certificate, name: gw-cert, host: ig1, pfx: ../certs/gateway.pfx, password: '${file:../certs/example.pass}', friendlyName: %s}",
            "  - {type: windows_firewall_rule, name: fw-ns, host: ns1, direction: inbound, action: allow, localPorts: [4726], displayName: %s}",
            "  - {type: windows_firewall_rule, name: fw-ig, host: ig1, direction: inbound, action: allow, localPorts: [443], displayName: %s}",
            // cem installs no service: one that does not exist is planned only when something it depends on may install it.
            "  - {type: windows_service, name: svc, host: ns1, service: %s, state: running, dependsOn: [internet_gateway.ig]}",
            "  - {type: resource_target, name: target, host: ns1, targetName: %s, filters: [{type: resourceCollection, operation: union, ref: %s}]}",
            "  - {type: internet_gateway, name: ig, host: ig1, externalFqdn: gateway.example.com, listenerPort: 443, certificate: gw-cert,"
                    + " servers: [{fqdn: smp.example.net}], installer: {package: %s, arguments: [%s]}}");

    @TempDir
    Path tmp;

    @BeforeAll
    static void record() {
        System.setProperty("cem.lab.record", "true");
    }

    @AfterAll
    static void stop() {
        System.clearProperty("cem.lab.record");
    }

    /**
     * A Windows command line split as CommandLineToArgvW splits it (Microsoft Learn, "Parsing C++
     * command-line arguments"): 2n backslashes before a quote are n and the quote toggles quoting,
     * 2n+1 are n and a literal quote; other backslashes are literal.
     */
    static List<String> argv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder arg = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                int n = 0;
                while (i < line.length() && line.charAt(i) == '\\') {
                    n++;
                    i++;
                }
                if (i < line.length() && line.charAt(i) == '"') {
                    arg.append("\\".repeat(n / 2));
                    if (n % 2 == 1) {
                        arg.append('"');
                    } else {
                        quoted = !quoted;
                    }
                } else {
                    arg.append("\\".repeat(n));
                    i--;
                }
                any = true;
            } else if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if ((c == ' ' || c == '\t') && !quoted) {
                if (any) {
                    out.add(arg.toString());
                    arg.setLength(0);
                    any = false;
                }
            } else {
                arg.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(arg.toString());
        }
        return out;
    }

    /** A YAML double-quoted scalar of {@code value} (JSON's escapes are YAML's). */
    static String quoted(String value) throws IOException {
        return new ObjectMapper().writeValueAsString(value);
    }

    @Test
    @Timeout(600)
    void everyHostileValueArrivesExactlyAndRunsNothing() throws IOException {
        int cases = 0;
        int delivered = 0;
        int refused = 0;
        for (int p = 0; p < CORPUS.size(); p++) {
            Path dir = CliRun.copyExample(tmp.resolve("p" + p), "quickstart").resolveSibling("site");
            Files.createDirectories(dir);
            List<String> values = new ArrayList<>();
            StringBuilder yaml = new StringBuilder("version: 1\nhosts:\n"
                    + "  ns1: {address: ns1.example.net, fqdn: smp.example.net, os: windows, lab: true}\n"
                    + "  ig1: {address: ig1.example.net, os: windows, transport: ssh, lab: true}\nresources:\n");
            for (String carrier : CARRIERS) {
                Object[] args = new Object[carrier.split("%s", -1).length - 1];
                for (int i = 0; i < args.length; i++) {
                    String value = CORPUS.get(p) + "\u00a7" + values.size() + "\u00a7"; // a marker per carrier: §N§
                    values.add(value);
                    args[i] = quoted(value);
                }
                yaml.append(String.format(carrier, args)).append('\n');
            }
            Files.writeString(dir.resolve("estate.yaml"), yaml.toString());
            CliRun run = CliRun.run(Map.of(), dir.getParent(), "apply", "--auto-approve", "site");
            cases += values.size();
            assertTrue(run.exitCode() == 0 || run.exitCode() == 1, run.err());
            assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), "a diagnostic, never a stack trace: " + run.err());

            Set<String> received = new HashSet<>();
            List<JsonNode> records = records(dir.resolve(".cem/lab/record"));
            for (JsonNode r : records) {
                String kind = r.path("kind").asText();
                String value = r.path("value").asText();
                switch (kind) {
                    case "command" -> assertTrue(cem.lab.CommandShell.transportForm(value)
                            || value.equals("powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command -")
                            || value.equals("hostname") || value.equals("whoami"), "only the transport's own command lines run: " + value);
                    case "script" -> assertFalse(value.contains("\u00a7"), "no value is ever part of a script's text: " + value);
                    case "op" -> strings(new ObjectMapper().readTree(value).path("args"), received);
                    default -> throw new AssertionError(kind);
                }
            }
            for (String s : received) {
                if (s.contains("\u00a7") && !values.contains(s)) {
                    // The installer's arguments reach Start-Process as one command line that Java quoted: read back as
                    // Windows reads it (CommandLineToArgvW), it must give the values exactly.
                    assertTrue(values.containsAll(argv(s)), "a value arrived changed (payload " + p + "): " + quoted(s));
                }
            }
            long arrived = values.stream().filter(received::contains).count();
            if (arrived == 0) {
                assertTrue(run.err().matches("(?s).*\\[[A-Z]{3}\\d{4}\\].*"), "nothing reached a host: a diagnostic says why: " + run.err());
                refused += values.size();
            } else {
                assertTrue(received.contains(values.get(1)) && received.contains(values.get(2)),
                        "the firewall rules depend on nothing: their values arrive over WinRM and SSH (payload " + p + ")");
                delivered += arrived;
            }
        }
        System.out.println("injection corpus: " + CORPUS.size() + " values x " + cases / CORPUS.size() + " attributes = " + cases
                + " cases; " + delivered + " delivered exactly, " + refused + " refused before any host, 0 commands but the transport's own");
        assertEquals(CORPUS.size() * 8, cases);
    }

    /**
     * The free-text attributes that reach a Linux firewall (nft JSON on stdin) and an F5 (tmsh
     * commands on stdin, where a newline would start a second command): each hostile value is
     * refused with a diagnostic on its resource before any host sees it, and the lab's device state
     * never holds it.
     */
    @Test
    @Timeout(600)
    void hostileValuesForTheFirewallAndTheF5AreRefusedBeforeAnyHost() throws IOException {
        int cases = 0;
        for (int p = 0; p < CORPUS.size(); p++) {
            String nft = quoted(CORPUS.get(p) + "\u00a7n\u00a7");
            String profile = quoted(CORPUS.get(p) + "\u00a7p\u00a7");
            String address = quoted(CORPUS.get(p) + "\u00a7a\u00a7");
            refused(p, "fw", "version: 1\nhosts:\n  fw: {address: fw.example.net, os: linux, lab: true}\nresources:\n"
                    + "  - {type: nft_rule, name: r, host: fw, hook: forward, protocol: tcp, dport: [443], saddr: [" + nft + "], action: accept}\n",
                    List.of("nft_rule.r"));
            refused(p, "f5", "version: 1\nhosts:\n"
                    + "  f5: {address: f5.example.net, os: bigip, lab: true}\n"
                    + "  ig1: {address: ig1.example.net, os: windows, transport: ssh, lab: true}\nresources:\n"
                    + "  - {type: certificate, name: gw-cert, host: ig1, pfx: ../certs/gateway.pfx, password: '${file:../certs/example.pass}'}\n"
                    + "  - {type: internet_gateway, name: ig1, host: ig1, externalFqdn: gateway.example.com, listenerPort: 443,"
                    + " certificate: gw-cert, servers: [{fqdn: smp.example.net}]}\n"
                    + "  - {type: bigip_gateway_vip, name: v, host: f5, destination: {address: 203.0.113.11, port: 443},"
                    + " member: {address: 172.16.10.15, port: 443}, gateway: ig1, profiles: [" + profile + "]}\n"
                    + "  - {type: bigip_gateway_vip, name: w, host: f5, destination: {address: " + address + ", port: 443},"
                    + " member: {address: 172.16.10.16, port: 443}, gateway: ig1}\n", List.of("bigip_gateway_vip.v", "bigip_gateway_vip.w"));
            cases += 3;
        }
        System.out.println("injection corpus (firewall, F5): " + cases + " cases, every one refused with a diagnostic before any host");
    }

    /** Applies {@code yaml}; it must be refused with a diagnostic naming each address, and no lab device may hold the value. */
    private void refused(int p, String name, String yaml, List<String> addresses) throws IOException {
        Path dir = CliRun.copyExample(tmp.resolve(name + p), "quickstart").resolveSibling("site");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("estate.yaml"), yaml);
        CliRun run = CliRun.run(Map.of(), dir.getParent(), "apply", "--auto-approve", "site");
        assertEquals(1, run.exitCode(), "refused (payload " + p + "):\n" + run.out() + run.err());
        assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), run.err());
        for (String address : addresses) {
            assertTrue(run.err().contains(address), "the refusal names " + address + " (payload " + p + "):\n" + run.err());
        }
        Path lab = dir.resolve(".cem/lab");
        if (Files.isDirectory(lab)) {
            try (Stream<Path> files = Files.list(lab)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertFalse(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1).contains("\u00a7"),
                            "no hostile value reached " + f.getFileName());
                }
            }
        }
    }

    private static List<JsonNode> records(Path dir) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                for (String line : Files.readAllLines(f)) {
                    out.add(new ObjectMapper().readTree(line));
                }
            }
        }
        return out;
    }

    private static void strings(JsonNode n, Set<String> out) {
        if (n.isTextual()) {
            out.add(n.asText());
        }
        n.forEach(c -> strings(c, out));
    }
}

package cem.nftables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cem.diag.Diagnostic;
import cem.lab.Faults;
import cem.lab.LabSshServer;
import cem.lab.LinuxHost;
import cem.spi.ApplyRequest;
import cem.spi.ApplyResponse;
import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.ProviderContext;
import cem.spi.ReadRequest;
import cem.spi.ReadResponse;
import cem.spi.ResourceInstance;
import cem.testkit.Namespaces;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's nftables twin against the kernel's: the same provider runs the same steps against a
 * lab firewall and against a real one (sshd + nftables in a network namespace), and what each
 * step leaves — the listing (handles aside), what cem reads, and nft's errors — must be the same.
 * Without root only the lab side runs, and the test says it was skipped in part.
 */
class NftContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "lab-Pass-57";

    @TempDir
    Path tmp;

    LinuxHost labHost;
    LabSshServer labServer;
    Namespaces.Host real;
    NftProvider provider;

    /** One side of the contract: how to reach it and how to list its table. */
    private interface Side {
        HostTarget target();

        String listing(String family, String table);
    }

    private Side lab;
    private Side kernel;

    @BeforeEach
    void start() throws Exception {
        provider = new NftProvider(new ProviderContext(Map.of(), tmp, false));
        labHost = new LinuxHost("fw-lab", tmp.resolve("lab/fw-nftables.json"));
        labServer = new LabSshServer(tmp.resolve("lab/ssh"), labHost, new Faults(), "cem", PASSWORD, null).start();
        Path known = tmp.resolve("lab/known_hosts");
        Files.writeString(known, labServer.knownHostsLine() + "\n");
        ObjectNode labSettings = JSON.createObjectNode().put("address", "127.0.0.1").put("port", labServer.port()).put("os", "linux")
                .put("transport", "ssh");
        labSettings.putObject("auth").put("scheme", "password").put("username", "cem");
        labSettings.putObject("ssh").put("knownHosts", known.toString());
        lab = new Side() {
            public HostTarget target() {
                return new HostTarget("fw-lab", labSettings, Map.of("auth/password", PASSWORD), tmp);
            }

            public String listing(String family, String table) {
                try {
                    return labHost.nft().list(family, table);
                } catch (cem.lab.NftTables.NftError e) {
                    return e.getMessage();
                }
            }
        };
        if (Namespaces.unavailable() == null) {
            Namespaces.prepareUsers();
            real = Namespaces.start("fw-real", 42, tmp.resolve("real"));
            ObjectNode realSettings = JSON.createObjectNode().put("address", real.address()).put("os", "linux").put("transport", "ssh");
            realSettings.putObject("auth").put("scheme", "publickey").put("username", Namespaces.USER).put("keyFile", real.clientKey().toString());
            realSettings.putObject("ssh").put("knownHosts", real.knownHosts().toString()).put("sudo", true);
            kernel = new Side() {
                public HostTarget target() {
                    return new HostTarget("fw-real", realSettings, Map.of(), tmp);
                }

                public String listing(String family, String table) {
                    Namespaces.Result r = real.exec("", "nft", "-j", "list", "table", family, table);
                    return r.exitCode() == 0 ? r.output() : r.output().strip();
                }
            };
        }
    }

    @AfterEach
    void stop() {
        provider.close();
        if (labServer != null) {
            labServer.close();
        }
        if (real != null) {
            real.close();
        }
    }

    static ResourceInstance rule(String name, int position, String yamlLikeJson) {
        try {
            ObjectNode a = (ObjectNode) JSON.readTree(yamlLikeJson);
            NftProvider.SCHEMA.defaults().forEach((k, v) -> {
                if (!a.has(k)) {
                    a.set(k, JSON.valueToTree(v));
                }
            });
            a.put("position", position);
            return new ResourceInstance("nft_rule." + name, "nft_rule", null, a);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a step left behind on one side. */
    private record Outcome(String listing, Map<String, JsonNode> live, List<String> diagnostics) {}

    /** Applies the desired rules as one batch (deleting those named in {@code gone}), then reads them back. */
    private Outcome step(Side side, List<ResourceInstance> desired, List<ResourceInstance> gone) {
        List<ApplyRequest.Change> changes = new ArrayList<>();
        ReadResponse before = provider.read(new ReadRequest(side.target(), concat(desired, gone)));
        for (ResourceInstance r : gone) {
            LiveResource l = before.resources().get(r.address());
            changes.add(new ApplyRequest.Change(ApplyRequest.Operation.DELETE,
                    new ResourceInstance(r.address(), r.type(), l == null ? null : l.identity(), l == null ? r.attributes() : l.attributes())));
        }
        for (ResourceInstance r : desired) {
            LiveResource l = before.resources().get(r.address());
            String identity = l == null || !l.exists() ? null : l.identity();
            changes.add(new ApplyRequest.Change(identity == null ? ApplyRequest.Operation.CREATE : ApplyRequest.Operation.UPDATE,
                    new ResourceInstance(r.address(), r.type(), identity, r.attributes())));
        }
        ApplyResponse applied = provider.apply(new ApplyRequest(side.target(), changes));
        List<String> diags = new ArrayList<>();
        for (Diagnostic d : applied.diagnostics().list()) {
            diags.add(d.code() + " " + d.address() + ": " + d.summary() + " / " + d.detail());
        }
        ReadResponse after = provider.read(new ReadRequest(side.target(), desired));
        Map<String, JsonNode> live = new TreeMap<>();
        after.resources().forEach((address, l) -> live.put(address, l.exists() ? l.attributes() : null));
        return new Outcome(normalized(side.listing("inet", "cem")), live, diags);
    }

    private static List<ResourceInstance> concat(List<ResourceInstance> a, List<ResourceInstance> b) {
        List<ResourceInstance> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** A listing without what differs between two correct nftables: handles and version information. */
    private static String normalized(String listing) {
        try {
            JsonNode doc = JSON.readTree(listing);
            ArrayNode out = JSON.createArrayNode();
            for (JsonNode item : doc.path("nftables")) {
                if (!item.has("metainfo")) {
                    JsonNode copy = item.deepCopy();
                    stripHandles(copy);
                    out.add(copy);
                }
            }
            return out.toPrettyString();
        } catch (java.io.IOException e) {
            return listing.replaceAll("(?m)^\\s+\\^+$", "").strip(); // an error message
        }
    }

    private static void stripHandles(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove("handle");
            if (o.has("packets")) {
                o.put("packets", 0).put("bytes", 0); // the kernel counts real traffic
            }
            o.forEach(NftContractTest::stripHandles);
        } else if (node instanceof ArrayNode a) {
            a.forEach(NftContractTest::stripHandles);
        }
    }

    /** The steps of the contract; each returns what it left, so the two sides can be compared step by step. */
    private List<Outcome> scenario(Side side) {
        Map<String, ResourceInstance> rules = new LinkedHashMap<>();
        rules.put("web", rule("web", 0, "{\"hook\":\"input\",\"dport\":[8443,443,8080],\"action\":\"reject\",\"counter\":true}"));
        rules.put("lan", rule("lan", 1, "{\"hook\":\"input\",\"saddr\":[\"10.1.2.3/8\",\"192.0.2.7/32\",\"172.16.0.1\"],\"log\":true,"
                + "\"action\":\"drop\"}"));
        rules.put("v6", rule("v6", 2, "{\"hook\":\"input\",\"protocol\":\"udp\",\"saddr\":[\"2001:DB8:0:0::/32\"],\"action\":\"reject\"}"));
        rules.put("fwd", rule("fwd", 0, "{\"hook\":\"forward\",\"priority\":-10,\"daddr\":[\"192.0.2.9\"],\"dport\":[4726],"
                + "\"action\":\"accept\"}"));
        List<Outcome> out = new ArrayList<>();
        out.add(step(side, List.copyOf(rules.values()), List.of()));
        // Update one, move another to the top.
        rules.put("lan", rule("lan", 0, "{\"hook\":\"input\",\"saddr\":[\"10.0.0.0/8\"],\"action\":\"accept\"}"));
        rules.put("web", rule("web", 1, "{\"hook\":\"input\",\"dport\":[8443,443,8080],\"action\":\"reject\",\"counter\":true}"));
        out.add(step(side, List.copyOf(rules.values()), List.of()));
        // Delete one.
        ResourceInstance v6 = rules.remove("v6");
        out.add(step(side, List.copyOf(rules.values()), List.of(v6)));
        // A rule naming a set that does not exist: refused, nothing changes.
        rules.put("blocked", rule("blocked", 2, "{\"hook\":\"input\",\"saddr\":[\"@blocklist\"],\"action\":\"drop\"}"));
        out.add(step(side, List.copyOf(rules.values()), List.of()));
        return out;
    }

    /**
     * Issue 24, item 1: a state whose table reads "inet cem; delete table inet filter" made a read-only
     * plan delete the firewall's table filter (nft joins its arguments and parses ";" as a separator).
     * The table is now checked before anything is sent, and tables are listed through a JSON request.
     */
    @Test
    void aTableFromAnEditedStateNeverReachesNft() {
        if (real != null) {
            assertEquals(0, real.exec("", "sudo", "nft", "add", "table", "inet", "filter").exitCode());
        }
        for (Side side : kernel == null ? List.of(lab) : List.of(lab, kernel)) {
            ObjectNode a = JSON.createObjectNode().put("table", "inet cem; delete table inet filter").put("hook", "input").put("action", "accept");
            ReadResponse read = provider.read(new ReadRequest(side.target(), List.of(new ResourceInstance("nft_rule.x", "nft_rule", null, a))));
            assertTrue(read.diagnostics().list().stream().anyMatch(d -> d.code().equals("PRV4104")), read.diagnostics().list().toString());
            assertEquals(0, read.roundTrips(), "nothing was sent");
        }
        if (real != null) {
            assertEquals(0, real.exec("", "sudo", "nft", "list", "table", "inet", "filter").exitCode(), "table filter is still there");
            // And a good read still lists through nft -j -f on the real kernel: an absent table is empty, not an error.
            ObjectNode ok = JSON.createObjectNode().put("table", "inet nosuch").put("hook", "input").put("action", "accept");
            ReadResponse read = provider.read(new ReadRequest(kernel.target(), List.of(new ResourceInstance("nft_rule.y", "nft_rule", null, ok))));
            assertFalse(read.diagnostics().hasErrors(), read.diagnostics().list().toString());
            assertFalse(read.resources().get("nft_rule.y").exists());
        }
    }

    @Test
    void theLabAndTheKernelAgreeStepByStep() {
        List<Outcome> fromLab = scenario(lab);
        // The lab on its own must do what the contract says.
        assertTrue(fromLab.get(0).diagnostics().isEmpty(), fromLab.get(0).diagnostics().toString());
        assertTrue(fromLab.get(0).listing().contains("\"10.0.0.0\""), "host bits cleared: " + fromLab.get(0).listing());
        assertTrue(fromLab.get(0).listing().contains("\"2001:db8::\""), "IPv6 compressed: " + fromLab.get(0).listing());
        assertEquals(1, fromLab.get(3).diagnostics().stream().filter(d -> d.startsWith("PRV4101 nft_rule.blocked: nft refused")).count(),
                fromLab.get(3).diagnostics().toString());
        assertEquals(fromLab.get(2).listing(), fromLab.get(3).listing(), "a refused transaction changes nothing");
        assertEquals("10.1.2.3/8", fromLab.get(0).live().get("nft_rule.lan").path("saddr").path(0).asText(),
                "the configuration's spelling is kept when nft's means the same");
        if (kernel == null) {
            org.junit.jupiter.api.Assumptions.abort("lab side only: the kernel side " + Namespaces.unavailable());
        }
        List<Outcome> fromKernel = scenario(kernel);
        for (int i = 0; i < fromLab.size(); i++) {
            assertEquals(fromKernel.get(i).listing(), fromLab.get(i).listing(), "listing after step " + i);
            assertEquals(fromKernel.get(i).live().toString(), fromLab.get(i).live().toString(), "what cem reads after step " + i);
            assertEquals(fromKernel.get(i).diagnostics().toString().replace("fw-real", "HOST"),
                    fromLab.get(i).diagnostics().toString().replace("fw-lab", "HOST"), "diagnostics of step " + i);
        }
        assertFalse(fromKernel.get(3).diagnostics().isEmpty());
    }
}

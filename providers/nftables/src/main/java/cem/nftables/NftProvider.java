package cem.nftables;

import cem.diag.Diagnostic;
import cem.diag.Diagnostics;
import cem.diag.Severity;
import cem.spi.ApplyRequest;
import cem.spi.ApplyResponse;
import cem.spi.AttributeSchema;
import cem.spi.AttributeSchema.Kind;
import cem.spi.CommandResult;
import cem.spi.HostTarget;
import cem.spi.LiveResource;
import cem.spi.Provider;
import cem.spi.ProviderContext;
import cem.spi.ReadRequest;
import cem.spi.ReadResponse;
import cem.spi.RemoteCommand;
import cem.spi.ResourceInstance;
import cem.spi.ResourceSchema;
import cem.spi.Sessions;
import cem.spi.TransportException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code nft_rule}: rules in tables cem owns on Linux firewalls, over SSH. A read lists the tables
 * in one round trip; an apply rewrites every chain it touches — flushed, re-created and refilled in
 * the declared order — as one nftables transaction, checked with {@code nft -c} first, in one round
 * trip. Tables cem does not own are never named in anything cem sends.
 */
public final class NftProvider implements Provider {

    static final String TYPE = "nft_rule";
    static final String OWNED_TABLES_NOTE = "cem changes only its own nftables tables; no other table is read or touched";

    /** nft's listings are read with the caps of every host answer (depth, sizes: {@link cem.spi.HostJson}). */
    private static final ObjectMapper JSON = cem.spi.HostJson.MAPPER;

    static final ResourceSchema SCHEMA = ResourceSchema.of(TYPE, false,
            Map.of("table", NftRule.DEFAULT_TABLE, "hook", NftRule.DEFAULT_HOOK, "priority", 0, "counter", false, "log", false,
                    "otherExpressions", List.of(), "saddr", List.of(), "daddr", List.of(), "dport", List.of()),
            List.of(AttributeSchema.of("table", Kind.STRING).forcingReplacement(),
                    AttributeSchema.of("chain", Kind.STRING).forcingReplacement(),
                    AttributeSchema.of("hook", Kind.STRING).forcingReplacement(),
                    AttributeSchema.of("priority", Kind.NUMBER),
                    AttributeSchema.of("protocol", Kind.STRING),
                    AttributeSchema.of("dport", Kind.SET),
                    AttributeSchema.of("saddr", Kind.SET),
                    AttributeSchema.of("daddr", Kind.SET),
                    AttributeSchema.of("action", Kind.STRING),
                    AttributeSchema.of("counter", Kind.BOOLEAN),
                    AttributeSchema.of("log", Kind.BOOLEAN),
                    AttributeSchema.of("otherExpressions", Kind.LIST),
                    AttributeSchema.of(ResourceSchema.POSITION, Kind.NUMBER),
                    AttributeSchema.of("gateway", Kind.STRING),
                    AttributeSchema.of(NftRule.OBJECT_NAME, Kind.STRING)))
            .orderedWithin(NftRule::chainKeyOf)
            .identifiedBy("the table + the rule's comment cem:NAME (cem finds a rule in its table by that comment, whatever its chain)",
                    NftRule::identityKey)
            .namedAfterResource(NftRule.OBJECT_NAME, name -> name);

    private final Sessions sessions;

    public NftProvider(ProviderContext context) {
        this.sessions = new Sessions(context, "ssh");
    }

    @Override
    public Map<String, ResourceSchema> schemas() {
        return Map.of(TYPE, SCHEMA);
    }

    @Override
    public ReadResponse read(ReadRequest request) {
        HostTarget host = request.host();
        Diagnostics.Builder refused = Diagnostics.builder();
        List<String> tables = tablesOf(request.resources(), refused);
        if (refused.hasErrors()) {
            return new ReadResponse(Map.of(), refused.build(), 0);
        }
        CommandResult result;
        try {
            result = sessions.with(host, t -> t.exec(NftCommands.read(sudo(host), tables)));
        } catch (TransportException e) {
            return new ReadResponse(Map.of(), Diagnostics.of(sessions.failed(host, e)), 0);
        }
        Diagnostics.Builder diags = Diagnostics.builder();
        Map<String, Table> live = tables(host, NftCommands.sections(result.stdout()), result, diags);
        if (diags.hasErrors()) {
            return new ReadResponse(Map.of(), diags.build(), 1);
        }
        Map<String, LiveResource> out = live(request.resources(), live);
        unmanaged(host, request.resources(), live, diags);
        return new ReadResponse(out, diags.build(), 1);
    }

    @Override
    public ApplyResponse apply(ApplyRequest request) {
        HostTarget host = request.host();
        Diagnostics.Builder diags = Diagnostics.builder();
        Transaction tx;
        try {
            tx = Transaction.of(request);
        } catch (IllegalArgumentException e) {
            for (ApplyRequest.Change c : request.changes()) {
                diags.add(new Diagnostic(Severity.ERROR, "PRV4101", "Cannot build the nftables transaction for host " + host.name(),
                        e.getMessage(), "Fix the rules of this chain in the configuration.", null, c.resource().address()));
            }
            return new ApplyResponse(Map.of(), diags.build(), 0);
        }
        List<ResourceInstance> touched = request.changes().stream().map(ApplyRequest.Change::resource).toList();
        List<String> tables = tablesOf(touched, diags);
        if (diags.hasErrors()) {
            return new ApplyResponse(Map.of(), diags.build(), 0);
        }
        RemoteCommand command = NftCommands.apply(sudo(host), tables, tx.document(), tx.perRule());
        CommandResult result;
        try {
            result = sessions.with(host, t -> t.exec(command));
        } catch (TransportException e) {
            return new ApplyResponse(Map.of(), Diagnostics.of(sessions.failed(host, e)), 0);
        }
        List<NftCommands.Section> sections = NftCommands.sections(result.stdout());
        NftCommands.Section check = sections.stream().filter(s -> s.kind().equals("check")).findFirst().orElse(null);
        NftCommands.Section applied = sections.stream().filter(s -> s.kind().equals("apply")).findFirst().orElse(null);
        if (check == null) {
            diags.add(Sessions.hostProblem("The nftables apply on host " + host.name() + " did not run", output(result),
                    "Check that the SSH user's shell runs sh and that the host is Linux with nftables."));
            return new ApplyResponse(Map.of(), diags.build(), 1);
        }
        if (check.exitCode() != 0 || (applied != null && applied.exitCode() != 0)) {
            refused(host, request, check.exitCode() != 0 ? check : applied, sections, diags);
            return new ApplyResponse(Map.of(), diags.build(), 1);
        }
        Map<String, Table> live = tables(host, sections, result, diags);
        if (diags.hasErrors()) {
            return new ApplyResponse(Map.of(), diags.build(), 1);
        }
        Map<String, LiveResource> now = live(touched, live);
        Map<String, LiveResource> results = new HashMap<>();
        for (ApplyRequest.Change c : request.changes()) {
            String address = c.resource().address();
            LiveResource l = now.get(address);
            boolean deleted = c.operation() == ApplyRequest.Operation.DELETE && !tx.finalAddresses().contains(address);
            if (deleted && (l == null || !l.exists())) {
                results.put(address, LiveResource.absent(address));
            } else if (!deleted && l != null && l.exists()) {
                results.put(address, l);
            } else {
                diags.add(new Diagnostic(Severity.ERROR, "PRV4004", address + (deleted ? " is still there" : " is missing") + " after apply",
                        "nft accepted the transaction, but listing the table afterwards does not agree.",
                        "Another process may be changing the table at the same time; run plan to see what is live.", null, address));
            }
        }
        return new ApplyResponse(results, diags.build(), 1);
    }

    /** A transaction nft refused: its message, on each rule whose own check fails, else on every change. */
    private static void refused(HostTarget host, ApplyRequest request, NftCommands.Section failed, List<NftCommands.Section> sections,
            Diagnostics.Builder diags) {
        Diagnostic privilege = privilegeProblem(host, failed.body());
        if (privilege != null) {
            diags.add(privilege);
            return;
        }
        Map<String, String> byRule = new LinkedHashMap<>();
        sections.stream().filter(s -> s.kind().equals("rule") && s.exitCode() != 0).forEach(s -> byRule.put(s.subject(), s.body()));
        String hint = "Nothing was changed: nft refused the whole transaction. Fix the rule and run apply again.";
        for (ApplyRequest.Change c : request.changes()) {
            String address = c.resource().address();
            String own = byRule.get(address);
            if (own != null) {
                diags.add(new Diagnostic(Severity.ERROR, "PRV4101", "nft refused " + address, "nft said: " + clean(own), hint, null, address));
            } else if (byRule.isEmpty()) {
                diags.add(new Diagnostic(Severity.ERROR, "PRV4101", "nft refused the transaction for host " + host.name(),
                        "nft said: " + clean(failed.body()), hint, null, address));
            } else {
                diags.add(new Diagnostic(Severity.ERROR, "PRV4101", "Not applied: " + address,
                        "The transaction for host " + host.name() + " held a rule nft refused (" + String.join(", ", byRule.keySet()) + ").",
                        hint, null, address));
            }
        }
    }

    /** nft's message without its "internal:0:0-0:" position (JSON input has no useful one). */
    static String clean(String nftOutput) {
        return nftOutput.replaceAll("(?m)^internal:\\d+:\\d+-\\d+: ", "").strip();
    }

    /** sudo asking for a password, or nft refusing a user without privileges: said plainly. */
    private static Diagnostic privilegeProblem(HostTarget host, String body) {
        String user = host.settings().path("auth").path("username").asText("the SSH user");
        if (body.contains("sudo: a password is required") || body.contains("sudo: a terminal is required")
                || body.contains("no tty present")) {
            return Sessions.hostProblem("sudo asked for a password on host " + host.name(), "cem runs nft with `sudo -n`, which never prompts.",
                    "Give " + user + " a sudoers entry without a password for nft only, e.g. `" + user
                            + " ALL=(root) NOPASSWD: /usr/sbin/nft`, or connect as root.");
        }
        if (body.contains("sudo: not found") || body.contains("sudo: command not found")) {
            return Sessions.hostProblem("sudo is not installed on host " + host.name(), clean(body),
                    "Install sudo there, or connect as root and remove ssh.sudo.");
        }
        if (body.contains("nft: not found") || body.contains("nft: command not found")) {
            return Sessions.hostProblem("nft is not installed on host " + host.name(), clean(body), "Install nftables there (apt-get install nftables).");
        }
        if (body.contains("Operation not permitted")) {
            return Sessions.hostProblem("nft needs root on host " + host.name(), clean(body),
                    "Connect as root, or set `ssh: {sudo: true}` on the host and give " + user + " a NOPASSWD sudoers entry for nft.");
        }
        return null;
    }

    /** The listed tables; an absent table is empty. Any other failure is a host-level error. */
    private static Map<String, Table> tables(HostTarget host, List<NftCommands.Section> sections, CommandResult result,
            Diagnostics.Builder diags) {
        Map<String, Table> out = new LinkedHashMap<>();
        for (NftCommands.Section s : sections) {
            if (!s.kind().equals("table")) {
                continue;
            }
            if (s.exitCode() != 0) {
                if (s.body().contains("No such file or directory")) {
                    out.put(s.subject(), Table.EMPTY);
                    continue;
                }
                Diagnostic privilege = privilegeProblem(host, s.body());
                diags.add(privilege != null ? privilege : Sessions.hostProblem("Cannot list table " + s.subject() + " on host " + host.name(),
                        "nft said: " + clean(s.body()), "Check nftables on the host."));
                continue;
            }
            try {
                out.put(s.subject(), Table.parse(JSON.readTree(s.body())));
            } catch (JsonProcessingException e) {
                diags.add(Sessions.hostProblem("nft's listing of table " + s.subject() + " on host " + host.name() + " is not JSON",
                        e.getOriginalMessage(), "Check that the host's nft supports -j (nftables 0.9 or newer)."));
            }
        }
        if (out.isEmpty() && !diags.hasErrors() && result.exitCode() != 0) {
            diags.add(Sessions.hostProblem("The nftables read on host " + host.name() + " failed", output(result),
                    "Check that the SSH user's shell runs sh and that the host is Linux with nftables."));
        }
        return out;
    }

    /** What cem finds for each resource, positions told as the plan should show moves. */
    private static Map<String, LiveResource> live(List<ResourceInstance> resources, Map<String, Table> tables) {
        Map<String, ResourceInstance> byName = new LinkedHashMap<>();
        resources.forEach(r -> byName.put(NftRule.nameOf(r), r));
        Map<String, LiveResource> out = new HashMap<>();
        for (ResourceInstance r : resources) {
            String tableKey = String.join(" ", NftRule.tableOf(r.attributes()));
            Table table = tables.getOrDefault(tableKey, Table.EMPTY);
            NftRule found = table.rules().stream().filter(x -> NftRule.nameOf(r).equals(x.name())).findFirst().orElse(null);
            if (found == null) {
                out.put(r.address(), LiveResource.absent(r.address()));
                continue;
            }
            ObjectNode attributes = found.attributes(r.attributes());
            attributes.set(ResourceSchema.POSITION, Positions.live(found, table.chain(found.chain()), byName));
            out.put(r.address(), new LiveResource(r.address(), true, found.identity(), attributes));
        }
        return out;
    }

    /** Rules in cem's tables that no resource names: the next rewrite of their chain removes them, and the plan says so. */
    private static void unmanaged(HostTarget host, List<ResourceInstance> resources, Map<String, Table> tables, Diagnostics.Builder diags) {
        Set<String> names = new java.util.HashSet<>();
        resources.forEach(r -> names.add(NftRule.nameOf(r)));
        tables.forEach((key, table) -> {
            Map<String, Integer> seen = new HashMap<>();
            for (NftRule rule : table.rules()) {
                boolean duplicate = rule.name() != null && seen.merge(rule.name(), 1, Integer::sum) > 1;
                if (rule.name() == null || !names.contains(rule.name()) || duplicate) {
                    String what = rule.name() == null ? "a rule without a cem comment" : duplicate ? "a second rule \"" + rule.comment() + "\""
                            : "rule \"" + rule.comment() + "\", which no resource declares";
                    diags.add(new Diagnostic(Severity.WARNING, "PRV4103", "Table " + key + " on host " + host.name() + " holds " + what,
                            "cem owns table " + key + ": the next apply that changes chain " + rule.chain() + " rewrites it without this rule.",
                            "Declare it as an nft_rule, or keep rules cem does not manage in another table.", null, null));
                }
            }
        });
    }

    /**
     * The tables of these resources, each checked to be an nftables family and name: a resource that
     * exists only in the state is read with its stored attributes, and a state can be edited by anyone
     * who can write it — its values must never reach nft unchecked (issue 24, item 1).
     */
    private static List<String> tablesOf(List<ResourceInstance> resources, Diagnostics.Builder diags) {
        Set<String> out = new LinkedHashSet<>();
        for (ResourceInstance r : resources) {
            String key = String.join(" ", NftRule.tableOf(r.attributes()));
            try {
                out.add(NftCommands.tableKey(key));
            } catch (IllegalArgumentException e) {
                diags.add(new Diagnostic(Severity.ERROR, "PRV4104", "The table of " + r.address() + " is not an nftables table", e.getMessage(),
                        "If the configuration does not say so, the state does: someone edited it. Check the state (cem state show "
                                + r.address() + "), and remove the entry (cem state rm) if it is not cem's.", null, r.address()));
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean sudo(HostTarget host) {
        return host.settings().path("ssh").path("sudo").asBoolean(false);
    }

    private static String output(CommandResult r) {
        String text = (r.stdout() + "\n" + r.stderr()).strip();
        return "Exit code " + r.exitCode() + (text.isEmpty() ? "." : ": " + (text.length() > 500 ? text.substring(0, 500) + " …" : text));
    }

    @Override
    public void close() {
        sessions.close();
    }

    /** A listed table: its chains (hook, priority) and its rules in order. */
    record Table(Map<String, Chain> chains, List<NftRule> rules) {
        static final Table EMPTY = new Table(Map.of(), List.of());

        static Table parse(JsonNode listing) {
            Map<String, Chain> chains = new LinkedHashMap<>();
            List<NftRule> rules = new ArrayList<>();
            for (JsonNode item : listing.path("nftables")) {
                JsonNode c = item.path("chain");
                if (c.isObject()) {
                    chains.put(c.path("name").asText(), new Chain(c.path("name").asText(), c.path("hook").asText(null), c.path("prio").asInt(0),
                            new ArrayList<>()));
                }
                JsonNode r = item.path("rule");
                if (r.isObject()) {
                    Chain chain = chains.get(r.path("chain").asText());
                    NftRule rule = NftRule.parse(r, chain == null ? null : chain.hook(), chain == null ? 0 : chain.priority());
                    rules.add(rule);
                    if (chain != null) {
                        chain.rules().add(rule);
                    }
                }
            }
            return new Table(chains, rules);
        }

        Chain chain(String name) {
            return chains.get(name);
        }
    }

    /** A chain and its rules in order. */
    record Chain(String name, String hook, int priority, List<NftRule> rules) {}

    /** The chains an apply rewrites, as one nft JSON document, and each rule's own check document. */
    record Transaction(String document, Map<String, String> perRule, Set<String> finalAddresses) {

        static Transaction of(ApplyRequest request) {
            // Where each resource ends up: changes as desired (deletes gone), the others as they stand.
            Map<String, NftRule> finalRules = new LinkedHashMap<>();
            Map<String, Integer> finalPositions = new HashMap<>();
            Set<String> chains = new LinkedHashSet<>();
            for (ResourceInstance r : request.unchanged()) {
                NftRule rule = NftRule.of(r.name(), r.attributes());
                finalRules.put(r.address(), rule);
                finalPositions.put(r.address(), Positions.number(r.attributes().get(ResourceSchema.POSITION)));
            }
            for (ApplyRequest.Change c : request.changes()) {
                ResourceInstance r = c.resource();
                NftRule rule = NftRule.of(r.name(), r.attributes());
                if (r.identity() != null) {
                    chains.add(r.identity().substring(0, r.identity().lastIndexOf(' '))); // where it was
                }
                chains.add(rule.chainKey());
                if (c.operation() == ApplyRequest.Operation.DELETE) {
                    finalRules.remove(r.address());
                } else {
                    finalRules.put(r.address(), rule);
                    finalPositions.put(r.address(), Positions.number(r.attributes().get(ResourceSchema.POSITION)));
                }
            }
            ArrayNode commands = JSON.createArrayNode();
            Map<String, String> perRule = new LinkedHashMap<>();
            Set<String> tablesAdded = new LinkedHashSet<>();
            for (String chainKey : chains) {
                String[] k = chainKey.split(" ", 3);
                if (tablesAdded.add(k[0] + " " + k[1])) {
                    commands.add(command("add", "table", JSON.createObjectNode().put("family", k[0]).put("name", k[1])));
                }
                ObjectNode ref = JSON.createObjectNode().put("family", k[0]).put("table", k[1]).put("name", k[2]);
                // Make sure it exists, empty it and drop it, so that it comes back exactly as declared.
                commands.add(command("add", "chain", ref.deepCopy()));
                commands.add(command("flush", "chain", ref.deepCopy()));
                commands.add(command("delete", "chain", ref.deepCopy()));
                List<Map.Entry<String, NftRule>> rules = new ArrayList<>();
                finalRules.forEach((address, rule) -> {
                    if (rule.chainKey().equals(chainKey)) {
                        rules.add(Map.entry(address, rule));
                    }
                });
                if (rules.isEmpty()) {
                    continue;
                }
                rules.sort(java.util.Comparator.comparing((Map.Entry<String, NftRule> e) -> finalPositions.getOrDefault(e.getKey(), 0))
                        .thenComparing(Map.Entry::getKey));
                NftRule first = rules.get(0).getValue();
                for (Map.Entry<String, NftRule> e : rules) {
                    NftRule r = e.getValue();
                    if (!r.hook().equals(first.hook()) || r.priority() != first.priority()) {
                        throw new IllegalArgumentException("Chain " + chainKey + " is declared with hook " + first.hook() + " priority "
                                + first.priority() + " by " + rules.get(0).getKey() + " and with hook " + r.hook() + " priority "
                                + r.priority() + " by " + e.getKey() + ".");
                    }
                }
                ObjectNode spec = ref.deepCopy().put("type", "filter").put("hook", first.hook()).put("prio", first.priority())
                        .put("policy", "accept");
                commands.add(command("add", "chain", spec));
                for (Map.Entry<String, NftRule> e : rules) {
                    commands.add(command("add", "rule", e.getValue().toJson()));
                }
            }
            for (ApplyRequest.Change c : request.changes()) {
                NftRule rule = finalRules.get(c.resource().address());
                if (rule != null) {
                    ArrayNode alone = JSON.createArrayNode();
                    alone.add(command("add", "table", JSON.createObjectNode().put("family", rule.family()).put("name", rule.table())));
                    alone.add(command("add", "chain", JSON.createObjectNode().put("family", rule.family()).put("table", rule.table())
                            .put("name", rule.chain())));
                    alone.add(command("add", "rule", rule.toJson()));
                    perRule.put(c.resource().address(), document(alone));
                }
            }
            return new Transaction(document(commands), perRule, finalRules.keySet());
        }

        private static ObjectNode command(String verb, String kind, ObjectNode object) {
            ObjectNode c = JSON.createObjectNode();
            c.putObject(verb).set(kind, object);
            return c;
        }

        private static String document(ArrayNode commands) {
            ObjectNode doc = JSON.createObjectNode();
            doc.set("nftables", commands);
            return doc.toString();
        }
    }

    /** Live positions that show moves, not shifts: only rules out of their declared relative order move. */
    static final class Positions {

        private Positions() {}

        static int number(JsonNode n) {
            if (n == null) {
                return Integer.MAX_VALUE;
            }
            if (n.isNumber()) {
                return n.asInt();
            }
            String text = n.asText().trim().split(" ")[0];
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                return Integer.MAX_VALUE;
            }
        }

        /**
         * A rule's live position: its declared one when it stands in declared order relative to the
         * other declared rules of its chain (the longest run in order); otherwise where it really is,
         * marked out of order, so that the plan shows it moving — and only it.
         */
        static JsonNode live(NftRule rule, Chain chain, Map<String, ResourceInstance> declared) {
            List<NftRule> ours = new ArrayList<>();
            for (NftRule r : chain == null ? List.<NftRule>of() : chain.rules()) {
                if (r.name() != null && declared.containsKey(r.name())) {
                    ours.add(r);
                }
            }
            int[] wanted = new int[ours.size()];
            for (int i = 0; i < ours.size(); i++) {
                wanted[i] = number(declared.get(ours.get(i).name()).attributes().get(ResourceSchema.POSITION));
            }
            boolean[] inOrder = longestIncreasing(wanted);
            int index = ours.indexOf(rule);
            if (index < 0) {
                return JSON.getNodeFactory().numberNode(-1);
            }
            if (inOrder[index]) {
                return JSON.getNodeFactory().numberNode(wanted[index]);
            }
            return JSON.getNodeFactory().textNode(index + " (out of order)");
        }

        /** Marks one longest strictly increasing subsequence (patience sorting, O(n log n)). */
        static boolean[] longestIncreasing(int[] a) {
            int n = a.length;
            int[] tailIndex = new int[n];
            int[] previous = new int[n];
            int length = 0;
            for (int i = 0; i < n; i++) {
                int lo = 0;
                int hi = length;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (a[tailIndex[mid]] < a[i]) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                previous[i] = lo > 0 ? tailIndex[lo - 1] : -1;
                tailIndex[lo] = i;
                length = Math.max(length, lo + 1);
            }
            boolean[] marked = new boolean[n];
            for (int i = length > 0 ? tailIndex[length - 1] : -1; i >= 0; i = previous[i]) {
                marked[i] = true;
            }
            return marked;
        }
    }
}

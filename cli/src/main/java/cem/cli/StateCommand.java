package cem.cli;

import cem.diag.Diagnostic;
import cem.diag.DiagnosticsException;
import cem.diag.Severity;
import cem.state.ResourceState;
import cem.state.State;
import cem.state.StateException;
import cem.state.StateStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem state list|show|rm|mv}: read and edit what cem manages, without touching hosts. */
@Command(name = "state", description = "Inspect and edit the state (what cem manages). Touches no host.",
        subcommands = {StateCommand.ListCmd.class, StateCommand.ShowCmd.class, StateCommand.RmCmd.class, StateCommand.MvCmd.class,
            StateCommand.HistoryCmd.class, StateCommand.MigrateCmd.class, StateCommand.SignCmd.class})
final class StateCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every state subcommand takes. */
    static final class Dir {
        @Option(names = {"-d", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "Configuration directory (default: the current one).")
        String dir;

        @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "0s", description = "Wait this long for the state lock.")
        String lockTimeout;

        StateStore store(Session session) {
            return StateBackends.forDirectory(session, dir);
        }

        State read(Session session) {
            try {
                return store(session).read().orElseThrow(() -> new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9021",
                        "No state in " + dir, "cem has not applied this configuration yet.", "Run `cem apply " + dir + "` first.", null, null)));
            } catch (StateException e) {
                throw Workspace.stateError(e);
            }
        }

        /** Runs an edit of the state under its lock, writing the result as the next serial. */
        void edit(Session session, String operation, java.util.function.UnaryOperator<State> change) {
            StateStore store = store(session);
            try (StateStore.Lock lock = store.lock(operation, PlanOptionsMixin.parseDuration(lockTimeout))) {
                State state = read(session);
                store.write(change.apply(state).nextSerial(VersionCommand.version()));
            } catch (StateException e) {
                throw Workspace.stateError(e);
            }
        }
    }

    @Command(name = "list", description = "List the addresses cem manages.")
    static final class ListCmd implements Callable<Integer> {
        private final Session session;
        @Mixin Dir dir;

        ListCmd(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            dir.read(session).all().forEach(r -> session.out().println(r.address()));
            session.out().flush();
            return 0;
        }
    }

    @Command(name = "show", description = "Show one managed resource's recorded attributes, now or in an earlier version.")
    static final class ShowCmd implements Callable<Integer> {
        private final Session session;
        @Mixin Dir dir;
        @Parameters(arity = "0..1", paramLabel = "ADDR", description = "A resource address (default: every resource).") String address;
        @Option(names = "--version", paramLabel = "N", description = "A version from `cem state history` (backends that keep history).")
        Long version;

        ShowCmd(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            State state;
            if (version == null) {
                state = dir.read(session);
            } else {
                try {
                    state = dir.store(session).read(version).orElseThrow(() -> new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9024",
                            "No state version " + version, "The backend does not hold it (the local file keeps no history; old versions expire).",
                            "`cem state history` lists the versions kept.", null, null)));
                } catch (StateException e) {
                    throw Workspace.stateError(e);
                }
            }
            List<ResourceState> shown = address == null ? List.copyOf(state.all()) : List.of(find(state, address));
            session.out().print(ShowCommand.stateText(shown));
            session.out().flush();
            return 0;
        }
    }

    @Command(name = "history", description = "List the state's written versions, newest first.")
    static final class HistoryCmd implements Callable<Integer> {
        private final Session session;
        @Mixin Dir dir;

        HistoryCmd(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            try {
                session.out().printf("%-8s %-8s %-25s %-28s %-10s %s%n", "VERSION", "SERIAL", "WRITTEN", "BY", "RESOURCES", "CEM");
                for (cem.state.StateVersion v : dir.store(session).history()) {
                    session.out().printf("%-8d %-8d %-25s %-28s %-10d %s%n", v.version(), v.serial(), v.created() == null ? "" : v.created(),
                            v.author(), v.resources(), v.cemVersion());
                }
            } catch (StateException e) {
                throw Workspace.stateError(e);
            }
            session.out().flush();
            return 0;
        }
    }

    @Command(name = "migrate", description = "Copy the state between the local file and the configured backend, without loss.",
            footer = {"", "After changing `backend:` from local to postgres: `cem state migrate --from-local`.",
                "To go back: `cem state migrate --to-local`, then remove the backend block."})
    static final class MigrateCmd implements Callable<Integer> {
        private final Session session;
        @Mixin Dir dir;
        @Option(names = "--from-local", description = "Copy .cem/state.json into the configured backend.") boolean fromLocal;
        @Option(names = "--to-local", description = "Copy the configured backend's state into .cem/state.json.") boolean toLocal;

        MigrateCmd(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            if (fromLocal == toLocal) {
                throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9025", "Say which way to migrate", "",
                        "Use --from-local or --to-local.", null, null));
            }
            StateStore configured = dir.store(session);
            StateStore local = StateBackends.local(session, dir.dir);
            StateStore from = fromLocal ? local : configured;
            StateStore to = fromLocal ? configured : local;
            java.time.Duration wait = PlanOptionsMixin.parseDuration(dir.lockTimeout);
            try (StateStore.Lock a = from.lock("state migrate", wait); StateStore.Lock b = to.lock("state migrate", wait)) {
                State state = from.read().orElseThrow(() -> new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9021",
                        "No state in " + from.describe(), "", "Nothing to migrate.", null, null)));
                java.util.Optional<State> there = to.read();
                if (there.isPresent() && (!there.get().lineage().equals(state.lineage()) || there.get().serial() >= state.serial())) {
                    throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9026", "The destination already holds a state",
                            to.describe() + " has serial " + there.get().serial() + " of lineage " + there.get().lineage() + ".",
                            "Migrate only into an empty backend (or one holding an older serial of the same lineage).", null, null));
                }
                to.write(state);
                State back = to.read().orElseThrow();
                if (!cem.state.StateCodec.write(back).equals(cem.state.StateCodec.write(state))) {
                    throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9026", "The migrated state differs from its source",
                            "Reading " + to.describe() + " back did not give what was written.", "Report this; the source is untouched.", null, null));
                }
                // The kept documents (an ACME CA's certificates, sealed and bound to their names) go along: without them
                // the destination's first apply would ask the CA again.
                java.util.List<String> documents = from.documentNames();
                for (String name : documents) {
                    String text = from.readDocument(name).orElseThrow();
                    to.writeDocument(name, text);
                    if (!to.readDocument(name).orElse("").equals(text)) {
                        throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9026", "The migrated document differs from its source",
                                "Reading " + name + " back from " + to.describe() + " did not give what was written.", "Report this; the source is untouched.",
                                null, null));
                    }
                }
                session.out().println("Copied state serial " + state.serial() + " (" + state.all().size() + " resources)"
                        + (documents.isEmpty() ? "" : " and " + documents.size() + " kept document(s) " + documents) + " from " + from.describe()
                        + " to " + to.describe() + ". The source is left as it was.");
            } catch (StateException e) {
                throw Workspace.stateError(e);
            }
            session.out().flush();
            return 0;
        }
    }

    @Command(name = "sign", description = {"Write the state again with its checksum, and its MAC when CEM_MAC_KEY is set.",
        "cem refuses a state without its checksum (a development build wrote it) or, where CEM_MAC_KEY is set, without its MAC.",
        "Sign a state you trust once; a checksum or MAC it has must still match."})
    static final class SignCmd implements Callable<Integer> {
        private final Session session;
        @Mixin Dir dir;

        SignCmd(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            StateStore store = StateBackends.forDirectory(session, dir.dir, StateBackends.integrity(session).adopting());
            try (StateStore.Lock lock = store.lock("state sign", PlanOptionsMixin.parseDuration(dir.lockTimeout))) {
                State state = store.read().orElseThrow(() -> new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9021",
                        "No state in " + store.describe(), "", "Nothing to sign.", null, null)));
                store.write(state.nextSerial(VersionCommand.version()));
                session.out().println("Signed the state of " + store.describe() + ": serial " + (state.serial() + 1) + ", lineage " + state.lineage()
                        + ", " + state.all().size() + " resources (`cem state list` names them). It now carries its checksum"
                        + (StateBackends.integrity(session).keyed() ? " and a MAC made with " + cem.state.Integrity.KEY_VARIABLE : "") + ".");
            } catch (StateException e) {
                throw Workspace.stateError(e);
            }
            session.out().flush();
            return 0;
        }
    }

    @Command(name = "rm", description = "Forget resources: remove them from the state, leave them on their hosts.")
    static final class RmCmd implements Callable<Integer> {
        private final Session session;
        @Mixin Dir dir;
        @Parameters(arity = "1..*", paramLabel = "ADDR") List<String> addresses;

        RmCmd(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            dir.edit(session, "state rm", state -> {
                State next = state;
                for (String a : addresses) {
                    find(state, a);
                    next = next.without(a);
                }
                return next;
            });
            addresses.forEach(a -> session.out().println("Removed " + a + " from the state (it is still on its host)."));
            session.out().flush();
            return 0;
        }
    }

    @Command(name = "mv", description = "Rename a resource in the state (prefer a moved: entry in the configuration).")
    static final class MvCmd implements Callable<Integer> {
        private final Session session;
        @Mixin Dir dir;
        @Parameters(index = "0", paramLabel = "SOURCE") String from;
        @Parameters(index = "1", paramLabel = "DESTINATION") String to;

        MvCmd(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            dir.edit(session, "state mv", state -> {
                ResourceState r = find(state, from);
                if (state.resource(to).isPresent()) {
                    throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9022", "The state already has " + to, "",
                            "Remove it first with `cem state rm " + to + "`, or choose another name.", null, null));
                }
                if (!from.substring(0, from.indexOf('.')).equals(to.substring(0, Math.max(0, to.indexOf('.'))))) {
                    throw new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9022", "A move cannot change the resource type",
                            "", "Move between names of one type: " + r.type() + ".NAME.", null, null));
                }
                return state.without(from).with(r.withAddress(to));
            });
            session.out().println("Moved " + from + " to " + to + ".");
            session.out().flush();
            return 0;
        }
    }

    static ResourceState find(State state, String address) {
        return state.resource(address).orElseThrow(() -> new DiagnosticsException(new Diagnostic(Severity.ERROR, "ENV9023",
                "No resource " + address + " in the state", "",
                cem.diag.Suggestions.closest(address, state.resources().keySet()).map(s -> "Did you mean " + s + "?")
                        .orElse("Run `cem state list` to see what cem manages."), null, null)));
    }

}

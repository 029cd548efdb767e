package cem.cli;

import cem.state.LockInfo;
import cem.state.StateException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cem lock list}: who holds which state lock. */
@Command(name = "lock", description = "Show the state locks (`cem force-unlock ID` breaks one).", subcommands = LockCommand.ListCmd.class)
final class LockCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", description = "List the locks held on the backend's states, with holder, operation, start and CI job.")
    static final class ListCmd implements Callable<Integer> {
        private final Session session;
        @Mixin StateCommand.Dir dir;

        @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
                description = "Configuration directory, as every other command takes it (default: the current one; -d DIR still works).")
        String directory;

        ListCmd(Session session) {
            this.session = session;
        }

        /** A holder on this machine whose process has ended left its lock behind: say so, and how to break it. */
        static String dead(LockInfo l) {
            return l.deadHere() ? " — DEAD: process " + l.pid() + " no longer runs on this machine; `cem force-unlock " + l.id()
                    + "` breaks the lock" : "";
        }

        @Override
        public Integer call() {
            try {
                if (directory != null) {
                    dir.dir = directory;
                }
                List<LockInfo> locks = dir.store(session).locks();
                if (locks.isEmpty()) {
                    session.out().println("No locks held.");
                }
                locks.forEach(l -> session.out().println(l.describe() + dead(l)));
            } catch (StateException e) {
                throw Workspace.stateError(e);
            }
            session.out().flush();
            return 0;
        }
    }
}

package cem.cli;

import cem.state.StateException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cem init}: prepare the configured state backend (create or upgrade its tables). */
@Command(name = "init", description = {"Prepare the configured state backend: create or upgrade its tables. Idempotent.",
    "The local state file needs nothing; a postgres backend gets its schema and versioned migrations."})
final class InitCommand implements Callable<Integer> {

    private final Session session;

    @Mixin
    StateCommand.Dir dir;

    InitCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        try {
            session.out().println(dir.store(session).init());
        } catch (StateException e) {
            throw Workspace.stateError(e);
        }
        session.out().flush();
        return 0;
    }
}

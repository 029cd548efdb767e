package cem.cli;

import cem.state.StateException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code cem force-unlock ID}: break a stale state lock. */
@Command(name = "force-unlock", description = "Break the state lock with this ID (when its holder is gone).")
final class ForceUnlockCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(paramLabel = "ID", description = "The lock ID, as a locked command printed it.")
    String id;

    @Mixin
    StateCommand.Dir dir;

    ForceUnlockCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        try {
            dir.store(session).forceUnlock(id);
        } catch (StateException e) {
            throw Workspace.stateError(e);
        }
        session.out().println("The state lock " + id + " was broken. Make sure no cem is still working on this state.");
        session.out().flush();
        return 0;
    }
}

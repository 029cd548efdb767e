package cem.engine;

import cem.plan.Action;
import java.time.Duration;

/** Progress of an apply, for the command line's display. Called from many threads. */
public interface ApplyHook {

    /** A batch of changes on a host starts. */
    default void started(String host, java.util.List<String> addresses) {}

    /** A host's batch is done: every resource of it was reported. */
    default void hostDone(String host) {}

    /** One resource finished; {@code error} is null on success. */
    default void finished(String address, Action action, Duration elapsed, String error) {}

    ApplyHook NONE = new ApplyHook() {};
}

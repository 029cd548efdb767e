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

    /** An object found on its host was recorded in the state as it is (an adoption with no change). */
    default void adopted(String address) {}

    ApplyHook NONE = new ApplyHook() {};
}

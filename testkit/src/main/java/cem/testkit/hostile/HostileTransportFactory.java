package cem.testkit.hostile;

import cem.spi.CommandResult;
import cem.spi.ConnectionSpec;
import cem.spi.RemoteCommand;
import cem.spi.Transport;
import cem.spi.TransportFactory;
import java.util.Map;
import java.util.function.Function;

/**
 * Transport {@code hostile}: every command of every session goes to the function the current try
 * set with {@link #answerWith} or, for its host, {@link #answerEach} (a lab host's answer through the
 * try's mutations). Tries run one at
 * a time, so one function serves them all (it is read by the try's own thread: a timed try runs
 * on another).
 */
public final class HostileTransportFactory implements TransportFactory {

    private static volatile Function<String, Function<RemoteCommand, CommandResult>> answers = host -> c -> {
        throw new IllegalStateException("no answers set: call HostileTransportFactory.answerWith first");
    };

    /** How commands are answered from now on, on every host. */
    public static void answerWith(Function<RemoteCommand, CommandResult> how) {
        answers = host -> how;
    }

    /** How commands are answered from now on, host by host (by the host's name; a try that asks several hosts at once). */
    public static void answerEach(Map<String, Function<RemoteCommand, CommandResult>> byHost) {
        answers = host -> byHost.getOrDefault(host, c -> {
            throw new IllegalStateException("no answers set for host " + host);
        });
    }

    @Override
    public String scheme() {
        return "hostile";
    }

    @Override
    public Transport open(ConnectionSpec spec) {
        return new Transport() {
            @Override
            public CommandResult exec(RemoteCommand command) {
                return answers.apply(spec.host()).apply(command);
            }

            @Override
            public void close() {}
        };
    }
}

package cem.bigip;

import cem.lab.BigipHost;
import cem.lab.Execution;
import cem.spi.CommandResult;
import cem.spi.ConnectionSpec;
import cem.spi.RemoteCommand;
import cem.spi.Transport;
import cem.spi.TransportFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Transport {@code lab-bigip}: a host's commands go straight to a lab BIG-IP registered by its address, as the user its settings name. */
public final class LabTransportFactory implements TransportFactory {

    static final Map<String, BigipHost> DEVICES = new ConcurrentHashMap<>();
    /** Every command line sent, in order. */
    static final List<String> SENT = new CopyOnWriteArrayList<>();

    @Override
    public String scheme() {
        return "lab-bigip";
    }

    @Override
    public Transport open(ConnectionSpec spec) {
        BigipHost device = DEVICES.get(spec.address());
        String user = spec.settings().path("user").asText("admin");
        return new Transport() {
            @Override
            public CommandResult exec(RemoteCommand command) {
                SENT.add(command.commandLine());
                Execution e = device.run(user, command.commandLine(), command.stdin());
                return new CommandResult(e.exitCode(), e.stdout(), e.stderr(), Duration.ZERO);
            }

            @Override
            public void close() {}
        };
    }
}

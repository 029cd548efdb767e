package cem.cli;

import cem.diag.TerminalText;
import cem.plan.PlanJson;
import cem.state.ResourceState;
import cem.state.State;
import cem.state.StateCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem show [DIR|PLANFILE]}: the state of a configuration, or a saved plan. */
@Command(name = "show", description = "Show the state of a configuration, or a saved plan file.")
final class ShowCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(arity = "0..1", paramLabel = "DIR|PLANFILE", description = "Configuration directory or saved plan (default: the current directory).")
    String target = ".";

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Mixin
    CommonOptions common;

    ShowCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() throws IOException {
        Path path = session.resolve(target);
        if (Files.isRegularFile(path)) {
            var plan = PlanJson.read(PlanRun.readPlanFile(session, path, target));
            session.out().print(json ? JsonOutput.write(PlanJson.write(plan, VersionCommand.version(), false)) + "\n"
                    : new PlanText(common.color(session)).render(plan));
        } else {
            StateCommand.Dir dir = new StateCommand.Dir();
            dir.dir = target;
            State state = dir.read(session);
            // a state's values come from hosts: the JSON writer escapes what a terminal would obey
            session.out().print(json ? JsonOutput.write(new com.fasterxml.jackson.databind.ObjectMapper().readTree(StateCodec.write(state))) + "\n"
                    : stateText(state.all()));
        }
        session.out().flush();
        return 0;
    }

    static String stateText(Collection<ResourceState> resources) {
        StringBuilder b = new StringBuilder();
        for (ResourceState r : resources) {
            b.append("# ").append(r.address()).append(" (host ").append(r.host())
                    .append(r.identity() == null ? "" : ", identity " + TerminalText.safe(r.identity())).append(")\n");
            r.attributes().fields().forEachRemaining(e -> b.append("    ").append(TerminalText.safe(e.getKey())).append(" = ")
                    .append(e.getValue().isTextual() && cem.state.SecretDigest.isDigest(e.getValue().asText()) ? "(sensitive value)"
                            : TerminalText.safe(e.getValue().toString()))
                    .append('\n'));
            b.append('\n');
        }
        return b.toString();
    }
}

package cem.cli;

import cem.config.Reference;
import cem.config.ResourceConfig;
import cem.graph.Graph;
import cem.state.ResourceState;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem graph [DIR]}: the resource graph as Graphviz DOT. */
@Command(name = "graph", description = "Print the resource graph as Graphviz DOT (edges point at dependencies).")
final class GraphCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
    String directory = ".";

    @Option(names = "--type", defaultValue = "plan",
            description = "plan (the configuration), apply (what a plan would change; reads the hosts) or destroy (the state); default ${DEFAULT-VALUE}.")
    String type;

    @Mixin
    CommonOptions common;

    GraphCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Graph graph = new Graph();
        Map<String, String> labels = new TreeMap<>();
        if (type.equals("destroy")) {
            StateCommand.Dir dir = new StateCommand.Dir();
            dir.dir = directory;
            var state = dir.read(session);
            state.all().forEach(r -> graph.addNode(r.address()));
            for (ResourceState r : state.all()) {
                r.dependencies().forEach(d -> graph.addEdge(r.address(), d));
                labels.put(r.address(), "destroy " + r.address());
            }
        } else if (type.equals("apply")) {
            try (Workspace ws = Workspace.open(session, directory, common.debug);
                    var lock = ws.lock("graph", java.time.Duration.ZERO)) {
                var plan = PlanRun.plan(ws, ws.readState(), cem.engine.PlanOptions.defaults()).plan();
                for (var c : plan.changes()) {
                    if (c.action() != cem.plan.Action.NO_OP) {
                        graph.addNode(c.address());
                        labels.put(c.address(), c.action().symbol() + " " + c.address());
                    }
                }
                plan.changes().forEach(c -> c.dependencies().forEach(d -> graph.addEdge(c.address(), d)));
            }
        } else if (type.equals("plan")) {
            try (Workspace ws = Workspace.open(session, directory, common.debug)) {
                ws.config.resources().forEach(r -> graph.addNode(r.address()));
                for (ResourceConfig r : ws.config.resources()) {
                    Reference.of(r).forEach(ref -> graph.addEdge(r.address(), ref.targetAddress()));
                }
            }
        } else {
            throw new cem.diag.DiagnosticsException(new cem.diag.Diagnostic(cem.diag.Severity.ERROR, "ENV9006",
                    "Unknown graph type \"" + type + "\"", "", "Use --type plan, apply or destroy.", null, null));
        }
        session.out().print(graph.toDot(labels));
        session.out().flush();
        return 0;
    }
}

package cem.cli;

import cem.config.Configuration;
import cem.config.SecretResolver;
import cem.config.Validator;
import cem.diag.Diagnostics;
import cem.diag.Result;
import cem.diag.Severity;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cem validate [DIR]}: schema and semantic rules, without connecting to any host. */
@Command(
        name = "validate",
        description = {
            "Check a configuration directory without connecting to any host.",
            "Checks YAML, schema, references, secrets, certificates and the cross-resource rules",
            "(ports, bindings, policy targets).",
            "Exit code 0 when valid (warnings allowed), 1 on any error."
        })
final class ValidateCommand implements Callable<Integer> {

    private final Session session;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "Configuration directory (default: the current one).")
    String directory = ".";

    @Option(names = "--json", description = "Print the result as JSON on stdout.")
    boolean json;

    @Option(names = "--sites", paramLabel = "SELECTOR", split = ",",
            description = "In a fleet (a directory with sites.yaml): check these sites, rendered from the templates (default: all).")
    java.util.List<String> sites = new java.util.ArrayList<>();

    @Mixin
    CommonOptions common;

    ValidateCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Diagnostics diagnostics;
        DiagnosticPrinter printer;
        String what = "The configuration is";
        if (!sites.isEmpty() || cem.sites.Inventory.isFleet(session.resolve(directory))) {
            cem.sites.Inventory inventory = Fleet.inventory(session, directory);
            java.util.List<Fleet.Member> members = Fleet.render(session, inventory, Fleet.select(inventory, sites), Severity.WARNING);
            diagnostics = Fleet.combined(members);
            printer = new DiagnosticPrinter(session, common.color(session), Fleet.lines(members));
            what = members.size() == 1 ? "The site is" : "The " + members.size() + " sites are";
        } else {
            Validator validator = Workspace.validator(session, session.secrets(), Severity.WARNING);
            Result<Configuration> result = validator.validate(session.resolve(directory));
            diagnostics = result.diagnostics().sorted();
            Configuration config = result.value();
            printer = new DiagnosticPrinter(session, common.color(session), config == null ? null : config::lines);
        }
        boolean valid = !diagnostics.hasErrors();
        if (json) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.put("format_version", "1.0");
            out.put("valid", valid);
            out.put("error_count", diagnostics.errorCount());
            out.put("warning_count", diagnostics.warningCount());
            out.set("diagnostics", printer.json(diagnostics));
            session.out().println(JsonOutput.write(out));
        } else {
            printer.print(diagnostics);
            if (valid) {
                session.out().println(diagnostics.isEmpty()
                        ? "Success! " + what + " valid."
                        : "Success! " + what + " valid, but there were some warnings.");
            } else {
                session.err().println(summary(what, diagnostics));
            }
        }
        session.out().flush();
        return valid ? ExitCodes.OK : ExitCodes.ERROR;
    }

    private static String summary(String what, Diagnostics d) {
        long e = d.errorCount();
        long w = d.warningCount();
        return what + " invalid: " + e + (e == 1 ? " error" : " errors")
                + (w > 0 ? ", " + w + (w == 1 ? " warning" : " warnings") : "") + ".";
    }
}

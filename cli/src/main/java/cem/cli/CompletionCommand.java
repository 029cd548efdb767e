package cem.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cem completion}: the bash/zsh completion script, generated from the command definitions. */
@Command(name = "completion", description = {"Print the bash/zsh completion script for cem.",
    "bash: source <(cem completion)   zsh: autoload -U +X bashcompinit && bashcompinit && source <(cem completion)"})
final class CompletionCommand implements Callable<Integer> {

    private final Session session;

    @Spec
    CommandSpec spec;

    CompletionCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        session.out().print(AutoComplete.bash("cem", spec.root().commandLine()));
        session.out().flush();
        return 0;
    }
}

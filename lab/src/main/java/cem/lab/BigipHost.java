package cem.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulated F5 BIG-IP LTM reached over SSH, for the objects cem manages — partitions, pools and
 * their nodes, virtual servers — with {@code cli transaction}s that apply all or nothing,
 * {@code save sys config} and listings ({@link BigipConfig}). Every command received is recorded, so
 * golden tests can pin what cem sends. Its state lives in a JSON file.
 *
 * <p>Accounts come in the two kinds a BIG-IP has ({@link #loginShell}):
 *
 * <ul>
 *   <li>{@code tmsh} (the default here, as for {@code admin} and every remotely authenticated user,
 *       who cannot get bash: ytti/oxidized issue 419): an exec's command line is a tmsh command
 *       line, commands joined by {@code ;} (f5-ansible {@code library/modules/bigip_command.py} sends
 *       {@code cd /Common; list ltm virtual} as is to a tmsh shell); anything else is
 *       {@code Syntax Error: unexpected argument "tmsh"} (ytti/oxidized issue 2955) and standard input
 *       is ignored.
 *   <li>{@code bash} (advanced shell): {@code tmsh -q} reads commands from standard input, one per
 *       line, as scripts piped to tmsh do.
 * </ul>
 *
 * <p><b>[?]</b> No source settles these, so the lab picks the answer that is hardest on cem (README,
 * F5 section, has the commands that settle them on a lab VE): errors go to standard error and
 * listings to standard output; the exit status is 1 when any command failed; a command line of a
 * tmsh shell stops at its first failing command, a script on standard input goes on with the next
 * line; after a failed {@code submit cli transaction} the session goes on.
 */
public final class BigipHost implements HostExecutor {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    /** The file as every process running a lab on its directory shares it: read at every command, changed under its lock. */
    private final SharedFile shared;
    private final List<String> received = new ArrayList<>();

    public BigipHost(String name, Path file) {
        this.name = name;
        this.shared = new SharedFile(file);
    }

    public String name() {
        return name;
    }

    /** The tmsh commands received so far, in order. */
    public synchronized List<String> received() {
        return List.copyOf(received);
    }

    /** How often the configuration was saved. */
    public synchronized int saves() {
        return load().path("saves").asInt();
    }

    /** The device's objects (for tests). */
    public synchronized JsonNode snapshot() {
        return load();
    }

    /** Gives an account a login shell, {@code tmsh} (the default) or {@code bash}. */
    public synchronized void loginShell(String user, String shell) {
        if (!shell.equals("tmsh") && !shell.equals("bash")) {
            throw new IllegalArgumentException(shell);
        }
        change(s -> s.with("shells").put(user, shell));
    }

    /** A virtual server someone made by hand, outside cem's partition. */
    public synchronized void addForeignVirtual(String path, String destination) {
        change(s -> s.with("virtuals").putObject(path).put("destination", destination).put("pool", "").putArray("profiles").add("/Common/tcp"));
    }

    /** Someone adds a second member ({@code address:port}, its node in /Common) to a pool by hand. */
    public synchronized void addMember(String pool, String endpoint) {
        // get, not with: Jackson reads a name starting with "/" given to with() as a JSON Pointer.
        change(s -> ((ObjectNode) s.with("pools").get(pool)).withArray("members").add("/Common/" + endpoint));
    }

    private void change(java.util.function.Consumer<ObjectNode> edit) {
        shared.locked(() -> {
            ObjectNode s = load();
            edit.accept(s);
            return shared.write(s);
        });
    }

    @Override
    public synchronized Execution run(String user, String commandLine, byte[] stdin) {
        return shared.locked(() -> runNow(user, commandLine, stdin));
    }

    private Execution runNow(String user, String commandLine, byte[] stdin) {
        ObjectNode state = load();
        BigipConfig session = new BigipConfig(state);
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        boolean failed = false;
        if (state.path("shells").path(user).asText("tmsh").equals("tmsh")) {
            String first = commandLine.strip().split("\\s+", 2)[0];
            if (!BigipConfig.VERBS.contains(first)) {
                return new Execution(1, "", "Syntax Error: unexpected argument \"" + first + "\"\n");
            }
            for (String command : commandLine.split(";")) {
                if (!command.isBlank() && !command(session, command.strip(), out, err)) {
                    failed = true;
                    break;
                }
            }
        } else {
            if (!commandLine.equals("tmsh -q") && !commandLine.equals("tmsh")) {
                // bash's answer for an unknown command: status 127 (bash manual, "Exit Status"); [?] the message's wording; not an F5 text.
                return Execution.error(127, "-bash: " + commandLine.split(" ", 2)[0] + ": command not found\n");
            }
            for (String raw : new String(stdin, StandardCharsets.UTF_8).split("\n")) {
                String line = raw.strip();
                if (line.equals("quit")) {
                    received.add(line);
                    break;
                }
                failed |= !line.isEmpty() && !command(session, line, out, err);
            }
        }
        shared.write(session.state());
        return new Execution(failed ? 1 : 0, out.toString(), err.toString());
    }

    private boolean command(BigipConfig session, String line, StringBuilder out, StringBuilder err) {
        received.add(line);
        BigipConfig.Answer a = session.run(line);
        out.append(a.out());
        if (a.error() != null) {
            err.append(a.error()).append('\n');
            return false;
        }
        return true;
    }

    /** The device as it is now (another process may have changed it). */
    private ObjectNode load() {
        String text = SharedFile.text(shared.file());
        if (text == null) {
            ObjectNode s = JSON.createObjectNode();
            s.putArray("partitions").add("Common");
            return s;
        }
        return SharedFile.parse(text);
    }
}

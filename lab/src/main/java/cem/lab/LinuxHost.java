package cem.lab;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated Linux perimeter firewall reached over SSH: it does what {@code sh} does with the two
 * programs cem's nftables provider sends (read the tables; check, apply and read back a
 * transaction), against {@link NftTables}, and prints the same sections. Any other command is
 * "not found", as on a host without it.
 */
public final class LinuxHost implements HostExecutor {

    private static final Pattern PROGRAM = Pattern.compile("^sh -c '([^']*)' cem-nft (direct|sudo)$", Pattern.DOTALL);

    private final String name;
    private final NftTables nft;

    public LinuxHost(String name, Path stateFile) {
        this.name = name;
        this.nft = new NftTables(stateFile);
    }

    public String name() {
        return name;
    }

    public NftTables nft() {
        return nft;
    }

    @Override
    public Execution run(String user, String commandLine, byte[] stdin) {
        Matcher m = PROGRAM.matcher(commandLine);
        if (!m.matches()) {
            return Execution.error(127, "sh: 1: " + commandLine.split(" ", 2)[0] + ": not found\n");
        }
        String script = m.group(1);
        String input = new String(stdin, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        if (script.contains("IFS= read -r doc")) {
            String[] lines = input.split("\n", -1);
            String tables = lines.length > 0 ? lines[0] : "";
            String doc = lines.length > 1 ? lines[1] : "";
            String checkError = attempt(doc, true);
            section(out, "check -", checkError);
            if (checkError == null) {
                section(out, "apply -", attempt(doc, false));
            } else {
                for (int i = 2; i < lines.length; i++) {
                    String line = lines[i].strip();
                    int space = line.indexOf(' ');
                    if (space > 0) {
                        section(out, "rule " + line.substring(0, space), attempt(line.substring(space + 1).strip(), true));
                    }
                }
            }
            list(String.join("\n", tables.split(";")), out);
        } else if (script.contains("list_tables\nexit 0")) {
            list(input, out);
        } else {
            return Execution.error(2, "sh: 1: Syntax error\n");
        }
        return Execution.ok(out.toString());
    }

    private String attempt(String doc, boolean check) {
        try {
            nft.run(doc, check);
            return null;
        } catch (NftTables.NftError e) {
            return "internal:0:0-0: " + e.getMessage() + "\n";
        }
    }

    private void list(String tables, StringBuilder out) {
        for (String line : tables.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length != 2) {
                continue;
            }
            try {
                String listing = nft.list(parts[0], parts[1]);
                out.append("### table ").append(parts[0]).append(' ').append(parts[1]).append(" 0\n").append(listing).append('\n');
            } catch (NftTables.NftError e) {
                out.append("### table ").append(parts[0]).append(' ').append(parts[1]).append(" 1\n").append(e.getMessage()).append('\n');
            }
        }
    }

    private static void section(StringBuilder out, String header, String error) {
        out.append("### ").append(header).append(' ').append(error == null ? 0 : 1).append('\n');
        if (error != null) {
            out.append(error);
        }
    }
}

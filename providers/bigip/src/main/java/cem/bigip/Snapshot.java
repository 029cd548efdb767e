package cem.bigip;

import cem.spi.CommandResult;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one read showed: the objects by kind and full path, the partitions, and the messages tmsh
 * printed on either stream.
 *
 * @param objects the listed objects ({@link Listing#objects})
 * @param partitions the partitions' names
 * @param messages tmsh's messages, in order
 * @param problem why the read cannot be trusted, or null
 */
record Snapshot(Map<String, Map<String, Object>> objects, Set<String> partitions, List<TmshMessage> messages, String problem) {

    Snapshot {
        objects = Map.copyOf(objects);
        partitions = Set.copyOf(partitions);
        messages = List.copyOf(messages);
    }

    /**
     * A read's answer. It is a failure when tmsh printed an error other than "was not found", or
     * when it holds neither listings nor "was not found" errors (every BIG-IP lists partition
     * Common): then tmsh did not run the commands, whatever the exit status.
     */
    static Snapshot of(CommandResult r) {
        Map<String, Map<String, Object>> objects = Listing.objects(r.stdout(), Tmsh.READ_FOLDER);
        List<TmshMessage> messages = new java.util.ArrayList<>(TmshMessage.parse(r.stdout()));
        messages.addAll(TmshMessage.parse(r.stderr()));
        Set<String> partitions = new TreeSet<>();
        objects.keySet().stream().filter(k -> k.startsWith("auth partition ")).forEach(k -> partitions.add(k.substring(15)));
        String problem = null;
        List<TmshMessage> errors = messages.stream().filter(m -> m.kind() != TmshMessage.Kind.NOT_FOUND).toList();
        boolean notFound = messages.size() > errors.size();
        if (!errors.isEmpty()) {
            problem = "tmsh answered the read with: " + String.join(" ", errors.stream().map(TmshMessage::text).toList());
        } else if (partitions.isEmpty() && !notFound) {
            String out = (r.stdout() + "\n" + r.stderr()).strip();
            problem = "tmsh printed no listing (exit status " + r.exitCode() + ")" + (out.isEmpty() ? "." : ": " + abbreviate(out));
        }
        return new Snapshot(objects, partitions, messages, problem);
    }

    /** The object of a kind at a full path, or null. */
    Map<String, Object> get(String kind, String path) {
        return objects.get(kind + " " + path);
    }

    private static String abbreviate(String s) {
        return s.length() > 400 ? s.substring(0, 400) + " …" : s;
    }
}

package cem.graph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A directed acyclic graph of resource addresses: an edge {@code a → b} means a depends on b
 * (b is created first, and deleted last). Levels group nodes that can run at the same time.
 */
public final class Graph {

    private final Map<String, Set<String>> dependsOn = new LinkedHashMap<>();

    public void addNode(String node) {
        dependsOn.computeIfAbsent(node, k -> new TreeSet<>());
    }

    /** {@code from} depends on {@code to}; ignored when either is not a node. */
    public void addEdge(String from, String to) {
        if (dependsOn.containsKey(from) && dependsOn.containsKey(to) && !from.equals(to)) {
            dependsOn.get(from).add(to);
        }
    }

    public Set<String> nodes() {
        return dependsOn.keySet();
    }

    public Set<String> dependencies(String node) {
        return dependsOn.getOrDefault(node, Set.of());
    }

    public Set<String> dependents(String node) {
        Set<String> out = new TreeSet<>();
        dependsOn.forEach((n, deps) -> {
            if (deps.contains(node)) {
                out.add(n);
            }
        });
        return out;
    }

    /** Everything {@code nodes} depend on, directly or not, and the nodes themselves. */
    public Set<String> withDependencies(Collection<String> nodes) {
        Set<String> out = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(nodes);
        while (!todo.isEmpty()) {
            String n = todo.remove(todo.size() - 1);
            if (dependsOn.containsKey(n) && out.add(n)) {
                todo.addAll(dependsOn.get(n));
            }
        }
        return out;
    }

    /** Everything that depends on {@code nodes}, directly or not, and the nodes themselves. */
    public Set<String> withDependents(Collection<String> nodes) {
        Set<String> out = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(nodes);
        while (!todo.isEmpty()) {
            String n = todo.remove(todo.size() - 1);
            if (dependsOn.containsKey(n) && out.add(n)) {
                todo.addAll(dependents(n));
            }
        }
        return out;
    }

    /**
     * Nodes in levels: level 0 depends on nothing, level k only on earlier levels. Reversed, the
     * levels are a safe deletion order.
     *
     * @throws IllegalStateException on a cycle (validation reports cycles before graphs are built)
     */
    public List<List<String>> levels() {
        Map<String, Integer> level = new LinkedHashMap<>();
        Set<String> visiting = new LinkedHashSet<>();
        for (String n : dependsOn.keySet()) {
            depth(n, level, visiting);
        }
        List<List<String>> out = new ArrayList<>();
        level.forEach((n, l) -> {
            while (out.size() <= l) {
                out.add(new ArrayList<>());
            }
            out.get(l).add(n);
        });
        out.forEach(l -> l.sort(null));
        return out;
    }

    private int depth(String n, Map<String, Integer> level, Set<String> visiting) {
        Integer known = level.get(n);
        if (known != null) {
            return known;
        }
        if (!visiting.add(n)) {
            throw new IllegalStateException("dependency cycle through " + n);
        }
        int d = 0;
        for (String dep : dependsOn.get(n)) {
            d = Math.max(d, depth(dep, level, visiting) + 1);
        }
        visiting.remove(n);
        level.put(n, d);
        return d;
    }

    /** Graphviz DOT, edges from a resource to what it depends on. */
    public String toDot(Map<String, String> labels) {
        StringBuilder b = new StringBuilder("digraph cem {\n  rankdir = \"RL\";\n  node [shape = box];\n");
        for (String n : new TreeSet<>(dependsOn.keySet())) {
            b.append("  \"").append(n).append("\"");
            String label = labels.get(n);
            if (label != null) {
                b.append(" [label = \"").append(label.replace("\"", "\\\"")).append("\"]");
            }
            b.append(";\n");
        }
        for (String n : new TreeSet<>(dependsOn.keySet())) {
            for (String d : dependsOn.get(n)) {
                b.append("  \"").append(n).append("\" -> \"").append(d).append("\";\n");
            }
        }
        return b.append("}\n").toString();
    }
}

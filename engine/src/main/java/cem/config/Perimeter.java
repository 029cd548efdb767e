package cem.config;

import cem.diag.SourceRange;
import java.util.List;

/**
 * A perimeter firewall that another team manages, declared with the ports it opens.
 *
 * @param managedBy who owns it
 * @param openPorts the ports it lets in to the gateways
 * @param range where the declaration stands
 */
public record Perimeter(String managedBy, List<Integer> openPorts, SourceRange range) {

    public Perimeter {
        openPorts = List.copyOf(openPorts);
    }
}

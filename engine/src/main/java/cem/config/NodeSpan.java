package cem.config;

import cem.diag.SourceRange;

/**
 * Where a YAML node stands in its file.
 *
 * @param key the key that names the node in its mapping, or null for the root and list items
 * @param value the node itself
 */
public record NodeSpan(SourceRange key, SourceRange value) {

    /** The key when there is one (the place users look for a misnamed or missing entry), else the value. */
    public SourceRange keyOrValue() {
        return key != null ? key : value;
    }
}

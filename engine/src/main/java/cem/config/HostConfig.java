package cem.config;

import cem.diag.SourceRange;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A host as configured.
 *
 * @param name the key under {@code hosts}
 * @param os windows, linux or bigip
 * @param body the host's mapping as written
 * @param doc the file it comes from
 * @param pointer where it stands in that file
 */
public record HostConfig(String name, String os, JsonNode body, YamlDocument doc, String pointer) {

    public String address() {
        return body.path("address").asText();
    }

    /** The DNS name clients use for this host: {@code fqdn}, else the address when it is a name. */
    public String clientName() {
        if (body.hasNonNull("fqdn")) {
            return body.get("fqdn").asText();
        }
        String address = address();
        return address.matches("[0-9.]+|.*:.*") ? null : address;
    }

    /** Whether the os is one cem knows; rules about a host with an invalid os say nothing more. */
    public boolean knownOs() {
        return os.equals("windows") || os.equals("linux") || os.equals("bigip");
    }

    public boolean lab() {
        return body.path("lab").asBoolean(false);
    }

    /** The host's name key, for diagnostics that point at the host. */
    public SourceRange declRange() {
        return doc.keyRange(pointer);
    }

    public SourceRange range(String attribute) {
        return doc.valueRange(pointer + "/" + attribute);
    }
}

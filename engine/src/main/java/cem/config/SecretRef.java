package cem.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reference to a secret: {@code ${env:NAME}} or {@code ${file:path}}. The reference is what cem
 * stores and prints; the value is read only where it is used.
 *
 * @param kind env or file
 * @param target the variable name or the file path (relative to the file that names it)
 */
public record SecretRef(Kind kind, String target) {

    private static final Pattern FORM = Pattern.compile("^\\$\\{(env|file):([^}]+)\\}$");

    public enum Kind { ENV, FILE }

    public static Optional<SecretRef> parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new SecretRef(m.group(1).equals("env") ? Kind.ENV : Kind.FILE, m.group(2)));
    }

    @Override
    public String toString() {
        return "${" + (kind == Kind.ENV ? "env" : "file") + ":" + target + "}";
    }
}

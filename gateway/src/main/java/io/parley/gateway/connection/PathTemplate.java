package io.parley.gateway.connection;

/**
 * A path with one trailing parameter, {@code /prefix/{param}}: the parameter is one non-empty
 * path segment (already percent-decoded by {@code QueryStringDecoder}).
 */
public record PathTemplate(String prefix) {

    /** The parameter, or {@code null} when the path does not match. */
    public String parameter(String path) {
        if (!path.startsWith(prefix) || path.length() == prefix.length()) {
            return null;
        }
        String value = path.substring(prefix.length());
        if (value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        return value.isEmpty() || value.indexOf('/') >= 0 ? null : value;
    }
}

package io.parley.gateway.config;

import java.util.regex.Pattern;

/**
 * A URL as the configuration shows it (the start-up log, the node view): the password of its user
 * information and the values of query parameters that name a secret ({@code password},
 * {@code sslpassword}, {@code token}, {@code api_key}, ...) become {@code ***}. A JDBC URL may carry
 * {@code ?password=}, a webhook receiver's URL a {@code ?token=}.
 */
public final class UrlCredentials {
    private static final Pattern USER_PASSWORD = Pattern.compile("^([a-z][a-z0-9+.:-]*://[^:@/?#]*:)[^@/?#]*@",
            Pattern.CASE_INSENSITIVE);
    /** {@code ;} too: some JDBC drivers separate their properties with it. */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "([?&;][^=&;#]*(?:pass|secret|token|key|credential)[^=&;#]*=)[^&;#]*", Pattern.CASE_INSENSITIVE);

    private UrlCredentials() {
    }

    public static String hidden(String url) {
        String withoutPassword = USER_PASSWORD.matcher(url).replaceFirst("$1***@");
        return SECRET_PARAMETER.matcher(withoutPassword).replaceAll("$1***");
    }
}

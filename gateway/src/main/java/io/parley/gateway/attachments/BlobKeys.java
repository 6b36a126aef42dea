package io.parley.gateway.attachments;

import java.util.regex.Pattern;

/** The one rule every store applies to keys: safe as a file name and as an object name. */
final class BlobKeys {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private BlobKeys() {
    }

    /** Returns {@code key}, or throws if it could escape a directory or need escaping. */
    static String checked(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("a blob key is 1 to 64 of A-Z, a-z, 0-9, _ and -; got "
                    + (key == null ? "null" : "\"" + key + "\""));
        }
        return key;
    }
}

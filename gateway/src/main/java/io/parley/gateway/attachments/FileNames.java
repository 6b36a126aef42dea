package io.parley.gateway.attachments;

/** The name an uploader gave a file, made safe to show: never used as a path. */
final class FileNames {
    static final int MAX_LENGTH = 255;

    private FileNames() {
    }

    /** The last path segment, without control characters, at most {@value #MAX_LENGTH} characters; {@code null} if nothing is left. */
    static String clean(String given) {
        if (given == null) {
            return null;
        }
        String name = given.substring(Math.max(given.lastIndexOf('/'), given.lastIndexOf('\\')) + 1);
        StringBuilder kept = new StringBuilder(name.length());
        name.codePoints().filter(c -> !Character.isISOControl(c) && c != '"').forEach(kept::appendCodePoint);
        String clean = kept.toString().strip();
        if (clean.length() > MAX_LENGTH) {
            clean = clean.substring(0, MAX_LENGTH);
            if (Character.isHighSurrogate(clean.charAt(MAX_LENGTH - 1))) {
                clean = clean.substring(0, MAX_LENGTH - 1);
            }
        }
        return clean.isEmpty() ? null : clean;
    }
}

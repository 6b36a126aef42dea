package io.parley.gateway.attachments;

/**
 * One byte range of a {@code Range: bytes=...} request header (RFC 9110, 14.1.2), resolved against
 * a file's length: {@code first} to {@code last} inclusive.
 */
record ByteRange(long first, long last) {
    /** What a range header asks of a file of {@code length} bytes. */
    sealed interface Asked {
    }

    /** The whole file: no header, one this server ignores (several ranges), or a malformed one. */
    record Whole() implements Asked {
    }

    /** Nothing of it: the range starts past the end (answered 416). */
    record Unsatisfiable() implements Asked {
    }

    record Part(ByteRange range) implements Asked {
    }

    long length() {
        return last - first + 1;
    }

    static Asked parse(String header, long length) {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return new Whole();
        }
        String spec = header.substring("bytes=".length()).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        try {
            String from = spec.substring(0, dash).strip();
            String to = spec.substring(dash + 1).strip();
            if (from.isEmpty()) { // the last N bytes
                long suffix = Long.parseLong(to);
                if (suffix <= 0) {
                    return new Unsatisfiable();
                }
                return length == 0 ? new Unsatisfiable()
                        : new Part(new ByteRange(Math.max(0, length - suffix), length - 1));
            }
            long first = Long.parseLong(from);
            long last = to.isEmpty() ? length - 1 : Math.min(Long.parseLong(to), length - 1);
            if (first < 0 || (!to.isEmpty() && Long.parseLong(to) < first)) {
                return new Whole();
            }
            return first >= length ? new Unsatisfiable() : new Part(new ByteRange(first, last));
        } catch (NumberFormatException e) {
            return new Whole();
        }
    }
}

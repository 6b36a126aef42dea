package io.parley.protocol.model;

/** Seed 002's {@code content_type}: 1 text, 2 image URL. Anything else means text. */
public enum ContentType {
    TEXT(1), IMAGE(2);

    private final int code;

    ContentType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Missing or unknown codes mean text, as seed 002 specifies. */
    public static ContentType fromCode(Integer code) {
        return code != null && code == 2 ? IMAGE : TEXT;
    }
}

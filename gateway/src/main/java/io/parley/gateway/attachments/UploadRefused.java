package io.parley.gateway.attachments;

import io.netty.handler.codec.http.HttpResponseStatus;

/** An upload answered with {@code status} and this message (too large, a type not accepted, malformed). */
final class UploadRefused extends RuntimeException {
    private final HttpResponseStatus status;

    UploadRefused(HttpResponseStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    HttpResponseStatus status() {
        return status;
    }
}

package io.parley.gateway.core;

import io.parley.protocol.command.ChatException;
import io.parley.protocol.command.ErrorCode;
import io.parley.storage.StoreException;
import io.parley.storage.StoreOverloadedException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Maps any failure to the error a client sees; never leaks internals or stack traces. */
public final class Failures {
    private Failures() {
    }

    public static ChatException toChatException(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof ChatException chat) {
            return chat;
        }
        if (cause instanceof StoreOverloadedException) {
            return new ChatException(ErrorCode.UNAVAILABLE, "history store is overloaded, retry shortly");
        }
        if (cause instanceof StoreException) {
            return new ChatException(ErrorCode.UNAVAILABLE, "history store unavailable, retry shortly");
        }
        return new ChatException(ErrorCode.INTERNAL, "internal error");
    }

    /** True when the failure is a bug or an unexpected condition worth a log line with a stack trace. */
    public static boolean isUnexpected(Throwable failure) {
        Throwable cause = unwrap(failure);
        return !(cause instanceof ChatException) && !(cause instanceof StoreException);
    }

    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}

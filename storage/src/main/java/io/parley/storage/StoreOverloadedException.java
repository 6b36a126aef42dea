package io.parley.storage;

/**
 * A bounded queue in front of the store is full; the request was rejected, not dropped silently.
 * Maps to error 503 with the numbers in the message.
 */
public class StoreOverloadedException extends StoreException {
    public StoreOverloadedException(String message) {
        super(message);
    }
}

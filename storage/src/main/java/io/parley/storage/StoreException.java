package io.parley.storage;

/** The store failed or is unreachable; the request may be retried later. Maps to error 503. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}

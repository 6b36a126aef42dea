package io.parley.storage;

/**
 * A write named a chat that does not exist. Callers check that a chat exists before writing to
 * it, so this is a bug path, not a storage outage; the transaction was rolled back.
 */
public class UnknownChatException extends StoreException {
    public UnknownChatException(String message) {
        super(message);
    }
}

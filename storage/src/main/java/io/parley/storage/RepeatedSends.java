package io.parley.storage;

import io.parley.protocol.model.Message;
import io.parley.protocol.model.NewMessage;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sends repeated with a client message id, taken out of a batch before it is numbered: a repeat
 * of a stored message is answered with that message, a repeat within the batch with what its
 * first occurrence gets, and only the rest is appended. Sequences stay gap-free because a repeat
 * never reaches the numbering.
 */
final class RepeatedSends {

    /** What makes two sends one: the chat, the sender and the sender's id for the send. */
    record Key(String chatId, String senderId, String clientMessageId) {
        static Key of(NewMessage message) {
            return message.clientMessageId() == null
                    ? null
                    : new Key(message.chatId(), message.senderId(), message.clientMessageId());
        }
    }

    /** The stored messages of some keys (those not stored are absent). */
    @FunctionalInterface
    interface Lookup {
        Map<Key, Message> stored(Collection<Key> keys) throws SQLException;
    }

    /** Numbers and stores messages that are new. */
    @FunctionalInterface
    interface Append {
        List<Message> append(List<NewMessage> fresh) throws SQLException;
    }

    private RepeatedSends() {
    }

    /** The committed message of every send of {@code batch}, in its order. */
    static List<Message> append(List<NewMessage> batch, Lookup lookup, Append append) throws SQLException {
        Set<Key> keys = new LinkedHashSet<>();
        for (NewMessage message : batch) {
            Key key = Key.of(message);
            if (key != null) {
                keys.add(key);
            }
        }
        if (keys.isEmpty()) {
            return append.append(batch); // the common case: nothing to look up
        }
        Map<Key, Message> stored = lookup.stored(keys);
        List<NewMessage> fresh = new ArrayList<>(batch.size());
        Map<Key, Integer> firstInBatch = new HashMap<>();
        int[] freshIndex = new int[batch.size()]; // -1: answered from storage
        for (int i = 0; i < batch.size(); i++) {
            NewMessage message = batch.get(i);
            Key key = Key.of(message);
            if (key != null && stored.containsKey(key)) {
                freshIndex[i] = -1;
            } else if (key != null && firstInBatch.containsKey(key)) {
                freshIndex[i] = firstInBatch.get(key);
            } else {
                if (key != null) {
                    firstInBatch.put(key, fresh.size());
                }
                freshIndex[i] = fresh.size();
                fresh.add(message);
            }
        }
        List<Message> committed = fresh.isEmpty() ? List.of() : append.append(fresh);
        List<Message> answers = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            answers.add(freshIndex[i] < 0 ? stored.get(Key.of(batch.get(i))) : committed.get(freshIndex[i]));
        }
        return answers;
    }
}

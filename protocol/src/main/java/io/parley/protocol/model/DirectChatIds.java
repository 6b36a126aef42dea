package io.parley.protocol.model;

import java.util.Optional;

/**
 * Ids of direct chats: {@code "a_b"} for users {@code a} and {@code b}, order-insensitive
 * ({@code "2_1"} names the chat {@code "1_2"}). The canonical form puts the smaller id first:
 * numerically when both ids are decimal integers, else by string order. User ids that contain
 * {@code _} cannot have direct chats (the id would be ambiguous).
 */
public final class DirectChatIds {
    public static final char SEPARATOR = '_';

    /** The two users of a direct chat, {@code first} being the smaller. */
    public record Pair(String first, String second) {
        public boolean has(String userId) {
            return first.equals(userId) || second.equals(userId);
        }

        public String other(String userId) {
            return first.equals(userId) ? second : first;
        }

        public String id() {
            return first + SEPARATOR + second;
        }
    }

    private DirectChatIds() {
    }

    /** The canonical id of the direct chat between two distinct users without {@code _} in their ids. */
    public static String of(String a, String b) {
        return pair(a, b).id();
    }

    /** Parses {@code "a_b"} (either order), or empty when the id is not a direct chat id. */
    public static Optional<Pair> parse(String chatId) {
        if (chatId == null) {
            return Optional.empty();
        }
        int sep = chatId.indexOf(SEPARATOR);
        if (sep <= 0 || sep == chatId.length() - 1 || chatId.indexOf(SEPARATOR, sep + 1) >= 0) {
            return Optional.empty();
        }
        String a = chatId.substring(0, sep);
        String b = chatId.substring(sep + 1);
        if (a.isBlank() || b.isBlank() || a.equals(b)) {
            return Optional.empty();
        }
        return Optional.of(pair(a, b));
    }

    /** The canonical form of a direct chat id, or the id unchanged when it is not one. */
    public static String canonical(String chatId) {
        return parse(chatId).map(Pair::id).orElse(chatId);
    }

    public static boolean isDirect(String chatId) {
        return parse(chatId).isPresent();
    }

    private static Pair pair(String a, String b) {
        if (a.indexOf(SEPARATOR) >= 0 || b.indexOf(SEPARATOR) >= 0 || a.equals(b)) {
            throw new IllegalArgumentException("a direct chat needs two distinct user ids without '_'");
        }
        return compare(a, b) <= 0 ? new Pair(a, b) : new Pair(b, a);
    }

    private static int compare(String a, String b) {
        if (isDecimal(a) && isDecimal(b)) {
            int byLength = Integer.compare(a.length(), b.length());
            return byLength != 0 ? byLength : a.compareTo(b);
        }
        return a.compareTo(b);
    }

    /** A decimal integer without leading zeros, compared by length then digits (no overflow). */
    private static boolean isDecimal(String s) {
        if (s.isEmpty() || (s.length() > 1 && s.charAt(0) == '0')) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}

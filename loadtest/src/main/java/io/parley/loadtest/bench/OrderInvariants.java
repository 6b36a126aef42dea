package io.parley.loadtest.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The chat ordering guarantee as checks over plain lists (no sockets, no storage), for
 * {@link OrderCheck}. Messages are compared by id; they print as {@code sender#index}, the index
 * counting its sender's sends in the order its socket sent them.
 * <ol>
 *   <li>history holds every acknowledged message exactly once (and nothing else);</li>
 *   <li>per-sender FIFO: each sender's messages appear in history in the order it sent them;</li>
 *   <li>every member received (pushes and its own acks, in arrival order) exactly history: each
 *   message once, in history's order;</li>
 *   <li>hence all members agree; checked on its own too, to tell "history and delivery disagree"
 *   from "members disagree with each other".</li>
 * </ol>
 * Each broken invariant yields one {@link Violation}, naming its first concrete instance.
 */
final class OrderInvariants {
    /** Messages shown on either side of the position a violation is about. */
    static final int CONTEXT = 4;

    private OrderInvariants() {
    }

    record Message(long id, String sender, int index) {
        @Override
        public String toString() {
            return sender + "#" + index;
        }
    }

    /** One broken invariant: its name and the first instance, possibly over several lines. */
    record Violation(String invariant, String detail) {
        @Override
        public String toString() {
            return invariant + ": " + detail;
        }
    }

    /**
     * @param history  the chat's history, oldest first
     * @param acked    the messages the senders' acks named
     * @param received per member (in the order to report them), what arrived on its socket
     * @return the broken invariants, in the order above; empty if the guarantee held
     */
    static List<Violation> check(List<Message> history, Collection<Message> acked, Map<String, List<Message>> received) {
        List<Violation> violations = new ArrayList<>();
        exactlyOnce(history, acked).ifPresent(violations::add);
        senderFifo(history).ifPresent(violations::add);
        membersMatchHistory(history, received).ifPresent(violations::add);
        membersAgree(received).ifPresent(violations::add);
        return violations;
    }

    private static Optional<Violation> exactlyOnce(List<Message> history, Collection<Message> acked) {
        List<String> problems = new ArrayList<>();
        duplicate(history).ifPresent(d -> problems.add("history holds " + d));
        Map<String, Integer> firstByLabel = new HashMap<>();
        for (int i = 0; i < history.size(); i++) {
            Integer earlier = firstByLabel.putIfAbsent(history.get(i).toString(), i);
            if (earlier != null && history.get(earlier).id() != history.get(i).id()) {
                problems.add("history stores " + history.get(i) + " twice: ids " + history.get(earlier).id() + " at "
                        + earlier + " and " + history.get(i).id() + " at " + i);
                break;
            }
        }
        Set<Long> inHistory = ids(history);
        List<Message> lost = acked.stream().filter(m -> !inHistory.contains(m.id())).toList();
        if (!lost.isEmpty()) {
            problems.add("history lacks " + lost.size() + " acknowledged: " + some(lost));
        }
        Set<Long> ackedIds = ids(acked);
        List<Message> unacked = history.stream().filter(m -> !ackedIds.contains(m.id())).toList();
        if (!unacked.isEmpty()) {
            problems.add("history holds " + unacked.size() + " that no ack named: " + some(unacked));
        }
        return problems.isEmpty() ? Optional.empty()
                : Optional.of(new Violation("history exactly once", String.join("; ", problems)));
    }

    /**
     * Per sender, the first of its messages stored after one it sent later, paired with the earliest
     * such later one; of all senders, the one whose late message comes first in history is shown.
     */
    private static Optional<Violation> senderFifo(List<Message> history) {
        Map<String, List<Integer>> positionsBySender = new LinkedHashMap<>();
        for (int i = 0; i < history.size(); i++) {
            positionsBySender.computeIfAbsent(history.get(i).sender(), s -> new ArrayList<>()).add(i);
        }
        List<String> broken = new ArrayList<>();
        String shown = null;
        int shownAt = Integer.MAX_VALUE;
        for (Map.Entry<String, List<Integer>> e : positionsBySender.entrySet()) {
            List<Integer> positions = e.getValue();
            List<Message> own = positions.stream().map(history::get).toList();
            for (int k = 1; k < own.size(); k++) {
                int late = k;
                int ahead = -1;
                for (int j = 0; j < late && ahead < 0; j++) {
                    if (own.get(j).index() > own.get(late).index()) {
                        ahead = j;
                    }
                }
                if (ahead < 0) {
                    continue;
                }
                broken.add(e.getKey());
                if (positions.get(late) < shownAt) {
                    shownAt = positions.get(late);
                    Message sentFirst = own.get(late);
                    Message sentLater = own.get(ahead);
                    shown = e.getKey() + " sent " + sentFirst + " before " + sentLater + ", but history has "
                            + sentLater + " at position " + positions.get(ahead) + " before " + sentFirst
                            + " at position " + positions.get(late) + "\n    " + e.getKey() + "'s messages in history: "
                            + window(own, late) + "\n    history: " + window(history, positions.get(late));
                }
                break;
            }
        }
        return shown == null ? Optional.empty() : Optional.of(new Violation("per-sender FIFO in history",
                broken.size() + " of " + positionsBySender.size() + " senders out of order (" + String.join(", ", broken)
                        + "); first, " + shown));
    }

    private static Optional<Violation> membersMatchHistory(List<Message> history,
                                                                     Map<String, List<Message>> received) {
        Map<String, String> differing = new LinkedHashMap<>();
        for (Map.Entry<String, List<Message>> e : received.entrySet()) {
            String difference = difference(e.getKey(), history, e.getValue());
            if (difference != null) {
                differing.put(e.getKey(), difference);
            }
        }
        if (differing.isEmpty()) {
            return Optional.empty();
        }
        Map.Entry<String, String> first = differing.entrySet().iterator().next();
        return Optional.of(new Violation("members receive history", differing.size() + " of "
                + received.size() + " members' sequences differ from history (" + String.join(", ", differing.keySet())
                + "); first, " + first.getValue()));
    }

    /** How one member's sequence differs from history (null if it equals it), loss and duplicates before order. */
    private static String difference(String member, List<Message> history, List<Message> got) {
        if (sameIds(history, got)) {
            return null;
        }
        List<String> problems = new ArrayList<>();
        duplicate(got).ifPresent(d -> problems.add(member + " received " + d));
        Set<Long> gotIds = ids(got);
        List<Message> missing = history.stream().filter(m -> !gotIds.contains(m.id())).toList();
        if (!missing.isEmpty()) {
            problems.add(member + " never received " + missing.size() + ": " + some(missing));
        }
        Set<Long> historyIds = ids(history);
        List<Message> foreign = got.stream().filter(m -> !historyIds.contains(m.id())).toList();
        if (!foreign.isEmpty()) {
            problems.add(member + " received " + foreign.size() + " not in history: " + some(foreign));
        }
        // Order over what both hold, each message once: loss or duplicates aside, is the order history's?
        List<Message> common = distinct(got).stream().filter(m -> historyIds.contains(m.id())).toList();
        List<Message> expected = history.stream().filter(m -> gotIds.contains(m.id())).toList();
        int k = firstDifference(expected, common);
        if (k >= 0) {
            problems.add(member + " received " + common.get(k) + " at position " + k + " where history has "
                    + expected.get(k) + (common.size() == got.size() && expected.size() == history.size() ? ""
                    : " (positions over the messages both hold)")
                    + "\n    history:  " + window(expected, k) + "\n    " + member + " got: " + window(common, k));
        }
        return String.join("; ", problems);
    }

    private static Optional<Violation> membersAgree(Map<String, List<Message>> received) {
        Map.Entry<String, List<Message>> reference = null;
        for (Map.Entry<String, List<Message>> e : received.entrySet()) {
            if (reference == null) {
                reference = e;
            } else if (!sameIds(reference.getValue(), e.getValue())) {
                List<Message> a = reference.getValue();
                List<Message> b = e.getValue();
                int k = firstDifference(a, b);
                String at = k < 0 ? "" : " first at position " + k + ": " + at(a, k) + " vs " + at(b, k);
                return Optional.of(new Violation("members agree", reference.getKey() + " and " + e.getKey()
                        + " received different sequences (" + a.size() + " and " + b.size() + " messages)" + at
                        + "\n    " + reference.getKey() + ": " + window(a, k) + "\n    " + e.getKey() + ": " + window(b, k)));
            }
        }
        return Optional.empty();
    }

    /** The first message seen twice, with both positions. */
    private static Optional<String> duplicate(List<Message> messages) {
        Map<Long, Integer> seen = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            Integer earlier = seen.putIfAbsent(messages.get(i).id(), i);
            if (earlier != null) {
                return Optional.of(messages.get(i) + " twice, at positions " + earlier + " and " + i);
            }
        }
        return Optional.empty();
    }

    private static boolean sameIds(List<Message> a, List<Message> b) {
        return firstDifference(a, b) < 0;
    }

    /** First position where the ids differ (one list ending counts), or -1 if equal. */
    private static int firstDifference(List<Message> a, List<Message> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            if (a.get(i).id() != b.get(i).id()) {
                return i;
            }
        }
        return a.size() == b.size() ? -1 : n;
    }

    private static List<Message> distinct(List<Message> messages) {
        Set<Long> seen = new HashSet<>();
        return messages.stream().filter(m -> seen.add(m.id())).toList();
    }

    private static Set<Long> ids(Collection<Message> messages) {
        return messages.stream().map(Message::id).collect(Collectors.toSet());
    }

    private static String at(List<Message> messages, int k) {
        return k < messages.size() ? messages.get(k).toString() : "(end)";
    }

    /** {@code [from..to] a b [c] d}: the messages around position k, k in brackets (all of a short list if k < 0). */
    static String window(List<Message> messages, int k) {
        if (messages.isEmpty()) {
            return "(none)";
        }
        int centre = k < 0 ? 0 : k;
        int from = Math.max(0, centre - CONTEXT);
        int to = Math.min(messages.size() - 1, centre + CONTEXT);
        StringBuilder s = new StringBuilder("[" + from + ".." + to + "]");
        for (int i = from; i <= to; i++) {
            s.append(' ').append(i == k ? "[" + messages.get(i) + "]" : messages.get(i).toString());
        }
        if (k >= messages.size()) {
            s.append(" [(end)]");
        }
        return s.toString();
    }

    /** The first few of a list, and how many more. */
    private static String some(List<Message> messages) {
        int shown = Math.min(messages.size(), 8);
        String head = messages.subList(0, shown).stream().map(Message::toString).collect(Collectors.joining(" "));
        return messages.size() > shown ? head + " ... (" + (messages.size() - shown) + " more)" : head;
    }
}

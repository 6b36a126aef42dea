package io.parley.gateway.cluster.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The invariants of one chat after a round, checked over what history holds and what every
 * member's connections received (DESIGN.md "Guarantees"). Messages are known by their text,
 * unique in a round. A violation is described concretely; an empty list means the chat passed.
 * <ul>
 *   <li>history holds no message twice, and every message a sender was acknowledged;</li>
 *   <li>per-sender FIFO: each sender's messages are in history in the order its socket sent them;</li>
 *   <li>each socket received only messages of history, each once, in history's order;</li>
 *   <li>each member ends with all of history: its sockets' frames plus the pages it read when it
 *       resumed after losing a socket — nothing lost, no gap after resume. All members then
 *       agree with history, so with each other.</li>
 * </ul>
 */
final class OrderChecker {

    /** What one member of the chat sent and saw. */
    record Member(String name, List<String> sentInOrder, Set<String> acknowledged, List<Segment> received) {
    }

    /**
     * Messages in the order one source gave them: a socket's frames in arrival order, or the
     * history a member paged when it resumed.
     */
    record Segment(String source, List<String> texts) {
    }

    private OrderChecker() {
    }

    static List<String> check(String chat, List<String> history, List<Member> members) {
        List<String> violations = new ArrayList<>();
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < history.size(); i++) {
            Integer before = position.putIfAbsent(history.get(i), i);
            if (before != null) {
                violations.add(chat + ": history holds '" + history.get(i) + "' twice, at " + before + " and " + i);
            }
        }
        for (Member member : members) {
            for (String acked : member.acknowledged()) {
                if (!position.containsKey(acked)) {
                    violations.add(chat + ": " + member.name() + " was acknowledged '" + acked + "', which history lacks");
                }
            }
            checkSenderOrder(chat, member, position, violations);
            Set<String> seen = new HashSet<>();
            for (Segment segment : member.received()) {
                checkSegment(chat, member, segment, position, violations);
                seen.addAll(segment.texts());
            }
            List<String> missing = history.stream().filter(text -> !seen.contains(text)).toList();
            if (!missing.isEmpty()) {
                violations.add(chat + ": " + member.name() + " never got " + missing.size() + " of " + history.size()
                        + " messages: " + abbreviate(missing));
            }
        }
        return violations;
    }

    private static void checkSenderOrder(String chat, Member member, Map<String, Integer> position,
                                         List<String> violations) {
        int last = -1;
        String lastText = null;
        for (String text : member.sentInOrder()) {
            Integer at = position.get(text);
            if (at == null) {
                continue; // never committed (refused or lost with its node): allowed when not acknowledged
            }
            if (at < last) {
                violations.add(chat + ": " + member.name() + " sent '" + lastText + "' before '" + text
                        + "', but history has them at " + last + " and " + at);
            }
            last = at;
            lastText = text;
        }
    }

    /** Reports the first message out of order in the segment, with how many more there are. */
    private static void checkSegment(String chat, Member member, Segment segment, Map<String, Integer> position,
                                     List<String> violations) {
        String where = chat + ": " + member.name() + " (" + segment.source() + ")";
        List<String> texts = segment.texts();
        int last = -1;
        String lastText = null;
        String firstOutOfOrder = null;
        int outOfOrder = 0;
        Set<String> once = new HashSet<>();
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            Integer at = position.get(text);
            if (at == null) {
                violations.add(where + " got '" + text + "', which history lacks");
            } else if (!once.add(text)) {
                violations.add(where + " got '" + text + "' twice");
            } else if (at < last) {
                if (outOfOrder++ == 0) {
                    firstOutOfOrder = " got '" + text + "' (history position " + at + ") after '" + lastText + "' ("
                            + last + "); received: " + texts.subList(Math.max(0, i - 5), Math.min(texts.size(), i + 3));
                }
            } else {
                last = at;
                lastText = text;
            }
        }
        if (outOfOrder > 0) {
            violations.add(where + firstOutOfOrder + (outOfOrder > 1 ? "; " + (outOfOrder - 1) + " more out of order" : ""));
        }
    }

    private static String abbreviate(List<String> texts) {
        return texts.size() <= 12 ? texts.toString()
                : texts.subList(0, 12) + " and " + (texts.size() - 12) + " more";
    }
}

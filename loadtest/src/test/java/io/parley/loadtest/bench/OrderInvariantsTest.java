package io.parley.loadtest.bench;

import io.parley.loadtest.bench.OrderInvariants.Message;
import io.parley.loadtest.bench.OrderInvariants.Violation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OrderInvariantsTest {
    // Two senders, interleaved as a node might commit them; ids are the commit order.
    private static final Message A0 = new Message(1, "a", 0);
    private static final Message B0 = new Message(2, "b", 0);
    private static final Message A1 = new Message(3, "a", 1);
    private static final Message B1 = new Message(4, "b", 1);
    private static final Message A2 = new Message(5, "a", 2);
    private static final List<Message> HISTORY = List.of(A0, B0, A1, B1, A2);

    @Test
    void membersThatReceivedExactlyHistoryPass() {
        assertThat(OrderInvariants.check(HISTORY, HISTORY, members(HISTORY, HISTORY, HISTORY))).isEmpty();
    }

    @Test
    void aMemberReceivingTwoMessagesSwappedNamesThePositionAndBothOrders() {
        List<Message> swapped = List.of(A0, A1, B0, B1, A2);

        List<Violation> violations = OrderInvariants.check(HISTORY, HISTORY, members(HISTORY, swapped, HISTORY));

        assertThat(violations).extracting(Violation::invariant).containsExactly("members receive history", "members agree");
        assertThat(violations.get(0).detail())
                .startsWith("1 of 3 members' sequences differ from history (m2)")
                .contains("m2 received a#1 at position 1 where history has b#0")
                .contains("history:  [0..4] a#0 [b#0] a#1 b#1 a#2")
                .contains("m2 got: [0..4] a#0 [a#1] b#0 b#1 a#2")
                .doesNotContain("over the messages both hold");
        assertThat(violations.get(1).detail()).startsWith("m1 and m2 received different sequences (5 and 5 messages)"
                + " first at position 1: b#0 vs a#1");
    }

    @Test
    void lossAndDuplicatesAreNamedBeforeOrder() {
        List<Message> lossy = List.of(A0, B0, B0, A2); // a#1 and b#1 lost, b#0 twice

        String detail = OrderInvariants.check(HISTORY, HISTORY, members(lossy)).get(0).detail();

        assertThat(detail).contains("m1 received b#0 twice, at positions 1 and 2")
                .contains("m1 never received 2: a#1 b#1")
                .doesNotContain("where history has"); // what arrived is in history's order
    }

    @Test
    void orderIsStillCheckedOverWhatBothHoldWhenSomethingIsLost() {
        List<Message> lossyAndLate = List.of(B0, A0, B1, A2); // a#1 lost, a#0 after b#0

        String detail = OrderInvariants.check(HISTORY, HISTORY, members(lossyAndLate)).get(0).detail();

        assertThat(detail).contains("m1 never received 1: a#1")
                .contains("m1 received b#0 at position 0 where history has a#0 (positions over the messages both hold)");
    }

    @Test
    void aMessageNotInHistoryIsReported() {
        Message stray = new Message(99, "c", 0);
        List<Message> withStray = new ArrayList<>(HISTORY);
        withStray.add(stray);

        String detail = OrderInvariants.check(HISTORY, HISTORY, members(withStray)).get(0).detail();

        assertThat(detail).contains("m1 received 1 not in history: c#0");
    }

    @Test
    void historyOutOfASendersOrderBreaksFifoEvenWhenEveryMemberAgreesWithIt() {
        List<Message> reordered = List.of(A1, B0, A0, B1, A2); // a#1 stored before a#0

        List<Violation> violations = OrderInvariants.check(reordered, reordered, members(reordered, reordered));

        assertThat(violations).hasSize(1);
        assertThat(violations.get(0).invariant()).isEqualTo("per-sender FIFO in history");
        assertThat(violations.get(0).detail())
                .startsWith("1 of 2 senders out of order (a); first, a sent a#0 before a#1, but history has a#1 at"
                        + " position 0 before a#0 at position 2")
                .contains("a's messages in history: [0..2] a#1 [a#0] a#2")
                .contains("history: [0..4] a#1 b#0 [a#0] b#1 a#2");
    }

    @Test
    void fifoNamesTheEarliestMessageThatJumpedAheadAndTheSenderWhoseLateMessageComesFirst() {
        List<Message> stored = new ArrayList<>();
        for (int i = 2; i <= 6; i++) {
            stored.add(new Message(100 + i, "a", i)); // a#2..a#6 stored before a#0 and a#1
        }
        stored.add(new Message(200, "b", 1)); // b#1 before b#0, and b#0 comes before a#1 and a#0
        stored.add(new Message(201, "b", 0));
        stored.add(new Message(101, "a", 1));
        stored.add(new Message(100, "a", 0));

        String detail = OrderInvariants.check(stored, stored, members(stored)).get(0).detail();

        assertThat(detail).startsWith("2 of 2 senders out of order (a, b); first, b sent b#0 before b#1,"
                + " but history has b#1 at position 5 before b#0 at position 6");

        List<Message> onlyA = stored.stream().filter(m -> m.sender().equals("a")).toList();
        assertThat(OrderInvariants.check(onlyA, onlyA, members(onlyA)).get(0).detail())
                .startsWith("1 of 1 senders out of order (a); first, a sent a#1 before a#2, but history has a#2 at"
                        + " position 0 before a#1 at position 5")
                .contains("a's messages in history: [1..6] a#3 a#4 a#5 a#6 [a#1] a#0");
    }

    @Test
    void historyMissingAnAckedMessageOrHoldingOneTwiceFailsExactlyOnce() {
        Message a1Again = new Message(6, "a", 1); // the same send stored under a second id
        List<Message> stored = List.of(A0, B0, A1, a1Again, A2); // b#1 acknowledged but lost

        List<Violation> violations = OrderInvariants.check(stored, HISTORY, members(stored));

        assertThat(violations.get(0).invariant()).isEqualTo("history exactly once");
        assertThat(violations.get(0).detail())
                .contains("history stores a#1 twice: ids 3 at 2 and 6 at 3")
                .contains("history lacks 1 acknowledged: b#1")
                .contains("history holds 1 that no ack named: a#1");
    }

    @Test
    void aMemberThatStopsShortIsReportedAtTheEnd() {
        List<Message> shortOne = HISTORY.subList(0, 3);

        List<Violation> violations = OrderInvariants.check(HISTORY, HISTORY, members(HISTORY, shortOne));

        assertThat(violations.get(0).detail()).contains("m2 never received 2: b#1 a#2");
        assertThat(violations.get(1).detail()).contains("(5 and 3 messages) first at position 3: b#1 vs (end)");
    }

    @Test
    void windowShowsTheNeighbourhoodWithThePositionBracketed() {
        List<Message> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(new Message(i, "s", i));
        }

        assertThat(OrderInvariants.window(many, 10)).isEqualTo("[6..14] s#6 s#7 s#8 s#9 [s#10] s#11 s#12 s#13 s#14");
        assertThat(OrderInvariants.window(many.subList(0, 3), 3)).isEqualTo("[0..2] s#0 s#1 s#2 [(end)]");
    }

    @SafeVarargs
    private static Map<String, List<Message>> members(List<Message>... received) {
        Map<String, List<Message>> members = new LinkedHashMap<>();
        for (int i = 0; i < received.length; i++) {
            members.put("m" + (i + 1), received[i]);
        }
        return members;
    }
}

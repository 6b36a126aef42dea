package io.parley.gateway.cluster.check;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The checker itself: it passes what is right and names each kind of violation. */
class OrderCheckerTest {
    private static final List<String> HISTORY = List.of("a#0", "b#0", "a#1", "b#1");

    private static OrderChecker.Member member(String name, List<String> sent, Set<String> acked,
                                              OrderChecker.Segment... received) {
        return new OrderChecker.Member(name, sent, acked, List.of(received));
    }

    private static OrderChecker.Segment socket(String... texts) {
        return new OrderChecker.Segment("socket", List.of(texts));
    }

    @Test
    void membersWhoGotHistoryInItsOrderPass() {
        assertThat(OrderChecker.check("chat", HISTORY, List.of(
                member("a", List.of("a#0", "a#1"), Set.of("a#0", "a#1"), socket("a#0", "b#0", "a#1", "b#1")),
                member("b", List.of("b#0", "b#1"), Set.of("b#0", "b#1"), socket("a#0", "b#0", "a#1", "b#1"))))).isEmpty();
    }

    @Test
    void aResumeThatOverlapsWhatWasSeenPasses() {
        assertThat(OrderChecker.check("chat", HISTORY, List.of(member("a", List.of(), Set.of(),
                socket("a#0", "b#0"), new OrderChecker.Segment("page", List.of("a#1", "b#1")), socket("b#1"))))).isEmpty();
    }

    @Test
    void aMemberWhoGotTwoMessagesSwappedFails() {
        assertThat(OrderChecker.check("chat", HISTORY, List.of(member("b", List.of(), Set.of(),
                socket("a#0", "a#1", "b#0", "b#1"))))).singleElement().asString()
                .contains("got 'b#0' (history position 1) after 'a#1' (2)");
    }

    @Test
    void historyThatBreaksASendersOrderFails() {
        assertThat(OrderChecker.check("chat", List.of("a#1", "a#0"), List.of(member("a", List.of("a#0", "a#1"), Set.of(),
                socket("a#1", "a#0"))))).anySatisfy(v -> assertThat(v).contains("sent 'a#0' before 'a#1'"));
    }

    @Test
    void lossesDuplicatesAndStrangersFail() {
        assertThat(OrderChecker.check("chat", HISTORY, List.of(
                member("lost", List.of(), Set.of(), socket("a#0", "b#0", "b#1")),
                member("twice", List.of(), Set.of(), socket("a#0", "b#0", "b#0", "a#1", "b#1")),
                member("stranger", List.of(), Set.of(), socket("a#0", "b#0", "x", "a#1", "b#1")),
                member("acked", List.of("z"), Set.of("z"), socket(HISTORY.toArray(String[]::new))))))
                .anySatisfy(v -> assertThat(v).contains("lost never got 1 of 4 messages: [a#1]"))
                .anySatisfy(v -> assertThat(v).contains("twice (socket) got 'b#0' twice"))
                .anySatisfy(v -> assertThat(v).contains("stranger (socket) got 'x', which history lacks"))
                .anySatisfy(v -> assertThat(v).contains("acked was acknowledged 'z', which history lacks"));
    }

    @Test
    void historyWithAMessageTwiceFails() {
        assertThat(OrderChecker.check("chat", List.of("a#0", "a#0"), List.of()))
                .containsExactly("chat: history holds 'a#0' twice, at 0 and 1");
    }
}

package io.parley.gateway.session;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The single node's last seen: written as users stop being shown, bounded, oldest forgotten first. */
class LocalLastSeenTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00.123456Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LocalLastSeen lastSeen = new LocalLastSeen(2, Clock.fixed(T0, ZoneOffset.UTC), registry);

    @Test
    void aUserShownUntilTheirCloseOrHideIsSeenThenButAHiddenUsersCloseIsNot() {
        lastSeen.lastClosed("a", true);
        lastSeen.shownChanged("b", false, false);
        lastSeen.shownChanged("c", false, true);
        Map<String, LastSeen> seen = lastSeen.of(List.of("a", "b", "c", "d")).join();
        assertThat(seen).containsOnlyKeys("b", "c"); // a was forgotten (capacity 2)
        assertThat(seen.get("b")).isEqualTo(new LastSeen(Instant.parse("2026-12-07T10:00:00.123Z"), LastSeen.Reason.HIDDEN));
        assertThat(seen.get("c").reason()).isEqualTo(LastSeen.Reason.CLOSED);

        lastSeen.lastClosed("e", false); // hidden until it closed: not seen
        lastSeen.shownChanged("f", true, false); // showing is not leaving
        assertThat(lastSeen.of(List.of("e", "f")).join()).isEmpty();
    }

    @Test
    void pastTheCapacityTheUserSeenLongestAgoIsForgottenAndCounted() {
        lastSeen.lastClosed("a", true);
        lastSeen.lastClosed("b", true);
        lastSeen.lastClosed("a", true); // seen again: now the newest
        lastSeen.lastClosed("c", true);
        assertThat(lastSeen.of(List.of("a", "b", "c")).join()).containsOnlyKeys("a", "c");
        assertThat(registry.get("parley.presence.last.seen.users").gauge().value()).isEqualTo(2);
        assertThat(registry.get("parley.presence.last.seen.evicted").counter().count()).isEqualTo(1);
    }
}

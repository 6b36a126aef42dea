package io.parley.gateway.logging;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The MDC is the connection's only during the log call: event loops serve many connections. */
class ConnectionMdcTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        MDC.clear();
    }

    @Test
    void setDuringTheCallAndGoneAfterIt() {
        Map<String, String>[] during = new Map[1];
        ConnectionMdc.run(channel, "events", "42", () -> during[0] = MDC.getCopyOfContextMap());

        assertThat(during[0]).containsEntry(ConnectionMdc.CONNECTION_ID, channel.id().asShortText())
                .containsEntry(ConnectionMdc.DIALECT, "events").containsEntry(ConnectionMdc.USER_ID, "42")
                .as("an embedded channel has no server channel, so no node").doesNotContainKey(ConnectionMdc.NODE_ID);
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void unknownFieldsAreLeftOutAndWhatWasThereBeforeComesBack() {
        MDC.put("job", "sweep");
        Map<String, String>[] during = new Map[1];
        ConnectionMdc.run(channel, null, null, () -> during[0] = MDC.getCopyOfContextMap());

        assertThat(during[0]).containsOnlyKeys("job", ConnectionMdc.CONNECTION_ID);
        assertThat(MDC.getCopyOfContextMap()).containsExactly(Map.entry("job", "sweep"));
    }

    @Test
    void clearedEvenWhenTheCallFails() {
        assertThatThrownBy(() -> ConnectionMdc.run(channel, "typed", "7", () -> {
            throw new IllegalStateException("appender failed");
        })).hasMessage("appender failed");
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }
}

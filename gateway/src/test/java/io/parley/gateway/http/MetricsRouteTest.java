package io.parley.gateway.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.parley.gateway.metrics.GatewayMetrics;
import io.parley.gateway.support.LeakDetectionExtension;
import io.parley.gateway.support.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /metrics}: the Prometheus text exposition of the real gateway meters. */
@ExtendWith(LeakDetectionExtension.class)
class MetricsRouteTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final GatewayMetrics metrics = new GatewayMetrics(registry);

    @AfterEach
    void closeRegistry() {
        registry.close();
    }

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                new HttpRouter(Map.of("/metrics", new MetricsRoute(registry)), uri -> false));
    }

    @Test
    void scrapeShowsTheGatewayMetersInPrometheusTextFormat() {
        metrics.protocolClose(1003);
        metrics.handshake("rejected", "missing");
        metrics.connectionOpened("events");
        EmbeddedChannel channel = channel();

        RawHttp.send(channel, RawHttp.request("GET", "/metrics"));

        RawHttp.Response response = RawHttp.read(channel);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
        assertThat(response.body())
                .contains("# TYPE parley_protocol_closes_total counter")
                .contains("parley_protocol_closes_total{code=\"1003\"} 1.0")
                .contains("parley_handshakes_total{reason=\"missing\",result=\"rejected\"} 1.0")
                .contains("parley_connections{dialect=\"events\"} 1.0")
                .contains("parley_messages_in_total 0.0");
        assertThat(response.bodyBytes().length).isEqualTo(Integer.parseInt(response.header("Content-Length")));
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void everyScrapeIsCurrent() {
        EmbeddedChannel channel = channel();
        RawHttp.send(channel, RawHttp.request("GET", "/metrics"));
        assertThat(RawHttp.read(channel).body()).doesNotContain("parley_protocol_closes_total{code=\"1009\"}");

        metrics.protocolClose(1009);
        RawHttp.send(channel, RawHttp.request("GET", "/metrics"));

        assertThat(RawHttp.read(channel).body()).contains("parley_protocol_closes_total{code=\"1009\"} 1.0");
        assertThat(channel.finish()).isFalse();
    }
}

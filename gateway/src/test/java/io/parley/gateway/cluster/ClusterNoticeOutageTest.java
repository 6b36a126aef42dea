package io.parley.gateway.cluster;

import io.parley.gateway.support.TestNode;
import io.parley.gateway.support.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A disconnect asked while Redis is down: done on the asking node, and answered 503 so that the
 * application asks again (the other nodes were not told).
 */
class ClusterNoticeOutageTest {
    @RegisterExtension
    static final ClusterFixture cluster = ClusterFixture.perClass(2);

    @Test
    void aDisconnectTheOtherNodesCannotHearIsAnswered503() throws Exception {
        TestNode a = cluster.node(0);
        try (WsClient here = a.connectTyped("co-user")) {
            cluster.redis.stop();
            try {
                HttpResponse<String> answer = a.service("POST", "/api/v1/users/co-user/disconnect", null);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
                assertThat(answer.body()).contains("other nodes were not told");
                assertThat(here.awaitClose()).as("done on this node all the same").isEqualTo(4003);
            } finally {
                cluster.redis.startAgain();
            }
        }
    }
}

package io.parley.gateway.connection;

import io.parley.gateway.session.Session;

/** User event fired down the pipeline once the 101 response is written and the session is live. */
public record HandshakeComplete(Session session) {
}

package io.parley.gateway.websocket;

/**
 * User event: code outside the pipeline's handlers (e.g. the slow-consumer policy) has sent a
 * close frame, so {@link ControlFrameHandler} treats the client's answering close as the end of
 * the closing handshake instead of echoing another one.
 */
public enum CloseStarted {
    INSTANCE
}

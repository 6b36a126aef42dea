-- Parley history, schema version 4: what the application's backend changes through the server API,
-- and the outbox its webhooks are delivered from.

-- A closed chat takes no more messages. Not indexed: read with the chat's row.
ALTER TABLE chats ADD COLUMN closed_at TIMESTAMP WITH TIME ZONE;

-- Tokens of a user issued before revoked_before are refused. One row per revoked user, kept by
-- every node in memory (loaded at start, updated through the cluster's notices).
CREATE TABLE revocations (
    user_id        VARCHAR NOT NULL,
    revoked_before TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT revocations_pk PRIMARY KEY (user_id)
);

-- Webhook events, written in the same commit as what they announce and delivered at least once
-- from here. id: the event's id (a message's own id for message.created), unique and time-ordered.
-- data: what the event says beyond the row's columns, a JSON object written by the gateway.
-- state: pending (next_attempt_at is when it is due, or when a node's claim on it lapses) or dead
-- (attempts ran out; kept for inspection). A delivered event is deleted.
CREATE TABLE webhook_outbox (
    id              BIGINT      NOT NULL,
    type            VARCHAR(32) NOT NULL,
    chat_id         VARCHAR     NOT NULL,
    message_id      BIGINT,
    data            VARCHAR     NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    state           VARCHAR(16) NOT NULL,
    attempts        INTEGER     NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
    last_error      VARCHAR,
    CONSTRAINT webhook_outbox_pk PRIMARY KEY (id)
);
-- The due pending events, oldest due first; and the statistics (pending count, oldest).
CREATE INDEX webhook_outbox_due_idx ON webhook_outbox (state, next_attempt_at);

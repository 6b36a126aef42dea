-- Parley history, schema version 5: files uploaded to chats.
-- refs: how many undeleted messages carry the file. expires_at: when the file is collected, set
-- while nothing references it (uploaded and never sent, or its last message deleted) and NULL
-- while something does. The bytes live in the node's blob store under the same id.
CREATE TABLE attachments (
    id          VARCHAR(64)  NOT NULL,
    chat_id     VARCHAR      NOT NULL,
    uploader_id VARCHAR      NOT NULL,
    media_type  VARCHAR(128) NOT NULL,
    byte_size   BIGINT       NOT NULL,
    width       INTEGER,
    height      INTEGER,
    file_name   VARCHAR(255),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    refs        INTEGER      NOT NULL DEFAULT 0,
    expires_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT attachments_pk PRIMARY KEY (id),
    CONSTRAINT attachments_chat_fk FOREIGN KEY (chat_id) REFERENCES chats (id)
);
-- The collector's scan: the files due, oldest first.
CREATE INDEX attachments_expires_idx ON attachments (expires_at);

-- A message's copy of its attachment (a JSON object: id, media_type, size, width, height, name),
-- so history shows it without a join; cleared when the message is deleted.
ALTER TABLE messages ADD COLUMN attachment VARCHAR;

-- Parley history, schema version 3: the sender's own id of a message, so that a send repeated
-- after a lost acknowledgement is stored once. At most 64 characters (the gateway refuses longer
-- ones); NULL for sends without one. Its unique index is V3_1 (partial on PostgreSQL).
ALTER TABLE messages ADD COLUMN client_message_id VARCHAR(64);

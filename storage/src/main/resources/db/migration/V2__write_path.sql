-- Parley history, schema version 2: make the append (the hot path) cheap on PostgreSQL.
-- Measured on PostgreSQL 15, 500-message batches to 500 chats (see BENCHMARKS.md):
--
-- 1. The counter bump (UPDATE chats SET last_seq, updated_at) must be a HOT update: PostgreSQL
--    then writes the new row version on the same page and touches no index. An index that
--    contains updated_at makes every bump non-HOT (a new entry in all four indexes of chats):
--    ~8 ms instead of ~3 ms per 500 chats. So chats_kind_updated_idx goes. Its query,
--    chatsOfKind (staff lists of support chats, a rare call), becomes a scan of the chats of
--    that kind with a top-N sort: O(chats of the kind); fine to ~10^5 chats, beyond that give
--    staff lists their own summary table. Free space on each page for HOT: see V2_1 (PostgreSQL
--    only: fillfactor).
DROP INDEX chats_kind_updated_idx;

-- 2. messages.chat_id -> chats: the foreign key's per-row trigger doubled the insert time of a
--    batch (~3.5 ms per 500 rows). The append already locks every chat of its batch
--    (SELECT ... FOR UPDATE) and rolls the batch back if one is missing, in the same
--    transaction; chats are never deleted. The other tables keep their foreign keys.
ALTER TABLE messages DROP CONSTRAINT messages_chat_fk;

-- What serves each read (verified with EXPLAIN on PostgreSQL 15, see README "Storage"):
-- * page / after (history paging, resume): messages_chat_seq_key (chat_id, seq), an index range
--   scan backwards or forwards that stops after `limit` rows; the rows' content comes from the
--   heap, which paging returns anyway.
-- * chatsOf (conversation list): chat_members_user_idx (user_id, chat_id), index-only, then
--   chats_pk per chat, top-N sort of the user's chats by updated_at.
-- * unreadCounts: chat_members_user_idx for the user's chats, read_cursors_pk for each cursor,
--   messages_chat_seq_key from the cursor on: only unread rows are visited (sender and deleted
--   are checked on those rows; a covering index would cost every insert more than it saves).
-- * findMessage / edit / softDelete / page's before-id: messages_pk.

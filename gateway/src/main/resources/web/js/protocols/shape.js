// The one shape every protocol's frames are turned into, so the pages never look at a
// protocol's own format. An adapter's parse(frame) returns a list of these events:
//
//   {type: 'messages', chatId, messages, hasMore, resume}  a page of history, oldest first
//                                                          (resume: it continues after a message
//                                                          the page already had)
//   {type: 'message', chatId, message, ack?}               a new message; ack is the
//                                                          client_message_id of our send it answers
//   {type: 'changed', chatId, id, text?, deleted?}         a message was edited or deleted
//   {type: 'read', chatId, userId, messageId}              userId has read up to messageId
//   {type: 'typing', chatId, userId}                       userId is typing
//   {type: 'presence', users: [{userId, online, lastSeen}]} who is online (lastSeen may be undefined)
//   {type: 'ready'}                                        the socket is authenticated (pair's hello)
//   {type: 'refreshed', expiresAt}                         the socket took a fresh token (ms)
//   {type: 'error', code, message, about?, failed?, reconnect?}
//                                                          about: 'send' | 'history' | 'refresh' | ...;
//                                                          failed: the client_message_id of a send
//                                                          it refuses; reconnect: the socket is no
//                                                          longer trustworthy (a lost frame)

/** A message as the pages keep it. `id` is null only where the protocol does not say it. */
export function message({ id = null, chatId, senderId, text = '', attachment = null, createdAt = null,
                          edited = false, deleted = false, readByOthers = false, system = false,
                          resumable = true }) {
  return { id, chatId: String(chatId), senderId: String(senderId), text: text || '', attachment,
           createdAt, edited, deleted, readByOthers, system, resumable };
}

/** The message object of the REST API, which the actions protocol shares. */
export function restMessage(m) {
  return message({
    id: m.id, chatId: m.chat_id, senderId: m.sender_id,
    // content_type 2: the text is the image's url, which the attachment shows already
    text: m.content_type === 2 && m.attachment ? '' : m.text,
    attachment: m.attachment || null, createdAt: m.created_at, edited: !!m.edited, deleted: !!m.deleted,
    system: m.sender_id === 'system',
  });
}

/** An error event; `about` names what it answers when the adapter knows. */
export function error(code, text, extra = {}) {
  return { type: 'error', code, message: text, ...extra };
}

// The messages of each chat, each shown once and in the chat's order (message ids are
// time-ordered), and where the chat's resume starts.
//
// The resume point is the last message of the pages of history received, and moves with live
// messages only once the history is in and no resume is on its way: while one is, newer live
// messages may arrive before the older ones the resume brings, and resuming after them would
// skip those.

function emptyChat() {
  return {
    messages: [],
    ids: new Set(),
    prints: new Set(),      // for messages whose protocol gives no id (feed's history)
    lastId: null,           // where a resume starts
    loaded: false,          // a page of history is in
    resuming: false,        // a resume is on its way
    readUpTo: new Map(),    // user id -> the last message they read
    unread: 0,              // live messages from others while the chat was not open
  };
}

/** Who, when and what: how a message without an id is recognised. */
function print(m) {
  const second = m.createdAt ? Math.floor(Date.parse(m.createdAt) / 1000) : '';
  return `${m.senderId}|${second}|${m.text}|${m.attachment ? m.attachment.id : ''}`;
}

export class ChatStore {
  constructor() {
    this.chats = new Map();
  }

  of(chatId) {
    if (!this.chats.has(chatId)) this.chats.set(chatId, emptyChat());
    return this.chats.get(chatId);
  }

  /** A page of history, oldest first; returns how many of its messages were new. */
  addPage(chatId, messages) {
    const chat = this.of(chatId);
    let added = 0;
    for (const m of messages) {
      if (this.put(chat, m)) added++;
      if (m.id != null && m.resumable) chat.lastId = m.id;
    }
    chat.loaded = true;
    return added;
  }

  /** A live message; returns whether it was new. */
  addLive(chatId, m) {
    const chat = this.of(chatId);
    const added = this.put(chat, m);
    if (chat.loaded && !chat.resuming && m.id != null && m.resumable && (chat.lastId == null || m.id > chat.lastId)) {
      chat.lastId = m.id;
    }
    return added;
  }

  change(chatId, id, { text, deleted }) {
    const m = this.of(chatId).messages.find(x => x.id === id);
    if (!m) return;
    if (text !== undefined) m.text = text;
    if (deleted) m.deleted = true;
    else m.edited = true;
  }

  markRead(chatId, userId, messageId) {
    const reads = this.of(chatId).readUpTo;
    reads.set(userId, Math.max(reads.get(userId) || 0, messageId));
  }

  put(chat, m) {
    const key = print(m);
    if (m.id != null ? chat.ids.has(m.id) : chat.prints.has(key)) return false;
    if (m.id != null) chat.ids.add(m.id);
    chat.prints.add(key);
    const later = m.id == null ? -1 : chat.messages.findIndex(x => x.id != null && x.id > m.id);
    if (later < 0) chat.messages.push(m);
    else chat.messages.splice(later, 0, m);
    return true;
  }
}

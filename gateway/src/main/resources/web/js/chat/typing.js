// Typing: the page sends the protocol's typing frame at most every 3 s while the user writes,
// and shows who is typing in a chat until 4 s after their last typing event.
const SEND_EVERY_MS = 3000;
const SHOW_MS = 4000;

export class Typing {
  constructor(onChange) {
    this.onChange = onChange;
    this.seen = new Map();   // chat id -> Map(user id -> when)
    this.lastSent = new Map(); // chat id -> when
  }

  saw(chatId, userId) {
    if (!this.seen.has(chatId)) this.seen.set(chatId, new Map());
    this.seen.get(chatId).set(userId, Date.now());
    this.onChange();
    setTimeout(() => this.onChange(), SHOW_MS + 50);
  }

  /** A message from them ends their typing. */
  stopped(chatId, userId) {
    this.seen.get(chatId)?.delete(userId);
  }

  who(chatId) {
    const now = Date.now();
    return [...(this.seen.get(chatId) || new Map())].filter(([, at]) => now - at < SHOW_MS).map(([user]) => user);
  }

  /** True when it is time to tell the others again. */
  due(chatId) {
    const now = Date.now();
    if (now - (this.lastSent.get(chatId) || 0) < SEND_EVERY_MS) return false;
    this.lastSent.set(chatId, now);
    return true;
  }
}

// Messages written but not acknowledged yet. Each has its client_message_id from the start, so
// sending it again (after a reconnect, or when the chat is reachable again) is stored once
// whatever happened to the first try. An entry leaves when the node acknowledges it, or stays
// failed with the node's reason when it is refused for good.

/** Errors worth another try: auth trouble the reconnect fixes, a store not answering. */
const RETRY = new Set([401, 429, 500, 503]);

function clientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map(b => b.toString(16).padStart(2, '0')).join('');
}

export class Outbox {
  constructor() {
    this.entries = new Map();
  }

  /** attachment: an uploaded attachment object, or null. */
  add(chatId, text, attachment) {
    const entry = { clientMessageId: clientId(), chatId, text, attachment, state: 'queued', error: null };
    this.entries.set(entry.clientMessageId, entry);
    return entry;
  }

  forChat(chatId) {
    return [...this.entries.values()].filter(e => e.chatId === chatId);
  }

  queued() {
    return [...this.entries.values()].filter(e => e.state === 'queued');
  }

  sent(entry) {
    entry.state = 'sent';
  }

  /** Acknowledged: the message itself is shown from now on. */
  ack(clientMessageId) {
    return this.entries.delete(clientMessageId);
  }

  refused(clientMessageId, code, message) {
    const entry = this.entries.get(clientMessageId);
    if (!entry) return;
    entry.state = RETRY.has(code) ? 'queued' : 'failed';
    entry.error = `${code}: ${message}`;
  }

  /** The socket closed: what was sent without an answer goes again on the next one. */
  requeue() {
    this.entries.forEach(e => { if (e.state === 'sent') e.state = 'queued'; });
  }

  discard(clientMessageId) {
    this.entries.delete(clientMessageId);
  }
}

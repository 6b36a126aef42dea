// typed, pair and feed acknowledge a send by echoing the message to the sender, without the
// client_message_id it was sent with. This matches each echo of our own message to the oldest
// send of the same chat with the same text and attachment, so the page knows which send was
// stored. A wrong match is harmless: unacknowledged sends are sent again with their
// client_message_id, and the server stores each once.
export class OwnEcho {
  constructor() {
    this.pending = [];
  }

  /** Remembers a send: {clientMessageId, chatId, text, attachmentId}. */
  sent(entry) {
    this.pending.push(entry);
  }

  /** The client_message_id of the send this echo answers, or undefined. */
  match(chatId, text, attachmentId) {
    const i = this.pending.findIndex(p => p.chatId === chatId && (p.text || '') === (text || '')
      && (p.attachmentId || null) === (attachmentId || null));
    return i < 0 ? undefined : this.pending.splice(i, 1)[0].clientMessageId;
  }

  /** The oldest send still waiting, taken out: an error without a request id answers it. */
  failOldest() {
    const oldest = this.pending.shift();
    return oldest && oldest.clientMessageId;
  }

  /** Drops a send that was answered otherwise (an error). */
  forget(clientMessageId) {
    this.pending = this.pending.filter(p => p.clientMessageId !== clientMessageId);
  }
}

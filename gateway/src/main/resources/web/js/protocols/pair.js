// pair: a two-person booking chat on GET /chat/{chatId}, one chat per socket. No credential in
// the handshake: every frame carries the token as its sessionId, and the first one (a hello)
// authenticates the socket. Deliveries {"message", "timestamp", "senderId", "messageId"} go to
// both sides (the sender's is its acknowledgement); answers and errors are {"code", "message"}.
import { message, error } from './shape.js';
import { OwnEcho } from './own-echo.js';

export default {
  name: 'pair',
  summary: 'two-person booking chat; the token travels inside every frame; one chat per socket',
  oneChatPerSocket: true,
  features: { history: true, typing: false, read: false, presence: false },
  addressable: () => null,
  open: ({ user, token, chat, resumeAfter }) => new PairSession(user, token, chat, resumeAfter),
};

/** pair spells the attachment's keys in camelCase; the pages use the REST spelling. */
function attachmentOf(a) {
  if (!a) return null;
  return { id: a.id, url: a.url, media_type: a.mediaType, size: a.size, width: a.width, height: a.height, name: a.name };
}

class PairSession {
  constructor(user, token, chat, resumeAfter) {
    this.user = user;
    this.sessionId = token;
    this.chat = chat;
    this.resumeAfter = resumeAfter;
    this.echo = new OwnEcho();
    // Frames waiting for their answer, oldest first: the socket answers in order. A hello, resume
    // or refresh is answered with {"code"}; a send with its delivery, or with an error {"code"}.
    this.awaiting = [];
  }

  get path() {
    return '/chat/' + encodeURIComponent(this.chat.id);
  }

  subprotocols() {
    return undefined;
  }

  /** The hello; with the last message the page has, it is also the resume. */
  opened() {
    return [this.hello(this.resumeAfter)];
  }

  hello(after) {
    const frame = { sessionId: this.sessionId };
    if (after != null) frame.lastMessageId = after;
    this.awaiting.push({ about: after != null ? 'history' : 'hello' });
    return frame;
  }

  send({ text, attachmentId, clientMessageId }) {
    const frame = { sessionId: this.sessionId, timestamp: new Date().toISOString(), client_message_id: clientMessageId };
    if (text) frame.message = text;
    if (attachmentId) frame.attachmentId = attachmentId;
    this.echo.sent({ clientMessageId, chatId: this.chat.id, text, attachmentId });
    this.awaiting.push({ about: 'send', clientMessageId });
    return frame;
  }

  history(chat, after) {
    return after == null ? null : this.hello(after); // without a message to resume after, there is no history frame
  }

  typing() {
    return null;
  }

  read() {
    return null;
  }

  presence() {
    return null;
  }

  /** A frame with another sessionId is the refresh. Later frames carry the new one at once, since
   *  the socket takes frames in order; a refusal puts the old one back. */
  refresh(token) {
    this.awaiting.push({ about: 'refresh', previous: this.sessionId });
    this.sessionId = token;
    return { sessionId: token };
  }

  parse(f) {
    if (f.messageId !== undefined) {
      const m = this.delivery(f);
      const ack = m.senderId === this.user ? this.echo.match(this.chat.id, m.text, m.attachment?.id) : undefined;
      if (ack) this.awaiting = this.awaiting.filter(a => a.clientMessageId !== ack);
      return [{ type: 'message', chatId: this.chat.id, message: m, ack }];
    }
    if (f.code === undefined) return [];
    const asked = this.awaiting.shift();
    if (asked?.about === 'send') this.echo.forget(asked.clientMessageId);
    if (f.code === 200) {
      if (f.expires_at) return [{ type: 'refreshed', expiresAt: Date.parse(f.expires_at) }];
      const events = [{ type: 'ready' }];
      if (asked?.about === 'history' || f.messages) {
        events.push({ type: 'messages', chatId: this.chat.id, messages: (f.messages || []).map(d => this.delivery(d)),
                      hasMore: !!f.has_more, resume: true });
      }
      return events;
    }
    if (asked?.about === 'refresh') this.sessionId = asked.previous;
    return [error(f.code, f.message, { about: asked?.about, failed: asked?.clientMessageId, chatId: this.chat.id })];
  }

  delivery(d) {
    return message({ id: d.messageId, chatId: this.chat.id, senderId: d.senderId, text: d.message,
                     attachment: attachmentOf(d.attachment), createdAt: d.timestamp,
                     system: String(d.senderId) === 'system' });
  }
}

// feed: a sequenced support feed on GET /v1/chats/{chat_id}, one chat per socket. Every server
// frame carries socket_sequence (0, 1, 2, ...); the first is an update holding recent history,
// then one update per message (eventId = the message id) or system event. Resuming is in the
// URL: ?after_event_id= the last message's id.
import { message, error } from './shape.js';
import { OwnEcho } from './own-echo.js';

export default {
  name: 'feed',
  summary: 'sequenced support feed: numbered updates, resume in the URL; one chat per socket',
  oneChatPerSocket: true,
  features: { history: true, typing: false, read: false, presence: false },
  addressable: () => null,
  open: ({ user, chat, resumeAfter }) => new FeedSession(user, chat, resumeAfter),
};

class FeedSession {
  constructor(user, chat, resumeAfter) {
    this.user = user;
    this.chat = chat;
    this.resumeAfter = resumeAfter;
    this.echo = new OwnEcho();
    this.sequence = -1;   // the last socket_sequence seen
    this.refreshing = 0;  // refreshes not answered yet: an error answers the oldest
  }

  get path() {
    const after = this.resumeAfter != null ? '&after_event_id=' + this.resumeAfter : '';
    return '/v1/chats/' + encodeURIComponent(this.chat.id) + '?heartbeat=false' + after;
  }

  subprotocols(token) {
    return ['access_token', token];
  }

  opened() {
    return [];
  }

  send({ text, attachmentId, clientMessageId }) {
    const item = { type: 'message' };
    if (text) item.text = text;
    if (attachmentId) item.attachment_id = attachmentId;
    this.echo.sent({ clientMessageId, chatId: this.chat.id, text, attachmentId });
    return { type: 'update', client_message_id: clientMessageId, message: [item] };
  }

  /** No history frame: the first update is the history, and a resume reconnects. */
  history() {
    return null;
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

  refresh(token) {
    this.refreshing++;
    return { type: 'refresh', token };
  }

  parse(f) {
    const gap = this.sequence >= 0 && f.socket_sequence !== this.sequence + 1;
    const first = this.sequence < 0;
    this.sequence = f.socket_sequence;
    if (gap) {
      return [error(0, `feed: a frame was lost (socket_sequence jumped to ${f.socket_sequence}); reconnecting`, { reconnect: true })];
    }
    switch (f.type) {
      case 'update':
        return first ? [this.firstUpdate(f)] : this.live(f);
      case 'refresh':
        this.refreshing = Math.max(0, this.refreshing - 1);
        return [{ type: 'refreshed', expiresAt: f.expires_at * 1000 }];
      case 'error':
        if (this.refreshing > 0) {
          this.refreshing--;
          return [error(f.code, 'refresh: ' + f.message, { about: 'refresh' })];
        }
        return [error(f.code, f.message, { about: 'send', failed: this.echo.failOldest(), chatId: this.chat.id })];
      default:
        return []; // heartbeat
    }
  }

  /** The first update: recent history, or the messages after ?after_event_id=. Its items carry
   *  no ids; the last one's is the update's eventId. */
  firstUpdate(f) {
    const items = f.message.filter(i => i.type === 'message' || i.type === 'chat_event');
    const messages = items.map((item, i) => this.item(item, i === items.length - 1 && f.eventId > 0 ? f.eventId : null));
    return { type: 'messages', chatId: this.chat.id, messages, hasMore: !!f.has_more, resume: this.resumeAfter != null };
  }

  live(f) {
    return f.message.map(item => {
      const m = this.item(item, f.eventId);
      const ack = m.senderId === this.user && !m.system ? this.echo.match(this.chat.id, m.text, m.attachment?.id) : undefined;
      return { type: 'message', chatId: this.chat.id, message: m, ack };
    });
  }

  /** chat_event items (members joining, system messages) are shown, but are no place to resume
   *  after: a join's eventId is not a message. */
  item(item, id) {
    const system = item.type === 'chat_event';
    return message({ id, chatId: this.chat.id, senderId: item.sender, text: item.text, attachment: item.attachment || null,
                     createdAt: new Date(item.send_date * 1000).toISOString(), system, resumable: !system });
  }
}

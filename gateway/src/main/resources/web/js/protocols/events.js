// events: named events with args, support conversations.
// {"name": "Event.X", "args", "id"?} on GET /ws?sid={user}; replies echo the id.
import { message, error } from './shape.js';

export default {
  name: 'events',
  summary: 'named events with args, support conversations',
  oneChatPerSocket: false,
  features: { history: true, typing: false, read: true, presence: false },
  addressable: () => null,
  open: ({ user }) => new EventsSession(user),
};

function eventsMessage(m) {
  return message({
    id: m.id, chatId: m.session_channel, senderId: m.sender_id,
    // content_type 2: the content is the image's url, which the attachment shows already
    text: m.content_type === 2 && m.attachment ? '' : m.content,
    attachment: m.attachment || null, createdAt: m.create_at, edited: !!m.edited, deleted: !!m.deleted,
    readByOthers: m.status === 1, system: String(m.sender_id) === 'system',
  });
}

class EventsSession {
  constructor(user) {
    this.user = user;
    this.nextId = 1;
    this.requests = new Map(); // request id -> what it was for
  }

  get path() {
    return '/ws?sid=' + encodeURIComponent(this.user);
  }

  subprotocols(token) {
    return ['access_token', token];
  }

  opened() {
    return [];
  }

  request(name, args, purpose) {
    const id = 'p' + this.nextId++;
    this.requests.set(id, purpose);
    return { name, id, args };
  }

  send({ chat, text, attachmentId, clientMessageId }) {
    const args = { session_channel: chat.id, sender_id: this.user, content: text || '',
                   client_message_id: clientMessageId };
    if (attachmentId) args.attachment_id = attachmentId;
    return this.request('Event.SendMessage', args, { about: 'send', clientMessageId });
  }

  history(chat, after) {
    const args = { session_channel: chat.id, executor_id: this.user, limit: 50 };
    if (after != null) args.after_id = after;
    return this.request('Event.GetMessageList', args, { about: 'history', chatId: chat.id, resume: after != null });
  }

  typing() {
    return null;
  }

  read(chat, messageId) {
    return this.request('Event.ReadMessage', { session_channel: chat.id, executor_id: this.user, message_id: messageId },
                        { about: 'read' });
  }

  presence() {
    return null;
  }

  refresh(token) {
    return this.request('Event.RefreshToken', { token }, { about: 'refresh' });
  }

  parse(f) {
    const purpose = f.id !== undefined ? this.requests.get(String(f.id)) : undefined;
    if (purpose) this.requests.delete(String(f.id));
    if (f.ok === false) {
      return [error(f.error?.code, `${f.name}: ${f.error?.message}`,
                    { about: purpose?.about, failed: purpose?.clientMessageId, chatId: purpose?.chatId })];
    }
    const r = f.result;
    switch (f.name) {
      case 'Event.SendMessage':
      case 'Event.ReceiveMessage': {
        const m = eventsMessage(r.message);
        return [{ type: 'message', chatId: m.chatId, message: m, ack: purpose?.clientMessageId }];
      }
      case 'Event.MessageChanged':
        return [{ type: 'changed', chatId: String(r.message.session_channel), id: r.message.id,
                  text: r.message.content, deleted: !!r.message.deleted }];
      case 'Event.MessageStatus':
        return [{ type: 'read', chatId: String(r.session_channel), userId: String(r.reader_id), messageId: r.message_id }];
      case 'Event.GetMessageList':
        if (!purpose) return [];
        return [{ type: 'messages', chatId: purpose.chatId, messages: r.Messages.map(eventsMessage),
                  hasMore: r.has_more, resume: purpose.resume }];
      case 'Event.RefreshToken':
        return [{ type: 'refreshed', expiresAt: Date.parse(r.expires_at) }];
      default:
        return [];
    }
  }
}

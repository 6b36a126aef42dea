// actions: typed actions with request ids, on GET /api/v1/websocket/ws/{user_id}.
// {"type", "request_id"?, ...fields}; replies {"type", "request_id", "ok", "data" | "error"}.
// Chats are addressed by UUID only, so direct ("a_b") and support ("100") chats are out of reach.
import { restMessage, error } from './shape.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default {
  name: 'actions',
  summary: 'typed actions with request ids; chats with UUID ids',
  oneChatPerSocket: false,
  features: { history: true, typing: false, read: false, presence: false },
  addressable: chat => UUID.test(chat.id) ? null
    : `actions addresses chats by UUID only; "${chat.id}" is a ${chat.kind} chat: pick another protocol to write here`,
  open: ({ user }) => new ActionsSession(user),
};

class ActionsSession {
  constructor(user) {
    this.user = user;
    this.nextId = 1;
    this.requests = new Map(); // request_id -> what it was for
  }

  get path() {
    return '/api/v1/websocket/ws/' + encodeURIComponent(this.user);
  }

  subprotocols(token) {
    return ['access_token', token];
  }

  opened() {
    return [];
  }

  request(type, fields, purpose) {
    const requestId = 'p' + this.nextId++;
    this.requests.set(requestId, purpose);
    return { type, request_id: requestId, ...fields };
  }

  send({ chat, text, attachmentId, clientMessageId }) {
    const fields = { chat_id: chat.id, client_message_id: clientMessageId };
    if (text) fields.text = text;
    if (attachmentId) fields.attachment_id = attachmentId;
    return this.request('send_message', fields, { about: 'send', clientMessageId });
  }

  history(chat, after) {
    const fields = { chat_id: chat.id, limit: 50 };
    if (after != null) fields.after = after;
    return this.request('get_messages', fields, { about: 'history', chatId: chat.id, resume: after != null });
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
    return this.request('refresh', { token }, { about: 'refresh' });
  }

  parse(f) {
    const purpose = f.request_id !== undefined ? this.requests.get(String(f.request_id)) : undefined;
    if (purpose) this.requests.delete(String(f.request_id));
    if (f.ok === false) {
      return [error(f.error?.code, `${f.type}: ${f.error?.message}`,
                    { about: purpose?.about, failed: purpose?.clientMessageId, chatId: purpose?.chatId })];
    }
    const d = f.data || {};
    if (purpose) {
      switch (purpose.about) {
        case 'send':
          return [{ type: 'message', chatId: d.message.chat_id, message: restMessage(d.message), ack: purpose.clientMessageId }];
        case 'history':
          return [{ type: 'messages', chatId: purpose.chatId, messages: d.messages.map(restMessage),
                    hasMore: d.has_more, resume: purpose.resume }];
        case 'refresh':
          return [{ type: 'refreshed', expiresAt: Date.parse(d.expires_at) }];
        default:
          return [];
      }
    }
    switch (f.type) {
      case 'new_message':
        return [{ type: 'message', chatId: d.message.chat_id, message: restMessage(d.message) }];
      case 'message_updated':
        return [{ type: 'changed', chatId: d.message.chat_id, id: d.message.id, text: d.message.text, deleted: !!d.message.deleted }];
      case 'message_read':
        return [{ type: 'read', chatId: d.chat_id, userId: String(d.user_id), messageId: d.message_id }];
      case 'user_typing':
        return [{ type: 'typing', chatId: d.chat_id, userId: String(d.user_id) }];
      default:
        return [];
    }
  }
}

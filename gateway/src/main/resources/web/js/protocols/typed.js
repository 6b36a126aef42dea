// typed: {"type", "content"} frames in the Django Channels style, on GET /ws/chats/.
// Sends are acknowledged by the same new_message the others get; reads, typing and presence
// changes only by errors.
import { message, error } from './shape.js';
import { OwnEcho } from './own-echo.js';

export default {
  name: 'typed',
  summary: '{"type", "content"} frames in the Django Channels style, with typing and presence',
  oneChatPerSocket: false,
  features: { history: true, typing: true, read: true, presence: true },
  addressable: () => null,
  open: ({ user }) => new TypedSession(user),
};

/** direct chats ("a_b") are addressed as direct, every other kind as project. */
function chatType(chat) {
  return chat.kind === 'direct' ? 'direct' : 'project';
}

function typedMessage(chatId, c) {
  return message({
    id: c.message_id, chatId, senderId: c.sender_id,
    text: c.content_type === 2 && c.attachment ? '' : c.message,
    attachment: c.attachment || null, createdAt: c.created_at, edited: !!c.updated_at,
    deleted: !!c.deleted_at, system: String(c.sender_id) === 'system',
  });
}

class TypedSession {
  constructor(user) {
    this.user = user;
    this.echo = new OwnEcho();
    this.syncs = [];        // sync requests in flight, oldest first: {chatId, resume}
  }

  get path() {
    return '/ws/chats/';
  }

  subprotocols(token) {
    return ['access_token', token];
  }

  opened() {
    return [{ type: 'presence' }]; // who among my contacts is online right now
  }

  send({ chat, text, attachmentId, clientMessageId }) {
    const content = { chat_type: chatType(chat), chat_id: chat.id, message: text || '', client_message_id: clientMessageId };
    if (attachmentId) content.attachment_id = attachmentId;
    this.echo.sent({ clientMessageId, chatId: chat.id, text, attachmentId });
    return { type: 'new_message', content };
  }

  history(chat, after) {
    const content = { chat_type: chatType(chat), chat_id: chat.id, limit: 50 };
    if (after != null) content.after = after;
    this.syncs.push({ chatId: chat.id, resume: after != null });
    return { type: 'sync', content };
  }

  typing(chat) {
    return { type: 'user_typing', content: { chat_type: chatType(chat), chat_id: chat.id } };
  }

  read(chat, messageId) {
    return { type: 'message_read', content: { chat_type: chatType(chat), chat_id: chat.id, message_id: messageId } };
  }

  presence(userIds) {
    return { type: 'presence', content: { user_ids: userIds } };
  }

  refresh(token) {
    return { type: 'refresh', content: { token } };
  }

  parse(f) {
    const c = f.content || {};
    const chatId = c.chat_id != null ? String(c.chat_id) : undefined;
    switch (f.type) {
      case 'new_message': {
        const m = typedMessage(chatId, c);
        const ack = m.senderId === this.user ? this.echo.match(chatId, m.text, m.attachment?.id) : undefined;
        return [{ type: 'message', chatId, message: m, ack }];
      }
      case 'edit_message':
        return [{ type: 'changed', chatId, id: c.message_id, text: c.message }];
      case 'delete_message':
        return [{ type: 'changed', chatId, id: c.message_id, text: '', deleted: true }];
      case 'message_read':
        return [{ type: 'read', chatId, userId: String(c.user_id), messageId: c.message_id }];
      case 'user_typing':
        return [{ type: 'typing', chatId, userId: String(c.user_id) }];
      case 'user_online':
      case 'user_offline':
        return [{ type: 'presence', users: [{ userId: String(c.user_id), online: f.type === 'user_online' }] }];
      case 'presence':
        return [{ type: 'presence', users: c.users.map(u => ({ userId: String(u.user_id), online: u.online, lastSeen: u.last_seen })) }];
      case 'sync': {
        const asked = this.syncs.shift() || { resume: false };
        return [{ type: 'messages', chatId, messages: c.messages.map(m => typedMessage(chatId, m)),
                  hasMore: c.has_more, resume: asked.resume }];
      }
      case 'refresh':
        return [{ type: 'refreshed', expiresAt: Date.parse(c.expires_at) }];
      case 'error':
        return [this.failure(c)];
      default:
        return [];
    }
  }

  /** An error names the request type it answers; sends and syncs are matched oldest first. */
  failure(c) {
    const text = `${c.request_type || 'error'}: ${c.message}`;
    switch (c.request_type) {
      case 'new_message':
        return error(c.code, text, { about: 'send', failed: this.echo.failOldest() });
      case 'sync': {
        const asked = this.syncs.shift();
        return error(c.code, text, { about: 'history', chatId: asked?.chatId });
      }
      case 'refresh':
        return error(c.code, text, { about: 'refresh' });
      default:
        return error(c.code, text, { about: c.request_type });
    }
  }
}

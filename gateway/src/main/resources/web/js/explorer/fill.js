// Documented examples made sendable as they are: the ids in them become ones that exist for you
// (your user id, a chat of yours, a message of that chat), and the token placeholders ("<jwt>",
// "<a fresh JWT of the same user>") your token, at the moment the frame is sent, so tokens never
// stand in the boxes.

const CHAT = new Set(['session_channel', 'chat_id']);
const USER = new Set(['user_id', 'sender_id', 'executor_id']); // identity fields: they must be you
const MESSAGE = new Set(['message_id', 'after_id', 'before_id', 'after', 'before', 'reply_to', 'lastMessageId']);

/** A copy of the example with {user, chat, messageId} (each may be missing) in its fields. */
export function fill(example, { user, chat, messageId }) {
  const walk = (value, key) => {
    if (Array.isArray(value)) return value.map(v => walk(v));
    if (value && typeof value === 'object') {
      const out = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, k);
      if (chat && 'chat_type' in out) out.chat_type = chat.kind === 'direct' ? 'direct' : 'project';
      return out;
    }
    if (key === 'args' && typeof value === 'string') { // events accepts args as a string of JSON
      try { return JSON.stringify(walk(JSON.parse(value))); } catch (_) { return value; }
    }
    if (chat && CHAT.has(key)) return chat.id;
    if (user && USER.has(key) && value !== null) return typeof value === 'number' && /^\d+$/.test(user) ? Number(user) : user;
    if (messageId && MESSAGE.has(key) && typeof value === 'number') return messageId;
    return value;
  };
  return walk(example);
}

const PLACEHOLDER = /"<[^"<>]*\bjwt\b[^"<>]*>"/gi;

/** The frame's text with its token placeholders replaced; `fresh()` mints a new token. */
export async function withTokens(text, { token, fresh }) {
  let out = text;
  for (const placeholder of new Set(text.match(PLACEHOLDER) || [])) {
    const value = /fresh/i.test(placeholder) ? await fresh() : token();
    out = out.split(placeholder).join(JSON.stringify(value));
  }
  return out;
}

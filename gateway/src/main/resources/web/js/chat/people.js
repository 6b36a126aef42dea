// Who is in a chat, as far as the page can tell: the members the node listed when the chat was
// opened (GET /api/v1/chats/{id}/members) or that the page created it with, remembered in this
// browser; the two users of a direct chat's id ("a_b"); and everyone who wrote in it.
const KEY = 'parley.members.';

export function rememberMembers(chatId, members) {
  try { localStorage.setItem(KEY + chatId, JSON.stringify(members)); } catch (_) { /* storage off: only senders show */ }
}

function remembered(chatId) {
  try { return JSON.parse(localStorage.getItem(KEY + chatId)) || []; } catch (_) { return []; }
}

/** The other people of a chat, in a stable order. */
export function peopleOf(chat, messages, me) {
  const ids = new Set(remembered(chat.id));
  if (chat.kind === 'direct') chat.id.split('_').forEach(id => ids.add(id));
  if (chat.owner_id) ids.add(chat.owner_id);
  messages.forEach(m => ids.add(m.senderId));
  ids.delete(me);
  ids.delete('system');
  return [...ids].sort();
}

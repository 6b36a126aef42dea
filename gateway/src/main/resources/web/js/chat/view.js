// Drawing the chat page's state: the chat list, the open chat's people and messages (with the
// ones not acknowledged yet), read marks and who is typing. Everything is rebuilt from the
// state; images come from a cache, so rebuilding costs little.

const el = (tag, className, text) => {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
};

export function chatTitle(chat, me) {
  if (chat.title) return chat.title;
  if (chat.kind === 'direct') return chat.id.split('_').filter(id => id !== me).join(', ') || me;
  if (chat.kind === 'support') return `support, application ${chat.application_id ?? chat.id}`;
  return `${chat.kind} ${chat.id.slice(0, 8)}`;
}

const time = iso => iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';

export function drawChats(list, client) {
  const { chats, selected, adapter, store, presence, me } = client;
  list.replaceChildren(...chats.map(chat => {
    const button = el('button', 'chat');
    button.type = 'button';
    button.dataset.chatId = chat.id;
    if (selected?.id === chat.id) button.classList.add('selected');
    const why = adapter?.addressable(chat);
    if (why) {
      button.classList.add('unreachable');
      button.title = why;
    }
    if (chat.kind === 'direct') button.append(presence.dot(chat.id.split('_').find(id => id !== me) || me));
    button.append(el('span', 'title', chatTitle(chat, me)), el('span', 'kind', chat.kind));
    const unread = store.of(chat.id).unread;
    if (unread) button.append(el('span', 'badge', String(unread)));
    const item = el('li');
    item.append(button);
    return item;
  }));
  if (!chats.length) list.append(el('li', 'empty', 'No chats yet: start one above.'));
}

export function drawPeople(list, client) {
  const chat = client.selected;
  list.replaceChildren(...(chat ? client.people(chat) : []).map(id => {
    const item = el('li');
    item.append(client.presence.dot(id), el('span', '', id));
    return item;
  }));
}

/** Who has read a message of mine: every member whose read mark is at or after it. */
function readers(m, reads) {
  return [...reads].filter(([, upTo]) => upTo >= m.id).map(([user]) => user);
}

export function drawMessages(list, client, img) {
  const chat = client.selected;
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
  if (!chat) {
    list.replaceChildren(el('li', 'empty', 'Pick a chat, or start one.'));
    return;
  }
  const state = client.store.of(chat.id);
  const items = state.messages.map(m => {
    const mine = m.senderId === client.me;
    const item = el('li', 'msg ' + (m.system ? 'system' : mine ? 'mine' : 'theirs'));
    if (m.id != null) item.dataset.id = m.id;
    item.dataset.content = m.text;
    item.dataset.sender = m.senderId;
    if (!mine && !m.system) item.append(el('span', 'who', m.senderId));
    if (m.deleted) item.append(el('span', 'text deleted', 'message deleted'));
    else if (m.text) item.append(el('span', 'text', m.text));
    if (m.attachment && !m.deleted) {
      item.append(m.attachment.media_type?.startsWith('image/') ? img(m.attachment)
        : el('span', 'file', `${m.attachment.name || 'file'} (${m.attachment.media_type}, ${m.attachment.size} bytes)`));
    }
    const meta = el('span', 'meta', time(m.createdAt) + (m.edited && !m.deleted ? ' · edited' : ''));
    if (mine && m.id != null) {
      const by = readers(m, state.readUpTo);
      const read = by.length > 0 || m.readByOthers;
      const mark = el('span', read ? 'mark read' : 'mark', read ? ' ✓✓ read' : ' ✓ sent');
      mark.title = read ? 'read by ' + (by.join(', ') || 'another member') : 'stored; not read yet';
      meta.append(mark);
    }
    item.append(meta);
    return item;
  });
  for (const entry of client.outbox.forChat(chat.id)) {
    const item = el('li', 'msg mine pending' + (entry.state === 'failed' ? ' failed' : ''));
    item.dataset.clientId = entry.clientMessageId;
    if (entry.text) item.append(el('span', 'text', entry.text));
    if (entry.attachment) item.append(img(entry.attachment));
    const status = entry.state === 'failed' ? `not sent: ${entry.error}`
      : entry.state === 'sent' ? 'sending…'
      : client.connection?.isOpen ? 'waiting for this protocol to reach the chat' : 'will be sent once connected';
    const meta = el('span', 'meta', status);
    if (entry.state === 'failed') {
      const discard = el('button', 'discard', 'discard');
      discard.type = 'button';
      discard.dataset.discard = entry.clientMessageId;
      meta.append(' ', discard);
    }
    item.append(meta);
    items.push(item);
  }
  if (!items.length) items.push(el('li', 'empty', 'No messages yet.'));
  list.replaceChildren(...items);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

export function drawTyping(line, client) {
  const who = client.selected ? client.typing.who(client.selected.id) : [];
  line.textContent = who.length ? `${who.join(', ')} ${who.length === 1 ? 'is' : 'are'} typing…` : '';
}

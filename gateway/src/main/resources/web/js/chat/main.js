// The chat page at /: wires the controls to the chat client and draws it after every change.
import { protocols } from '../protocols/index.js';
import { frameLog } from '../frame-log.js';
import { images } from './images.js';
import { ChatClient } from './chat-client.js';
import { chatTitle, drawChats, drawMessages, drawPeople, drawTyping } from './view.js';

const $ = id => document.getElementById(id);
const log = frameLog($('log'));

function showError(text) {
  log.error(text);
  $('error-text').textContent = text;
  $('error').hidden = false;
}

let drawing = false;
const client = new ChatClient({
  log,
  onChange: () => { if (!drawing) { drawing = true; queueMicrotask(draw); } },
  onState: text => { $('state').textContent = text; $('state').dataset.open = String(text.startsWith('connected')); },
  onError: showError,
  onResume: text => { $('resume').textContent = text; },
});
const img = images(client.api, e => showError('image: ' + e.message));

// ---- protocols: the picker, and what the chosen one can do ---------------------------------------
for (const p of Object.values(protocols)) {
  $('protocol').append(new Option(p.name, p.name));
}
function describeProtocol() {
  const p = protocols[$('protocol').value];
  const has = (yes, what) => (yes ? '✓ ' : '✗ ') + what;
  $('protocol-about').textContent = [p.name + ': ' + p.summary, has(p.features.typing, 'typing'), has(p.features.read, 'read marks'),
    p.features.presence ? '✓ presence pushes' : '✓ presence over REST', p.oneChatPerSocket ? 'one chat per socket' : 'every chat on one socket']
    .join(' · ');
}
$('protocol').onchange = () => {
  describeProtocol();
  if (client.identity) client.switchProtocol($('protocol').value);
};
describeProtocol();

// ---- signing in ----------------------------------------------------------------------------------
$('signin').onsubmit = async e => {
  e.preventDefault();
  const wanted = { user: $('user').value.trim(), role: $('role').value, token: $('token').value.trim(),
                   protocolName: $('protocol').value };
  const same = client.identity && (wanted.token ? wanted.token === client.identity.token && !client.identity.canMint
    : client.identity.canMint && wanted.user === client.identity.user && (wanted.role || undefined) === client.identity.role);
  try {
    if (same) client.switchProtocol(wanted.protocolName);
    else await client.signIn(wanted);
    $('user').value = client.me;
  } catch (err) {
    showError('sign in: ' + err.message);
  }
};
$('drop').onclick = () => client.connection?.drop();
$('error-close').onclick = () => { $('error').hidden = true; };

// ---- chats ---------------------------------------------------------------------------------------
$('chats').onclick = e => {
  const button = e.target.closest('button[data-chat-id]');
  if (!button) return;
  document.body.dataset.pane = 'chat'; // phones show one pane at a time
  client.select(button.dataset.chatId).catch(err => showError(err.message));
};
$('back').onclick = () => { document.body.dataset.pane = 'list'; };
$('refresh-chats').onclick = () => client.loadChats().catch(err => showError(err.message));

function showKindFields() {
  const kind = $('new-kind').value;
  $('new-members-field').hidden = kind === 'support';
  $('new-title-field').hidden = kind !== 'group';
  $('new-app-field').hidden = kind !== 'support';
}
$('new-kind').onchange = showKindFields;
showKindFields();
$('new-chat').onsubmit = async e => {
  e.preventDefault();
  if (!client.identity) { showError('sign in first'); return; }
  const members = $('new-members').value.split(',').map(s => s.trim()).filter(Boolean);
  try {
    await client.createChat({ kind: $('new-kind').value, members, title: $('new-title').value.trim(),
                              applicationId: $('new-app').value });
    document.body.dataset.pane = 'chat';
  } catch (err) {
    showError('new chat: ' + err.message);
  }
};

// ---- writing -------------------------------------------------------------------------------------
$('file').onchange = () => {
  const file = $('file').files[0];
  $('file-chip').hidden = !file;
  $('file-name').textContent = file ? file.name : '';
};
$('file-clear').onclick = () => { $('file').value = ''; $('file').onchange(); };
$('text').oninput = () => client.writing();
$('composer').onsubmit = async e => {
  e.preventDefault();
  const text = $('text').value.trim();
  const file = $('file').files[0];
  if (!text && !file) return;
  try {
    if (file) await client.sendImage(file, text);
    else client.write(text);
    $('text').value = '';
    $('file-clear').onclick();
  } catch (err) {
    showError('send: ' + err.message);
  }
};
$('messages').onclick = e => {
  const discard = e.target.closest('button[data-discard]');
  if (discard) {
    client.outbox.discard(discard.dataset.discard);
    draw();
  }
};

// ---- drawing -------------------------------------------------------------------------------------
function draw() {
  drawing = false;
  const chat = client.selected;
  drawChats($('chats'), client);
  $('chat-title').textContent = chat ? chatTitle(chat, client.me) : 'No chat open';
  drawPeople($('people'), client);
  const why = client.unreachable;
  $('chat-note').hidden = !why;
  $('chat-note').textContent = why || '';
  drawMessages($('messages'), client, img);
  drawTyping($('typing'), client);
  $('send').disabled = !chat || !!why;
  $('expiry').textContent = client.identity && Number.isFinite(client.identity.expiresAt)
    ? 'token valid until ' + new Date(client.identity.expiresAt).toLocaleTimeString() : '';
  document.body.classList.toggle('signed-in', !!client.identity);
}
draw();

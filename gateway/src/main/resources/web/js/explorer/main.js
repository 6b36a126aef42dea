// The protocol explorer at /explorer: per protocol, every frame a client may send, its documented
// example in an editable box, sent over a live socket, and what came back.
import { protocols } from '../protocols/index.js';
import { createApi } from '../api.js';
import { frameLog } from '../frame-log.js';
import { clientFrames } from './frames.js';
import { fill, withTokens } from './fill.js';
import { LiveSocket } from './live-socket.js';

const $ = id => document.getElementById(id);
const log = frameLog($('log'));
const state = { protocol: 'events', token: null, chat: null, messageId: null, session: null };
const api = createApi({ token: () => state.token, log });
const socket = new LiveSocket({ log, onFrame: received, onClose: e => setState(`closed ${e.code} ${e.reason}`.trim()) });
let contract;       // what frames.js read from /asyncapi.json
let cards = [];     // the frames of the chosen protocol, as drawn

function showError(text) {
  log.error(text);
  $('error-text').textContent = text;
  $('error').hidden = false;
}
$('error-close').onclick = () => { $('error').hidden = true; };

function setState(text) {
  $('state').textContent = text;
  $('state').dataset.open = String(socket.isOpen);
}

const user = () => $('user').value.trim();

/** A token of the user in the box, minted when there is none or the user changed. */
async function token() {
  if (!state.token || state.tokenUser !== user() + '/' + $('role').value) await freshToken();
  return state.token;
}

async function freshToken() {
  state.token = (await api.mintToken(user(), $('role').value || undefined)).token;
  state.tokenUser = user() + '/' + $('role').value;
  return state.token;
}

/** An error in any protocol's own shape: events and actions "ok": false, typed and feed
 *  "type": "error", pair a "code" other than 200. */
function isError(frame) {
  return frame.ok === false || frame.type === 'error' || (typeof frame.code === 'number' && frame.code !== 200)
    || 'unparsable' in frame;
}

// ---- the protocol tabs ---------------------------------------------------------------------------
function drawTabs() {
  $('tabs').replaceChildren(...Object.values(protocols).map(p => {
    const tab = document.createElement('button');
    tab.type = 'button';
    tab.dataset.protocol = p.name;
    tab.className = p.name === state.protocol ? 'tab selected' : 'tab';
    tab.textContent = p.name;
    tab.title = p.summary;
    tab.onclick = () => choose(p.name);
    return tab;
  }));
}

function choose(name) {
  socket.close();
  setState('not connected');
  state.protocol = name;
  state.session = null;
  drawTabs();
  const p = protocols[name];
  const channel = contract.channels[name];
  $('summary').textContent = `${p.name}: ${p.summary}. Endpoint ${channel.address}.`;
  $('channel-doc').textContent = channel.description;
  drawCards();
}

// ---- the frames ----------------------------------------------------------------------------------
function drawCards() {
  cards = (contract.frames[state.protocol] || []).map(frame => card(frame));
  $('cards').replaceChildren(...cards.map(c => c.element));
}

function card(frame) {
  const element = document.getElementById('card').content.firstElementChild.cloneNode(true);
  const c = { frame, element, edited: false };
  element.dataset.key = frame.key;
  element.querySelector('.name').textContent = frame.name;
  element.querySelector('.about').textContent = frame.about;
  const picker = element.querySelector('.example');
  frame.examples.forEach((e, i) => picker.append(new Option(e.name + (e.summary ? ': ' + e.summary : ''), i)));
  const box = element.querySelector('textarea');
  c.refill = () => {
    const example = frame.examples[picker.value];
    box.value = example ? JSON.stringify(fill(example.payload, { user: user(), chat: state.chat, messageId: state.messageId }), null, 2) : '{}';
    box.rows = Math.min(14, box.value.split('\n').length + 1);
    c.edited = false;
  };
  picker.onchange = c.refill;
  box.oninput = () => { c.edited = true; };
  element.querySelector('.send').onclick = () => send(c).catch(e => showError(e.message));
  c.refill();
  return c;
}

/** The boxes nobody edited follow the ids the explorer knows of. */
function refillUnedited() {
  cards.filter(c => !c.edited).forEach(c => c.refill());
}

async function send(c) {
  let text = await withTokens(c.element.querySelector('textarea').value, { token: () => state.token, fresh: freshToken });
  try {
    text = JSON.stringify(JSON.parse(text)); // the same frame on one line
  } catch (e) {
    log.note('not JSON (' + e.message + '); sent as it is');
  }
  const replies = c.element.querySelector('.replies');
  replies.replaceChildren();
  c.element.dataset.state = 'waiting';
  socket.send(text, c);
  setTimeout(() => {
    if (c.element.dataset.state !== 'waiting') return;
    c.element.dataset.state = 'silent';
    const note = document.createElement('p');
    note.className = 'silent';
    note.textContent = 'Nothing came back within 3 s. Some frames are answered only when they fail '
      + '(typed: reads, typing, set_online, set_offline); the others are on their way or lost.';
    replies.append(note);
  }, 3000);
}

function received(frame, credited) {
  // The ids that frames carry make the next examples work: the newest message, the chat in use.
  for (const event of state.session ? state.session.parse(frame) : []) {
    if (event.type === 'message' && event.message.id) state.messageId = event.message.id;
    if (event.type === 'messages' && event.messages.length) state.messageId = event.messages.at(-1).id ?? state.messageId;
  }
  refillUnedited();
  if (!credited) return;
  const pre = document.createElement('pre');
  pre.className = isError(frame) ? 'frame error' : 'frame';
  pre.textContent = JSON.stringify(frame, null, 2);
  credited.element.querySelector('.replies').append(pre);
  if (credited.element.dataset.state !== 'error') credited.element.dataset.state = isError(frame) ? 'error' : 'replied';
}

// ---- the socket and the chat ---------------------------------------------------------------------
$('connect').onclick = async () => {
  const adapter = protocols[state.protocol];
  try {
    if (!user()) throw new Error('a user id first');
    if (adapter.oneChatPerSocket && !state.chat) {
      throw new Error(`${adapter.name} connects to one chat: create your first chat, or copy a valid chat id, first`);
    }
    const t = await token();
    state.session = adapter.open({ user: user(), token: t, chat: state.chat, resumeAfter: null });
    setState('connecting…');
    const subprotocol = await socket.open(state.session, t);
    setState(`connected as ${user()} to ${state.session.path}` + (subprotocol ? ` (subprotocol ${subprotocol})` : ''));
    refillUnedited();
  } catch (e) {
    setState('not connected');
    showError('connect: ' + e.message);
  }
};

async function useChat(chat) {
  state.chat = chat;
  state.messageId = null;
  $('chat-id').value = chat.id;
  refillUnedited();
  if (socket.isOpen && protocols[state.protocol].oneChatPerSocket) $('connect').click(); // its socket is per chat
}

$('create').onclick = async () => {
  try {
    await token();
    const members = $('members').value.split(',').map(s => s.trim()).filter(Boolean);
    const chat = await api.createChat({ kind: 'group', members, title: 'My first chat' });
    log.note(`created group chat ${chat.id} with ${members.join(', ')}`);
    await useChat(chat);
  } catch (e) {
    showError('create my first chat: ' + e.message);
  }
};

$('copy').onclick = async () => {
  try {
    await token();
    const adapter = protocols[state.protocol];
    let chat = state.chat && !adapter.addressable(state.chat) ? state.chat : null;
    if (!chat) chat = (await api.chats()).find(c => !adapter.addressable(c));
    if (!chat) throw new Error(`you have no chat ${adapter.name} can use yet: create your first chat`);
    await useChat(chat);
    try {
      await navigator.clipboard.writeText(chat.id);
      log.note(`copied chat id ${chat.id}; the examples use it now`);
    } catch (_) {
      $('chat-id').select(); // no clipboard here (an insecure origin): selected, for Ctrl+C
      log.note(`chat id ${chat.id} is selected for copying; the examples use it now`);
    }
  } catch (e) {
    showError('copy a valid chat id: ' + e.message);
  }
};

try {
  contract = await clientFrames();
  drawTabs();
  choose(state.protocol);
} catch (e) {
  showError('reading the contract: ' + e.message);
}

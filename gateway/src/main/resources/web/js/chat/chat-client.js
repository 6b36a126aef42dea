// The chat page's logic without the DOM: who is signed in, the socket of the chosen protocol,
// the chats and their messages, and what was written but not acknowledged yet. The page draws
// its state after every change (onChange) and shows every error (onError).
import { createApi } from '../api.js';
import { Identity } from '../identity.js';
import { Connection } from '../connection.js';
import { protocol } from '../protocols/index.js';
import { restMessage } from '../protocols/shape.js';
import { ChatStore } from './store.js';
import { Outbox } from './outbox.js';
import { Presence } from './presence.js';
import { Typing } from './typing.js';
import { peopleOf, rememberMembers } from './people.js';

export class ChatClient {
  /** log: frame-log.js; onState(text): the connection; onResume(text): the resume indicator. */
  constructor({ log, onChange, onState, onError, onResume }) {
    Object.assign(this, { log, onChange, onState, onError, onResume });
    this.api = createApi({ token: () => this.identity?.token, log });
    this.presence = new Presence(this.api, onChange);
    this.typing = new Typing(onChange);
    this.identity = null;
    this.adapter = null;
    this.connection = null;
    this.reset();
  }

  reset() {
    this.store = new ChatStore();
    this.outbox = new Outbox();
    this.chats = [];
    this.selected = null;
    this.readSent = new Map(); // chat id -> the last message this page marked read
  }

  get me() {
    return this.identity?.user;
  }

  /** A new identity: everything starts over. */
  async signIn({ user, role, token, protocolName }) {
    this.signOut();
    this.identity = token ? Identity.pasted(this.api, token) : await Identity.minted(this.api, user, role);
    this.adapter = protocol(protocolName);
    await this.loadChats();
    this.watchPresence();
    this.connect();
  }

  /** Asks for the presence of the people shown now, and every 15 s. */
  watchPresence() {
    this.presence.watch(() => this.watchedPeople(), e => this.onError('presence: ' + e.message));
  }

  signOut() {
    this.connection?.stop();
    this.connection = null;
    this.presence.stop();
    this.identity = null;
    this.reset();
    this.onChange();
  }

  /** The same person in another protocol: chats, messages and unsent messages stay. */
  switchProtocol(protocolName) {
    this.adapter = protocol(protocolName);
    this.connect();
    this.onChange();
  }

  connect() {
    this.connection?.stop();
    this.connection = null;
    this.outbox.requeue();
    if (this.adapter.oneChatPerSocket && !this.selected) {
      this.onState(`pick a chat: ${this.adapter.name} opens one socket per chat`);
      return;
    }
    this.connection = new Connection({
      adapter: this.adapter, identity: this.identity, log: this.log, onState: this.onState,
      chat: this.adapter.oneChatPerSocket ? this.selected : null,
      resumeAfter: () => this.selected ? this.store.of(this.selected.id).lastId : null,
      onEvent: event => this.handle(event),
    });
    this.connection.start();
  }

  async loadChats() {
    this.chats = await this.api.chats();
    this.onChange();
  }

  chat(chatId) {
    return this.chats.find(c => c.id === chatId);
  }

  /** Why the chosen protocol cannot write in the selected chat, or null. */
  get unreachable() {
    return this.selected && this.adapter ? this.adapter.addressable(this.selected) : null;
  }

  async select(chatId) {
    const chat = this.chat(chatId);
    if (!chat) throw new Error(`no chat ${chatId} in your list`);
    const previous = this.selected;
    this.selected = chat;
    const state = this.store.of(chat.id);
    state.unread = 0;
    this.onChange();
    this.watchPresence(); // other people now
    this.loadMembers(chat);
    if (this.unreachable) {
      if (!state.loaded) await this.restPage(chat); // readable over REST all the same
      return;
    }
    if (this.adapter.oneChatPerSocket) {
      if (previous?.id === chat.id && this.connection) return;
      if (!state.loaded) await this.restPage(chat); // the socket then resumes after its last message
      this.connect();
    } else if (this.connection?.isOpen) {
      this.resume(chat);
      this.askPresence();
    }
  }

  /** Who is in the chat, from the node; until it answers, the people the page already knew of show. */
  async loadMembers(chat) {
    try {
      rememberMembers(chat.id, await this.api.members(chat.id));
    } catch (_) {
      return;
    }
    this.onChange();
    if (this.selected?.id === chat.id) this.watchPresence();
  }

  async restPage(chat) {
    const page = await this.api.messages(chat.id);
    this.store.addPage(chat.id, page.messages.map(restMessage));
    this.onChange();
  }

  /** The messages after the last one the page has (the newest page when it has none). */
  resume(chat) {
    const state = this.store.of(chat.id);
    const frame = this.connection.session.history(chat, state.lastId);
    if (!frame) return;
    this.startResume(state);
    this.connection.send(frame);
  }

  startResume(state) {
    state.resuming = true;
    state.resumed = 0;
    this.onResume(state.lastId == null ? 'loading the newest messages…' : `resuming after message ${state.lastId}…`);
  }

  handle(e) {
    switch (e.type) {
      case 'open':
        if (this.adapter.oneChatPerSocket) {
          const state = this.store.of(this.selected.id);
          if (state.lastId != null) this.startResume(state); // the hello or the URL carries the resume
        } else if (this.selected && !this.unreachable) {
          this.resume(this.selected);
        }
        this.flush();
        this.askPresence();
        break;
      case 'messages':
        this.page(e);
        break;
      case 'message':
        this.live(e);
        break;
      case 'changed':
        this.store.change(e.chatId, e.id, e);
        break;
      case 'read':
        this.store.markRead(e.chatId, e.userId, e.messageId);
        break;
      case 'typing':
        if (e.userId !== this.me) this.typing.saw(e.chatId, e.userId);
        break;
      case 'presence':
        this.presence.update(e.users);
        break;
      case 'error':
        if (e.failed) this.outbox.refused(e.failed, e.code, e.message);
        if (e.about === 'history' && e.chatId) this.store.of(e.chatId).resuming = false;
        this.onError(e.code ? `${e.code} ${e.message}` : e.message);
        break;
      case 'closed':
        this.outbox.requeue();
        break;
      default:
        break; // ready, refreshed: the connection keeps its own timers
    }
    this.onChange();
  }

  page(e) {
    const state = this.store.of(e.chatId);
    const added = this.store.addPage(e.chatId, e.messages);
    state.resumed = (state.resumed || 0) + added;
    if (e.resume && e.hasMore) { // not complete yet: the next page, after the last message received
      const chat = this.chat(e.chatId);
      const next = chat && this.connection.session.history(chat, state.lastId);
      if (next) this.connection.send(next);
      else this.connection.reconnect('the rest of the resume'); // feed resumes with a new socket
      return;
    }
    state.resuming = false;
    this.onResume(e.resume ? `resumed: ${state.resumed} message${state.resumed === 1 ? '' : 's'} missed while away` : '');
    this.markRead();
  }

  live(e) {
    if (e.ack) this.outbox.ack(e.ack);
    const fresh = this.store.addLive(e.chatId, e.message);
    if (!this.chat(e.chatId)) this.loadChats().catch(err => this.onError(err.message)); // a chat someone added us to
    if (fresh && e.message.senderId !== this.me && e.chatId !== this.selected?.id) this.store.of(e.chatId).unread++;
    this.typing.stopped(e.chatId, e.message.senderId);
    if (e.chatId === this.selected?.id) this.markRead();
  }

  /** Sends what waits in the outbox, for the chats this socket can write in. */
  flush() {
    if (!this.connection?.isOpen) return;
    for (const entry of this.outbox.queued()) {
      const chat = this.chat(entry.chatId);
      if (!chat) continue;
      const reachable = this.adapter.oneChatPerSocket ? this.connection.chat.id === chat.id : !this.adapter.addressable(chat);
      if (!reachable) continue;
      const frame = this.connection.session.send({ chat, text: entry.text, attachmentId: entry.attachment?.id,
                                                   clientMessageId: entry.clientMessageId });
      if (this.connection.send(frame)) this.outbox.sent(entry);
    }
  }

  write(text, attachment = null) {
    if (!this.selected) throw new Error('pick a chat first');
    if (this.unreachable) throw new Error(this.unreachable);
    this.outbox.add(this.selected.id, text, attachment);
    this.flush();
    this.onChange();
  }

  async sendImage(file, caption) {
    if (!this.selected) throw new Error('pick a chat first');
    const attachment = await this.api.upload(this.selected.id, file);
    this.log.note(`uploaded ${attachment.name}: ${attachment.media_type}, ${attachment.width}x${attachment.height}, ${attachment.size} bytes`);
    this.write(caption, attachment);
  }

  /** The user is writing: the others see it where the protocol has a typing frame. */
  writing() {
    const chat = this.selected;
    if (!chat || !this.connection?.isOpen || this.unreachable || !this.adapter.features.typing) return;
    if (this.typing.due(chat.id)) this.connection.send(this.connection.session.typing(chat));
  }

  /** Marks the newest message of someone else in the open chat as read, once. */
  markRead() {
    const chat = this.selected;
    if (!chat || !this.connection?.isOpen || this.unreachable || !this.adapter.features.read) return;
    const theirs = this.store.of(chat.id).messages.filter(m => m.id != null && m.senderId !== this.me && !m.system);
    const newest = theirs[theirs.length - 1];
    if (!newest || (this.readSent.get(chat.id) || 0) >= newest.id) return;
    this.readSent.set(chat.id, newest.id);
    this.connection.send(this.connection.session.read(chat, newest.id));
  }

  askPresence() {
    const people = this.selected ? this.people(this.selected) : [];
    if (people.length && this.connection?.isOpen) this.connection.send(this.connection.session.presence(people.slice(0, 100)));
  }

  people(chat) {
    return peopleOf(chat, this.store.of(chat.id).messages, this.me);
  }

  /** The people whose presence the page shows: the open chat's, and the other side of direct chats. */
  watchedPeople() {
    const ids = new Set(this.selected ? this.people(this.selected) : []);
    this.chats.filter(c => c.kind === 'direct').forEach(c => c.id.split('_').forEach(id => ids.add(id)));
    ids.delete(this.me);
    return [...ids];
  }

  /** spec: {kind, members, title, applicationId}; the new chat is opened. */
  async createChat({ kind, members, title, applicationId }) {
    const body = { kind };
    if (kind === 'support') body.application_id = Number(applicationId);
    else body.members = members;
    if (title) body.title = title;
    const chat = await this.api.createChat(body);
    if (members?.length) rememberMembers(chat.id, members);
    await this.loadChats();
    await this.select(chat.id);
    return chat;
  }
}

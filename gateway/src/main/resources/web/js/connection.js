// One socket in one protocol, kept open: it opens with the identity's token, reconnects with
// backoff when it drops, and hands the socket a fresh token before the current one expires (the
// node would close it with 4001). What the frames mean is the adapter's business; what to do
// with them is the page's (onEvent).

const wsBase = () => (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;

export class Connection {
  /**
   * adapter: a protocol (protocols/index.js); identity: identity.js; chat: the chat a pair or
   * feed socket is bound to; resumeAfter(): the message the bound chat's resume starts after;
   * log: frame-log.js; onEvent(event): each parsed event, plus {type: 'open'} and {type: 'closed'};
   * onState(text): the connection's state for people.
   */
  constructor({ adapter, identity, chat = null, resumeAfter = () => null, log, onEvent, onState }) {
    Object.assign(this, { adapter, identity, chat, resumeAfter, log, onEvent, onState });
    this.ws = null;
    this.session = null;
    this.wanted = false;
    this.attempt = 0;
    this.timers = new Set();
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  start() {
    this.wanted = true;
    this.connect();
  }

  stop() {
    this.wanted = false;
    clearTimeout(this.refreshTimer);
    this.timers.forEach(clearTimeout);
    this.timers.clear();
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000, 'closed by the page');
      this.ws = null;
    }
  }

  /** Closes the socket as a network failure would: the page reconnects and resumes. */
  drop() {
    if (this.ws) this.ws.close(4000, 'dropped by the page');
  }

  /** Opens a new socket now (feed resumes the rest of a long gap this way). */
  reconnect(why) {
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000, why);
    }
    this.onEvent({ type: 'closed' });
    this.connect();
  }

  /** Sends a frame if the socket is open; false otherwise. */
  send(frame) {
    if (!this.isOpen || frame == null) return false;
    const text = JSON.stringify(frame);
    this.log.out(text);
    this.ws.send(text);
    return true;
  }

  later(fn, ms) {
    const timer = setTimeout(() => { this.timers.delete(timer); fn(); }, ms);
    this.timers.add(timer);
  }

  async connect() {
    this.onState('connecting…');
    let credential;
    try {
      credential = await this.identity.valid();
    } catch (e) {
      this.log.error('token: ' + e.message);
      this.retry('no token: ' + e.message);
      return;
    }
    if (!this.wanted) return;
    const session = this.adapter.open({ user: this.identity.user, token: credential.token, chat: this.chat,
                                        resumeAfter: this.resumeAfter() });
    const socket = new WebSocket(wsBase() + session.path, session.subprotocols(credential.token));
    this.ws = socket;
    this.session = session;
    socket.onopen = () => {
      this.attempt = 0;
      const via = socket.protocol ? ` (subprotocol ${socket.protocol})` : '';
      this.onState(`connected as ${this.identity.user} via ${this.adapter.name}${via}`);
      this.refreshBefore(socket, credential.expiresAt);
      session.opened().forEach(frame => this.send(frame));
      this.onEvent({ type: 'open' });
    };
    socket.onmessage = e => {
      this.log.in(e.data);
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch (_) {
        this.log.error('a frame that is not JSON: ' + e.data);
        return;
      }
      for (const event of session.parse(frame)) {
        if (event.type === 'refreshed') this.refreshBefore(socket, event.expiresAt);
        this.onEvent(event);
        if (event.reconnect) this.reconnect(event.message);
      }
    };
    socket.onclose = e => {
      if (this.ws !== socket) return;
      this.onEvent({ type: 'closed' });
      this.retry(`closed ${e.code} ${e.reason}`.trim());
    };
  }

  retry(why) {
    if (!this.wanted) {
      this.onState(why);
      return;
    }
    const delay = Math.round(Math.min(10000, 500 * 2 ** this.attempt) * (0.5 + Math.random()));
    this.attempt++;
    this.onState(`reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${this.attempt}; ${why})`);
    this.later(() => { if (this.wanted) this.connect(); }, delay);
  }

  /** Before the token expires, a fresh one goes over the open socket in the protocol's own frame.
   *  If that fails, the node closes the socket at the old expiry and the reconnect takes over. */
  refreshBefore(socket, expiresAt) {
    if (!Number.isFinite(expiresAt)) return;
    clearTimeout(this.refreshTimer);
    const left = expiresAt - Date.now();
    this.refreshTimer = setTimeout(async () => {
      if (this.ws !== socket || !this.isOpen) return;
      try {
        const fresh = await this.identity.fresh();
        if (this.ws === socket) this.send(this.session.refresh(fresh.token));
      } catch (e) {
        this.log.error('token refresh: ' + e.message);
        this.onEvent({ type: 'error', message: 'token refresh: ' + e.message, about: 'refresh' });
      }
    }, left > 120000 ? left - 60000 : Math.max(1000, left * 0.8));
  }
}

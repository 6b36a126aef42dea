// Who is online. REST snapshots (GET /api/v1/presence, every protocol) for the people the page
// shows, asked again every 15 s; the typed protocol's user_online / user_offline pushes and its
// presence frame update it at once.
const EVERY_MS = 15000;

export class Presence {
  constructor(api, onChange) {
    this.api = api;
    this.onChange = onChange;
    this.users = new Map(); // user id -> {online, lastSeen}
    this.timer = null;
  }

  update(users) {
    users.forEach(u => this.users.set(u.userId, { online: u.online,
      lastSeen: u.lastSeen !== undefined ? u.lastSeen : this.users.get(u.userId)?.lastSeen }));
    this.onChange();
  }

  /** Asks now and every 15 s for whoever wanted() names. */
  watch(wanted, onError) {
    clearTimeout(this.timer);
    const ask = async () => {
      const ids = wanted().slice(0, 100);
      if (ids.length) {
        try {
          const answer = await this.api.presence(ids);
          this.update(answer.map(p => ({ userId: p.user_id, online: p.online, lastSeen: p.last_seen })));
        } catch (e) {
          onError(e);
        }
      }
      this.timer = setTimeout(ask, EVERY_MS);
    };
    ask();
  }

  stop() {
    clearTimeout(this.timer);
  }

  /** A dot: green online, grey offline (with last seen), hollow unknown. */
  dot(userId) {
    const state = this.users.get(userId);
    const dot = document.createElement('span');
    dot.className = 'dot ' + (state ? (state.online ? 'online' : 'offline') : 'unknown');
    dot.dataset.user = userId;
    dot.title = !state ? `${userId}: not known yet` : state.online ? `${userId} is online`
      : `${userId} is offline` + (state.lastSeen ? ', last seen ' + new Date(state.lastSeen).toLocaleString() : '');
    return dot;
  }
}

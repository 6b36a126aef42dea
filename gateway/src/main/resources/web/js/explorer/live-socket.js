// The explorer's socket: opened in the chosen protocol as its adapter says (URL and credential),
// every frame in and out logged, and every frame received credited to the last frame sent, until
// the next send or for 3 s: that is what "came back" from it.
const WINDOW_MS = 3000;

export class LiveSocket {
  /** onFrame(frame, card?): each frame received, with the card it is credited to. */
  constructor({ log, onFrame, onClose }) {
    Object.assign(this, { log, onFrame, onClose });
    this.ws = null;
    this.current = null; // {card, until}
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Resolves with the selected subprotocol once open; rejects with the close code otherwise. */
  open(session, token) {
    this.close();
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + session.path;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, session.subprotocols(token));
      this.ws = ws;
      let opened = false;
      ws.onopen = () => { opened = true; resolve(ws.protocol); };
      ws.onmessage = e => {
        this.log.in(e.data);
        let frame;
        try { frame = JSON.parse(e.data); } catch (_) { frame = { unparsable: String(e.data) }; }
        const credited = this.current && Date.now() < this.current.until ? this.current.card : null;
        this.onFrame(frame, credited);
      };
      ws.onclose = e => {
        if (this.ws === ws) this.ws = null;
        if (!opened) reject(new Error(`the handshake was refused (close ${e.code}): check the token, the user and the chat`));
        else this.onClose(e);
      };
    });
  }

  /** Sends the text as it is (a frame that is not JSON goes too: the node's answer is the lesson). */
  send(text, card) {
    if (!this.isOpen) throw new Error('connect first');
    this.current = { card, until: Date.now() + WINDOW_MS };
    this.log.out(text);
    this.ws.send(text);
  }

  close() {
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000, 'closed by the explorer');
      this.ws = null;
    }
  }
}

// Who the page acts as, and with which token: a development token minted for a user id
// (POST /api/v1/dev/tokens), or a real one pasted from your identity provider.

/** The claims of a JWT (not verified: the node does that), or null when it is not one. */
export function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part.padEnd(part.length + (4 - part.length % 4) % 4, '=')));
  } catch (_) {
    return null;
  }
}

export class Identity {
  /** A user of the development tokens: each token (and each fresh one) is minted. */
  static async minted(api, user, role) {
    const identity = new Identity(api, user, role || undefined, null);
    await identity.fresh();
    return identity;
  }

  /** A pasted token: the user is its subject; a fresh one has to be pasted again. */
  static pasted(api, token) {
    const c = claims(token);
    if (!c) throw new Error('the pasted token is not a JWT');
    const user = c.sub ?? c.admin_id ?? c.request_id;
    if (user == null) throw new Error('the pasted token names no user (no sub claim)');
    const identity = new Identity(api, String(user), c.role, token);
    identity.expiresAt = c.exp ? c.exp * 1000 : Infinity;
    return identity;
  }

  constructor(api, user, role, pastedToken) {
    this.api = api;
    this.user = user;
    this.role = role;
    this.canMint = pastedToken == null;
    this.token = pastedToken;
    this.expiresAt = 0;
  }

  /** A token that lives a few more seconds: the current one, or a fresh one. */
  async valid() {
    return this.expiresAt - Date.now() > 5000 ? this.current() : this.fresh();
  }

  current() {
    return { token: this.token, expiresAt: this.expiresAt };
  }

  /** A fresh token of the same user, taken as the page's token from now on. */
  async fresh() {
    if (!this.canMint) {
      throw new Error(`the pasted token ${this.expiresAt > Date.now() ? 'expires' : 'expired'} at `
        + new Date(this.expiresAt).toLocaleTimeString() + '; paste a fresh one and sign in again');
    }
    const minted = await this.api.mintToken(this.user, this.role);
    this.token = minted.token;
    this.expiresAt = Date.parse(minted.expires_at);
    return this.current();
  }
}

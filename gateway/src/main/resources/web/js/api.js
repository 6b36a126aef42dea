// The node's REST API, as the pages use it: development tokens, chats, history, uploads,
// downloads and presence. Every call is reported to `log` (method, path, status: never a token),
// and a refusal throws an ApiError carrying the server's own message.

export class ApiError extends Error {
  constructor(status, message, method, path) {
    super(`${method} ${path} answered ${status}: ${message}`);
    this.status = status;
  }
}

/** token(): the token to call with; log: {http(method, path, status)} or nothing. */
export function createApi({ token = () => null, log = null } = {}) {
  async function call(method, path, { body, form, auth = true } = {}) {
    const headers = {};
    if (auth && token()) headers.Authorization = 'Bearer ' + token();
    let payload = form;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    let res;
    try {
      res = await fetch(path, { method, headers, body: payload });
    } catch (e) {
      log?.http(method, path, 'no answer');
      throw new ApiError('no answer', e.message, method, path);
    }
    log?.http(method, path, res.status);
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (_) { /* not JSON: the text is the message */ }
    if (!res.ok) throw new ApiError(res.status, json?.error?.message || text || res.statusText, method, path);
    return json;
  }

  const chatPath = id => '/api/v1/chats/' + encodeURIComponent(id);
  return {
    /** {token, expires_at}: a development token (only where the node mints them). */
    mintToken: (sub, role) => call('POST', '/api/v1/dev/tokens', { body: role ? { sub, role } : { sub }, auth: false }),
    chats: () => call('GET', '/api/v1/chats').then(b => b.chats),
    /** The chat's members' user ids, in id order. */
    members: chatId => call('GET', chatPath(chatId) + '/members').then(b => b.members),
    /** spec: {kind, members?, title?, application_id?}. */
    createChat: spec => call('POST', '/api/v1/chats', { body: spec }).then(b => b.chat),
    /** {messages, has_more}, oldest first: the newest page, or before/after a message. */
    messages: (chatId, { after, before, limit = 50 } = {}) => {
      const query = new URLSearchParams({ limit });
      if (after != null) query.set('after_id', after);
      if (before != null) query.set('before_id', before);
      return call('GET', chatPath(chatId) + '/messages?' + query);
    },
    upload: (chatId, file) => {
      const form = new FormData();
      form.append('file', file);
      return call('POST', chatPath(chatId) + '/attachments', { form }).then(b => b.attachment);
    },
    /** [{user_id, online, last_seen}] in the order asked (1 to 100 ids). */
    presence: userIds => call('GET', '/api/v1/presence?users=' + userIds.map(encodeURIComponent).join(','))
      .then(b => b.presence),
    /** A file of a chat: downloads need the member's token, which an <img src> cannot send. */
    download: async url => {
      const res = await fetch(url, { headers: { Authorization: 'Bearer ' + token() } });
      log?.http('GET', url, res.status);
      if (!res.ok) throw new ApiError(res.status, res.statusText, 'GET', url);
      return res.blob();
    },
  };
}

// The WebSocket protocols page: the node's AsyncAPI document (/asyncapi.json) as a readable
// page. The overview, then one section per protocol (its address, description, what is sent
// and answered, every message with its schema and examples), then the shared schemas.
// Every string of the document is set as text (or through the Markdown renderer, which builds
// nodes the same way): nothing the document says becomes markup.

import { renderMarkdown, inline } from './markdown.js';

const main = document.getElementById('document');
const toc = document.getElementById('toc');

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  node.append(...children.filter(c => c != null));
  return node;
}

/**
 * What a local "$ref" ("#/components/...") points at, following a reference to a reference
 * (an operation names a channel's message, which names a component); any other node itself.
 */
function resolve(doc, node) {
  for (let hops = 0; hops < 8 && typeof node?.$ref === 'string' && node.$ref.startsWith('#/'); hops++) {
    node = node.$ref.slice(2).split('/')
      .map(part => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((at, part) => (at == null ? undefined : at[part]), doc);
  }
  return node;
}

const messageAnchor = (channel, key) => `${channel}-message-${key}`;
const schemaAnchor = name => `schema-${name}`;

/** "#/channels/events/messages/sendMessage" -> the anchor of that message on this page. */
function anchorOfRef(ref) {
  const channelMessage = /^#\/channels\/([^/]+)\/messages\/([^/]+)$/.exec(ref);
  if (channelMessage) return messageAnchor(channelMessage[1], channelMessage[2]);
  const schema = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
  return schema ? schemaAnchor(schema[1]) : null;
}

/**
 * A value as indented JSON in a <pre>; a "$ref" to a shared schema is a link to it. Built node
 * by node so that a link can sit inside the text.
 */
function jsonBlock(value) {
  const pre = el('pre', { class: 'json' });
  const write = (v, indent, key) => {
    if (Array.isArray(v) || (v && typeof v === 'object')) {
      const entries = Array.isArray(v) ? v.map(x => [null, x]) : Object.entries(v);
      const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
      if (entries.length === 0) {
        pre.append(open + close);
        return;
      }
      pre.append(open + '\n');
      entries.forEach(([k, x], n) => {
        pre.append('  '.repeat(indent + 1));
        if (k !== null) pre.append(el('span', { class: 'key' }, JSON.stringify(k)), ': ');
        write(x, indent + 1, k);
        pre.append(n < entries.length - 1 ? ',\n' : '\n');
      });
      pre.append('  '.repeat(indent) + close);
    } else if (key === '$ref' && typeof v === 'string' && anchorOfRef(v)) {
      pre.append(el('a', { href: '#' + anchorOfRef(v) }, JSON.stringify(v)));
    } else {
      pre.append(el('span', { class: typeof v }, JSON.stringify(v)));
    }
  };
  write(value, 0, null);
  return pre;
}

/** Which way each message of a channel travels, from the operations that name it. */
function directions(doc) {
  const roles = new Map(); // message ref -> Set of "sent by the client" | "reply" | "sent by the node"
  const add = (ref, role) => {
    if (!roles.has(ref)) roles.set(ref, new Set());
    roles.get(ref).add(role);
  };
  for (const operation of Object.values(doc.operations ?? {})) {
    for (const message of operation.messages ?? []) {
      add(message.$ref, operation.action === 'send' ? 'sent by the client' : 'sent by the node');
    }
    for (const message of operation.reply?.messages ?? []) {
      add(message.$ref, 'reply');
    }
  }
  return roles;
}

function overview(doc) {
  const section = el('section', { id: 'overview' },
      el('h2', {}, doc.info?.title ?? 'WebSocket protocols'),
      el('p', { class: 'meta' }, `AsyncAPI ${doc.asyncapi} · version ${doc.info?.version ?? '?'} · `,
          el('a', { href: '/asyncapi.yaml' }, 'asyncapi.yaml'), ' · ', el('a', { href: '/asyncapi.json' }, 'asyncapi.json')));
  section.append(renderMarkdown(doc.info?.description, { topLevel: 2 }));
  return section;
}

/** The channel's URL on this node, its path parameters and query parameters. */
function addressOf(channel, key) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const parts = [el('p', { class: 'address' }, el('strong', {}, 'Address: '), el('code', {}, channel.address),
      ' — on this node ', el('code', {}, `${scheme}://${location.host}${channel.address}`))];
  const parameters = Object.entries(channel.parameters ?? {}).map(([name, p]) => [`{${name}}`, 'path', p.description ?? '']);
  const query = channel.bindings?.ws?.query?.properties ?? {};
  for (const [name, q] of Object.entries(query)) {
    const detail = [q.type, q.default !== undefined ? `default ${JSON.stringify(q.default)}` : null].filter(Boolean).join(', ');
    parameters.push([name, `query${detail ? ` (${detail})` : ''}`, q.description ?? '']);
  }
  if (parameters.length > 0) {
    parts.push(el('table', { class: 'parameters', 'aria-label': `${key} parameters` },
        el('thead', {}, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'in'), el('th', {}, 'meaning'))),
        el('tbody', {}, ...parameters.map(([name, where, meaning]) =>
            el('tr', {}, el('td', {}, el('code', {}, name)), el('td', {}, where), el('td', {}, ...inline(meaning)))))));
  }
  return parts;
}

/** The channel's operations: what a client sends and what answers it, or what the node pushes. */
function operationsOf(doc, key) {
  const operations = Object.values(doc.operations ?? {}).filter(op => op.channel?.$ref === `#/channels/${key}`);
  if (operations.length === 0) return null;
  const links = refs => (refs ?? []).flatMap((ref, n) => {
    const link = el('a', { href: '#' + anchorOfRef(ref.$ref) }, resolve(doc, ref)?.name ?? ref.$ref);
    return n === 0 ? [link] : [', ', link];
  });
  // Columns no operation of this channel fills are left out.
  const replies = operations.some(op => op.reply?.messages?.length);
  const summaries = operations.some(op => op.summary ?? op.title);
  const header = ['who', 'messages', replies ? 'answered with' : null, summaries ? 'what it does' : null];
  return el('table', { class: 'operations' },
      el('thead', {}, el('tr', {}, ...header.filter(Boolean).map(h => el('th', {}, h)))),
      el('tbody', {}, ...operations.map(op => el('tr', {},
          el('td', {}, op.action === 'send' ? 'the client sends' : 'the node sends'),
          el('td', {}, ...links(op.messages)),
          replies ? el('td', {}, ...links(op.reply?.messages)) : null,
          summaries ? el('td', {}, ...inline(op.summary ?? op.title ?? '')) : null))));
}

function messageCard(doc, channelKey, key, roles) {
  const ref = `#/channels/${channelKey}/messages/${key}`;
  const message = resolve(doc, doc.channels[channelKey].messages[key]) ?? {};
  const card = el('article', { class: 'message', id: messageAnchor(channelKey, key) },
      el('h4', {}, el('code', {}, message.name ?? key),
          ...[...(roles.get(ref) ?? [])].map(role => el('span', { class: 'badge' }, role))));
  if (message.title) card.append(el('p', { class: 'title' }, message.title));
  if (message.summary) card.append(el('p', { class: 'summary' }, ...inline(message.summary)));
  if (message.description) card.append(renderMarkdown(message.description, { topLevel: 5 }));

  const payload = message.payload;
  if (payload) {
    const shared = typeof payload.$ref === 'string' && Object.keys(payload).length === 1 ? anchorOfRef(payload.$ref) : null;
    const details = el('details', { class: 'schema' }, el('summary', {}, 'Payload schema',
        shared ? ' (' : null, shared ? el('a', { href: '#' + shared }, payload.$ref.split('/').pop()) : null, shared ? ')' : null));
    details.append(jsonBlock(shared ? resolve(doc, payload) : payload));
    card.append(details);
  }
  for (const example of message.examples ?? []) {
    card.append(el('div', { class: 'example' },
        el('p', {}, el('strong', {}, `Example${example.name ? ` “${example.name}”` : ''}`),
            example.summary ? ': ' : null, ...(example.summary ? inline(example.summary) : [])),
        jsonBlock(example.payload)));
  }
  return card;
}

function channelSection(doc, key, roles) {
  const channel = doc.channels[key];
  const section = el('section', { class: 'channel', id: `channel-${key}` },
      el('h2', {}, el('code', {}, key), ' — ', channel.title ?? key),
      ...addressOf(channel, key));
  section.append(renderMarkdown(channel.description, { topLevel: 3 }));
  const operations = operationsOf(doc, key);
  if (operations) section.append(el('h3', {}, 'Requests, replies and pushes'), operations);
  section.append(el('h3', {}, 'Messages'));
  for (const messageKey of Object.keys(channel.messages ?? {})) {
    section.append(messageCard(doc, key, messageKey, roles));
  }
  return section;
}

function schemasSection(doc) {
  const section = el('section', { id: 'schemas' }, el('h2', {}, 'Shared schemas'));
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    section.append(el('article', { class: 'schema-def', id: schemaAnchor(name) },
        el('h4', {}, el('code', {}, name)),
        schema.description ? el('p', {}, ...inline(schema.description)) : null,
        jsonBlock(schema)));
  }
  return section;
}

function tableOfContents(doc) {
  const channels = Object.entries(doc.channels ?? {}).map(([key, channel]) =>
      el('li', {}, el('a', { href: `#channel-${key}` }, key), ` — ${channel.title ?? ''}`,
          el('ul', { class: 'toc-messages' }, ...Object.keys(channel.messages ?? {}).map(messageKey =>
              el('li', {}, el('a', { href: '#' + messageAnchor(key, messageKey) },
                  resolve(doc, channel.messages[messageKey])?.name ?? messageKey))))));
  const headings = [...main.querySelectorAll('#overview h3')].map(h => el('li', {}, el('a', { href: '#' + h.id }, h.textContent)));
  return el('nav', { 'aria-label': 'Contents' }, el('h2', {}, 'Contents'),
      el('ul', {}, el('li', {}, el('a', { href: '#overview' }, 'Overview'), el('ul', {}, ...headings)),
          el('li', {}, 'Protocols', el('ul', {}, ...channels)),
          el('li', {}, el('a', { href: '#schemas' }, 'Shared schemas'))));
}

async function render() {
  const response = await fetch('/asyncapi.json');
  if (!response.ok) throw new Error(`GET /asyncapi.json answered ${response.status}`);
  const doc = await response.json();
  const roles = directions(doc);
  main.replaceChildren(overview(doc), ...Object.keys(doc.channels ?? {}).map(key => channelSection(doc, key, roles)), schemasSection(doc));
  main.querySelectorAll('#overview h3').forEach((h, n) => { h.id = `overview-${n + 1}`; });
  toc.replaceChildren(tableOfContents(doc));
  // The page was built after load: follow a #fragment the address came with.
  if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
}

render().catch(error => {
  main.replaceChildren(el('p', { class: 'error', role: 'alert' }, `The AsyncAPI document could not be shown: ${error.message}`));
});

// The frames a client may send in each protocol, read from the AsyncAPI document the node serves
// (/asyncapi.json): the messages of every operation whose action is "send", with their examples.

/** {channels: {events: {title, address, description}, ...}, frames: {events: [frame, ...], ...}} */
export async function clientFrames() {
  const res = await fetch('/asyncapi.json');
  if (!res.ok) throw new Error(`GET /asyncapi.json answered ${res.status}`);
  const doc = await res.json();
  const at = ref => ref.slice(2).split('/').map(k => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node, key) => node[key], doc);
  const follow = node => (node.$ref ? follow(at(node.$ref)) : node);

  const frames = {};
  for (const operation of Object.values(doc.operations)) {
    if (operation.action !== 'send') continue;
    const channel = operation.channel.$ref.split('/').pop();
    for (const ref of operation.messages) {
      const message = follow(ref);
      (frames[channel] ??= []).push({
        key: ref.$ref.split('/').pop(),
        name: message.name,
        about: message.title || message.summary || operation.summary || '',
        examples: (message.examples || []).map(e => ({ name: e.name, summary: e.summary, payload: e.payload })),
      });
    }
  }
  const channels = Object.fromEntries(Object.entries(doc.channels)
    .map(([name, c]) => [name, { title: c.title, address: c.address, description: c.description }]));
  return { channels, frames };
}

#!/usr/bin/env node
// How long the server API's disconnect and revoke take to close a socket on another node: a user
// connects to node B, the application asks node A, and the time from the request to the socket's
// close (4003) is taken. Usage (Node 22+, or Node 20 with --experimental-websocket):
//   node cutoff.mjs <jwt secret> [http://127.0.0.1:18081 (A)] [ws://127.0.0.1:18082 (B)] [samples 20]
import crypto from 'node:crypto';

const [secret, a = 'http://127.0.0.1:18081', b = 'ws://127.0.0.1:18082', n = '20'] = process.argv.slice(2);
if (!secret) {
  console.error('usage: node cutoff.mjs <jwt secret> [node A http url] [node B ws url] [samples]');
  process.exit(2);
}
const b64 = o => Buffer.from(JSON.stringify(o)).toString('base64url');
function jwt(claims) {
  const head = b64({ alg: 'HS256', typ: 'JWT' }), body = b64(claims);
  return `${head}.${body}.${crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}
const now = Math.floor(Date.now() / 1000);
const service = jwt({ sub: 'backend', role: 'service', iat: now, exp: now + 600 });
const samples = { disconnect: [], revoke: [] };
let failed = 0;
for (let i = 0; i < Number(n); i++) {
  for (const kind of Object.keys(samples)) {
    const user = `cutoff-${kind}-${now}-${i}`;
    const socket = new WebSocket(`${b}/ws?sid=${user}`, ['access_token', jwt({ sub: user, iat: now - 60, exp: now + 600 })]);
    await new Promise((opened, refused) => { socket.onopen = opened; socket.onerror = refused; });
    await new Promise(registered => setTimeout(registered, 100)); // node B tells Redis a moment after the upgrade
    const closed = new Promise(done => { socket.onclose = e => done(e.code); });
    const started = performance.now();
    const body = kind === 'revoke' ? JSON.stringify({ before: new Date((now - 30) * 1000).toISOString() }) : undefined;
    const answer = await fetch(`${a}/api/v1/users/${user}/${kind}`,
      { method: 'POST', headers: { Authorization: `Bearer ${service}` }, body });
    const code = await Promise.race([closed, new Promise(late => setTimeout(() => late('not closed in 10 s'), 10000))]);
    samples[kind].push(performance.now() - started);
    if (answer.status !== 204 || code !== 4003) {
      failed++;
      console.log(`${kind} ${user}: answered ${answer.status}, socket ${code}`);
    }
  }
}
for (const [kind, ms] of Object.entries(samples)) {
  ms.sort((x, y) => x - y);
  const at = p => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(1);
  console.log(`${kind}: ${ms.length} samples, request to close on the other node p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms`);
}
process.exit(failed ? 1 : 0);

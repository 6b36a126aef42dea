#!/usr/bin/env node
// Headless-Chromium check of the node view at /admin against a running Parley node: the page
// refuses a user's token (the error shown, no data), accepts an admin token, shows numbers that
// move while another page chats over real sockets (dialect `events`), lists a handshake refused
// for a bad token, and hides the token key. Writes the screenshot docs/console/admin.png.
//
// Usage:  node admin.mjs [BASE_URL]               (default http://localhost:18282)
// Env:    CHROMIUM=/usr/bin/chromium  STEP_TIMEOUT_MS=10000  TOTAL_TIMEOUT_MS=90000
//         SCREENSHOT=<repository>/docs/console/admin.png
//         PARLEY_JWT_SECRET: the node's key, when it has one: checked never to reach the page
// Needs:  a node with development tokens on (POST /api/v1/dev/tokens).
// Exit:   0 when every check passes, 1 when one fails, 2 on the overall watchdog.

import { chromium } from 'playwright-core';
import { check, runChecks } from './harness.mjs';
import { join, dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BASE = (process.argv[2] || process.env.PARLEY_BASE_URL || 'http://localhost:18282').replace(/\/+$/, '');
const WS_BASE = BASE.replace(/^http/, 'ws');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_MS = Number(process.env.STEP_TIMEOUT_MS || 10000);
const TOTAL_MS = Number(process.env.TOTAL_TIMEOUT_MS || 90000);
const HERE = dirname(fileURLToPath(import.meta.url));
const SCREENSHOT = process.env.SCREENSHOT || join(HERE, '..', '..', 'docs', 'console', 'admin.png');
const KEY = process.env.PARLEY_JWT_SECRET || '';
const RUN = Date.now() % 100000;                                   // ids of this run
const APP = 700000 + RUN;                                          // its conversation
const CUSTOMER = String(800000 + RUN);
const AGENT = String(900000 + RUN);
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/;

let browser = null;

async function devToken(sub, role) {
  const res = await fetch(`${BASE}/api/v1/dev/tokens`, { method: 'POST', body: JSON.stringify(role ? { sub, role } : { sub }) });
  if (res.status !== 201) throw new Error(`POST /api/v1/dev/tokens -> ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}

// --- runs inside the traffic page: a few events-dialect sockets kept on window.__traffic --------
function installTraffic() {
  const t = window.__traffic = { sockets: [], replies: [], nextId: 1 };
  t.open = (url, token, ms) => new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['access_token', token]);
    const timer = setTimeout(() => reject(new Error(`no open within ${ms} ms: ${url}`)), ms);
    ws.onopen = () => { clearTimeout(timer); t.sockets.push(ws); resolve(t.sockets.length - 1); };
    ws.onclose = e => { clearTimeout(timer); reject(new Error(`closed before open: ${e.code}`)); };
    ws.onmessage = e => { try { t.replies.push(JSON.parse(e.data)); } catch (_) { /* not ours */ } };
  });
  // Sends {"name","args","id"} on socket i; resolves with the reply that echoes the id.
  t.request = (i, name, args, ms) => new Promise((resolve, reject) => {
    const id = 'q' + (t.nextId++);
    t.sockets[i].send(JSON.stringify({ name, args, id }));
    const started = Date.now();
    const look = () => {
      const reply = t.replies.find(f => f.id === id && f.name === name);
      if (reply) return resolve(reply);
      if (Date.now() - started > ms) return reject(new Error(`no reply to ${name} within ${ms} ms`));
      setTimeout(look, 20);
    };
    look();
  });
  t.refused = (url, token, ms) => new Promise(resolve => {
    const ws = new WebSocket(url, ['access_token', token]);
    const timer = setTimeout(() => { try { ws.close(); } catch (_) {} resolve({ opened: false, timeout: true }); }, ms);
    ws.onopen = () => { clearTimeout(timer); ws.close(); resolve({ opened: true }); };
    ws.onclose = e => { clearTimeout(timer); resolve({ opened: false, code: e.code }); };
  });
  return true;
}

async function newPage(label, viewport) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  page.on('pageerror', e => console.log(`[${label}] page error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error') console.log(`[${label}] console error: ${m.text()}`); });
  return page;
}

const number = async (page, selector) => Number((await page.textContent(selector)).replace(/[^\d.]/g, '')) || 0;
const total = async (page, name) => Number(await page.getAttribute(`#tile-${name}`, 'data-total')) || 0;
const visible = (page, selector) => page.isVisible(selector);

async function main() {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: STEP_MS * 3,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  console.log(`Chromium ${browser.version()}`);

  // ---- The page asks for a token ---------------------------------------------------------------
  const admin = await newPage('admin', { width: 1280, height: 900 });
  const served = await admin.goto(`${BASE}/admin`);
  check('GET /admin serves the page', served && served.ok(), served ? `HTTP ${served.status()}` : 'no response');
  await admin.waitForSelector('#sign-in', { state: 'visible' });
  check('it asks for a token and shows no data', !(await visible(admin, '#view')));
  await admin.waitForSelector('#dev-tokens', { state: 'visible' });
  check('it offers to mint a development admin token (the node mints development tokens)', true);

  // ---- A bad token, then a user's token, are refused ----------------------------------------------------
  await admin.fill('#token', 'not-a-token');
  await admin.click('#token-form button[type=submit]');
  await admin.waitForFunction(() => /Token refused \(401\)/.test(document.getElementById('error').textContent));
  check('a malformed token is refused (401) with the reason shown', !(await visible(admin, '#view')),
        await admin.textContent('#error'));

  const userToken = await devToken(CUSTOMER);
  await admin.fill('#token', userToken);
  await admin.click('#token-form button[type=submit]');
  await admin.waitForFunction(() => /Token refused \(403\)/.test(document.getElementById('error').textContent));
  const refusedText = await admin.textContent('#error');
  check('a user token is refused with the reason shown', /Token refused \(403\)/.test(refusedText)
        && /role "admin" or "service"/.test(refusedText), refusedText);
  check('... and no data is shown', !(await visible(admin, '#view'))
        && (await admin.$$('#configuration tbody tr')).length === 0
        && (await admin.$$('#refused tbody tr')).length === 0);
  check('... the token is forgotten and the sign-in is back', await visible(admin, '#sign-in')
        && await admin.evaluate(() => sessionStorage.getItem('parley.admin.token')) === null);

  // ---- An admin token (the page mints it) is accepted ----------------------------------------------------
  await admin.click('#mint');
  await admin.waitForSelector('#view', { state: 'visible' });
  await admin.waitForFunction(() => document.querySelectorAll('#configuration tbody tr').length > 20);
  check('a development admin token is accepted: the view shows', !(await visible(admin, '#error')));
  const nodeLine = await admin.textContent('#node-line');
  check('the header names the node, its version and uptime', /^node \d+ · version \S+ · Java \S+ · up \d/.test(nodeLine), nodeLine);
  const cluster = await admin.textContent('#cluster');
  check('the cluster table shows the bus and this node', /Bus/.test(cluster) && /this node/.test(cluster)
        && /Connected/.test(cluster), cluster.replace(/\s+/g, ' '));
  const secretRow = await admin.$$eval('#configuration tbody tr', rows => rows.map(r => [...r.cells].map(c => c.textContent))
    .find(([key]) => key === 'jwt_secret'));
  if (KEY) {
    check('jwt_secret shows as *** and the key never reaches the page', secretRow && secretRow[1] === '***'
          && !(await admin.content()).includes(KEY), JSON.stringify(secretRow));
  } else {
    check('jwt_secret is listed hidden or unset (no PARLEY_JWT_SECRET given to compare)', secretRow
          && ['***', '-'].includes(secretRow[1]), JSON.stringify(secretRow));
  }
  check('no token is shown on the page', !JWT.test(await admin.textContent('body'))
        && (await admin.inputValue('#token')) === '');
  await admin.reload();
  await admin.waitForFunction(() => document.querySelectorAll('#configuration tbody tr').length > 20);
  check('after a reload the tab keeps its token (session storage): no sign-in again', !(await visible(admin, '#sign-in')));

  const before = {
    connections: await number(admin, '#tile-connections'),
    committed: await total(admin, 'committed'),
    deliveries: await total(admin, 'deliveries'),
    in: await total(admin, 'in'),
  };
  console.log(`     before: ${JSON.stringify(before)}`);

  // ---- Another page chats: a customer on two sockets and an agent ---------------------------------------
  const traffic = await newPage('traffic', { width: 800, height: 600 });
  await traffic.goto(`${BASE}/health`);
  await traffic.evaluate(installTraffic);
  const customerToken = await devToken(CUSTOMER);
  const agentToken = await devToken(AGENT, 'admin');
  const open = (user, token) => traffic.evaluate(([u, t, ms]) => window.__traffic.open(u, t, ms),
    [`${WS_BASE}/ws?sid=${user}`, token, STEP_MS]);
  const customer = await open(CUSTOMER, customerToken);
  await open(CUSTOMER, customerToken);                       // the same person in a second tab
  const agent = await open(AGENT, agentToken);
  check('three sockets opened on the events dialect', true);
  const request = (i, name, args) => traffic.evaluate(([s, n, a, ms]) => window.__traffic.request(s, n, a, ms),
    [i, name, args, STEP_MS]);
  const added = await request(customer, 'Event.AddConversation', { user_id: Number(CUSTOMER), application_id: APP });
  check('the customer opened a conversation', added.ok === true, JSON.stringify(added).slice(0, 200));
  const joined = await request(agent, 'Event.GetMessageList', { session_channel: String(APP), executor_id: Number(AGENT) });
  check('the agent joined it', joined.ok === true, JSON.stringify(joined).slice(0, 200));

  await admin.waitForFunction(n => Number(document.getElementById('tile-connections').textContent) >= n,
    before.connections + 3);
  check('connections went up by the three sockets', true, `${before.connections} -> ${await number(admin, '#tile-connections')}`);
  const dialects = await admin.textContent('#tile-dialects');
  check('... on the events dialect', /events \d+/.test(dialects), dialects);

  // Messages over about three seconds, so that several polls see them.
  const sends = 15;
  for (let i = 0; i < sends; i++) {
    const sent = await request(customer, 'Event.SendMessage',
      { session_channel: String(APP), sender_id: Number(CUSTOMER), content: `admin view check ${i}` });
    if (sent.ok !== true) check(`message ${i} sent`, false, JSON.stringify(sent).slice(0, 200));
    await traffic.waitForTimeout(200);
  }
  check(`${sends} messages sent`, true);
  await admin.waitForFunction(([c, d]) =>
    Number(document.getElementById('tile-committed').dataset.total) >= c
    && Number(document.getElementById('tile-deliveries').dataset.total) >= d,
    [before.committed + sends, before.deliveries + sends]);
  const after = {
    committed: await total(admin, 'committed'),
    deliveries: await total(admin, 'deliveries'),
    in: await total(admin, 'in'),
  };
  check('messages committed, deliveries and frames in moved', after.committed >= before.committed + sends
        && after.deliveries >= before.deliveries + sends && after.in > before.in, JSON.stringify(after));
  const rateSeen = await admin.evaluate(() => new Promise(resolve => {
    // Rates are per poll interval: watch a few polls for one that is not zero.
    const started = Date.now();
    const look = () => {
      if (Number(document.getElementById('tile-deliveries').textContent) > 0
          || Number(document.getElementById('tile-committed').textContent) > 0) return resolve(true);
      if (Date.now() - started > 3000) return resolve(false);
      setTimeout(look, 100);
    };
    look();
  }));
  // The last messages went out within the last second or two: keep sending until a poll sees them.
  if (!rateSeen) {
    for (let i = 0; i < 5; i++) {
      await request(customer, 'Event.SendMessage', { session_channel: String(APP), sender_id: Number(CUSTOMER), content: `more ${i}` });
      await traffic.waitForTimeout(200);
    }
    await admin.waitForFunction(() => Number(document.getElementById('tile-committed').textContent) > 0);
  }
  check('the per-second rates show the traffic', true,
    `committed/s ${await admin.textContent('#tile-committed')}, deliveries/s ${await admin.textContent('#tile-deliveries')}`);
  await admin.waitForFunction(() => / ms$/.test(document.getElementById('tile-p99').textContent), null, { timeout: STEP_MS });
  check('the commit latency shows', true, `p99 ${await admin.textContent('#tile-p99')}, ${await admin.textContent('#tile-mean')}`);
  check('the three charts are drawn', (await admin.$$('.chart canvas')).length === 3);

  // ---- A bad token's handshake is listed as refused -------------------------------------------------------
  const badOutcome = await traffic.evaluate(([u, ms]) => window.__traffic.refused(u, 'not-a-token', ms),
    [`${WS_BASE}/ws?sid=intruder&note=query-not-kept`, STEP_MS]);
  check('a socket with a bad token does not open', badOutcome.opened === false, JSON.stringify(badOutcome));
  await admin.waitForFunction(() => [...document.querySelectorAll('#refused tbody tr')]
    .some(r => r.cells.length === 5 && r.cells[2].textContent === '/ws' && r.cells[4].textContent === '401'));
  const row = await admin.$eval('#refused tbody tr', r => [...r.cells].map(c => c.textContent));
  check('the refused handshake is listed, newest first, with its reason', row[2] === '/ws' && row[4] === '401'
        && row[3].length > 0 && row[1].length > 0, JSON.stringify(row));
  check('... without its query', !(await admin.textContent('#refused')).includes('query-not-kept'));

  // ---- The screenshot, with the charts moving: a little more traffic meanwhile ----------------------------
  for (let i = 0; i < 10; i++) {
    await request(customer, 'Event.SendMessage', { session_channel: String(APP), sender_id: Number(CUSTOMER), content: `screenshot ${i}` });
    await traffic.waitForTimeout(150);
  }
  await admin.waitForTimeout(1200);
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await admin.screenshot({ path: SCREENSHOT, fullPage: true, timeout: STEP_MS });
  check(`screenshot written to ${SCREENSHOT}`, true);

  // ---- Forgetting the token ends the view ----------------------------------------------------------------
  await admin.click('#sign-out');
  await admin.waitForSelector('#sign-in', { state: 'visible' });
  check('"Forget token" hides the view and asks again', !(await visible(admin, '#view'))
        && await admin.evaluate(() => sessionStorage.getItem('parley.admin.token')) === null);
}

await runChecks(main, {
  passes: 'the node view works in a browser',
  totalMs: TOTAL_MS,
  cleanup: () => browser && browser.close(),
});

#!/usr/bin/env node
// Headless-Chromium check: a real browser chats through the Parley gateway in the `events`
// protocol (named events with args, support conversations) using exactly
// new WebSocket("ws://HOST/ws?sid=1", ["access_token", token]), then drives the chat page at /
// in that protocol: reconnect, resume, a send while offline, an image and a token refresh.
//
// Usage:  node browser-chat.mjs [BASE_URL]        (default http://localhost:18080)
// Env:    CHROMIUM=/usr/bin/chromium  STEP_TIMEOUT_MS=10000  TOTAL_TIMEOUT_MS=90000
//         SCREENSHOT=<dir of this script>/page.png
// Needs:  Debian packages chromium (+ chromium-driver), `npm install playwright-core` here,
//         and a gateway with development tokens on (POST /api/v1/dev/tokens).
// Exit:   0 when every check passes, 1 when one fails, 2 on the overall watchdog.

import { chromium } from 'playwright-core';
import { check, runChecks } from './harness.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { png } from './png.mjs';

const BASE = (process.argv[2] || process.env.PARLEY_BASE_URL || 'http://localhost:18080').replace(/\/+$/, '');
const WS_BASE = BASE.replace(/^http/, 'ws');                       // http -> ws, https -> wss
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_MS = Number(process.env.STEP_TIMEOUT_MS || 10000);       // every single wait
const TOTAL_MS = Number(process.env.TOTAL_TIMEOUT_MS || 90000);     // the whole run
// The node's dev_token_ttl (run it with PARLEY_DEV_TOKEN_TTL=30s): the page must refresh within it.
const TOKEN_TTL_MS = Number(process.env.TOKEN_TTL_S || 30) * 1000;
const HERE = dirname(fileURLToPath(import.meta.url));
const SCREENSHOT = process.env.SCREENSHOT || join(HERE, 'page.png');
const APP = 100;                                                    // application id
const CHANNEL = String(APP);                                        // session_channel

let browser = null;

// --- runs inside the page: a tiny events-dialect client kept on window.__parley -----------------
// Installed with page.evaluate; every wait inside it has its own timeout.
function installClient() {
  const c = window.__parley = { ws: null, frames: [], waiters: [], nextId: 1 };
  c.deliver = () => {
    c.waiters = c.waiters.filter(w => {
      const f = c.frames.find(w.match);
      if (f) { clearTimeout(w.timer); w.resolve(f); return false; }
      return true;
    });
  };
  c.wait = (match, ms, what) => new Promise((resolve, reject) => {
    const w = { match, resolve };
    w.timer = setTimeout(() => {
      c.waiters = c.waiters.filter(x => x !== w);
      reject(new Error(`timeout after ${ms} ms waiting for ${what}; frames so far: ${JSON.stringify(c.frames)}`));
    }, ms);
    c.waiters.push(w);
    c.deliver();
  });
  c.token = async (sub, role) => {
    const body = role ? { sub, role } : { sub };
    const res = await fetch('/api/v1/dev/tokens', { method: 'POST', body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`POST /api/v1/dev/tokens -> ${res.status} ${text}`);
    return JSON.parse(text).token;
  };
  // Opens the socket exactly as a browser client would; resolves with what the handshake chose.
  c.open = (url, token, ms) => new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['access_token', token]);
    const timer = setTimeout(() => { try { ws.close(); } catch (_) {} reject(new Error(`no open within ${ms} ms`)); }, ms);
    ws.onopen = () => { clearTimeout(timer); c.ws = ws; resolve({ protocol: ws.protocol, url: ws.url }); };
    ws.onclose = e => { clearTimeout(timer); c.closed = { code: e.code, reason: e.reason }; reject(new Error(`closed before open: ${e.code} ${e.reason}`)); };
    ws.onmessage = e => {
      let f; try { f = JSON.parse(e.data); } catch (_) { f = { unparsable: String(e.data) }; }
      c.frames.push(f); c.deliver();
    };
  });
  // Sends {"name","args","id"} and waits for the reply that echoes the id.
  c.request = async (name, args, ms) => {
    const id = 'r' + (c.nextId++);
    c.ws.send(JSON.stringify({ name, args, id }));
    return c.wait(f => f.id === id && f.name === name, ms, `reply to ${name} id ${id}`);
  };
  // A handshake that must NOT open (bad credential): resolves with how it ended.
  c.expectRefused = (url, token, ms) => new Promise(resolve => {
    const ws = new WebSocket(url, ['access_token', token]);
    const timer = setTimeout(() => { try { ws.close(); } catch (_) {} resolve({ opened: false, timeout: true }); }, ms);
    ws.onopen = () => { clearTimeout(timer); ws.close(); resolve({ opened: true, protocol: ws.protocol }); };
    ws.onclose = e => { clearTimeout(timer); resolve({ opened: false, code: e.code }); };
  });
  return true;
}

async function newPage(label) {
  // One browser, several isolated contexts: each page has its own cookies/storage.
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  page.on('pageerror', e => console.log(`[${label}] page error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error') console.log(`[${label}] console error: ${m.text()}`); });
  return page;
}

// Page on the gateway's origin (so fetch('/api/...') is same-origin), with the client installed.
async function clientPage(label) {
  const page = await newPage(label);
  const resp = await page.goto(`${BASE}/health`, { timeout: STEP_MS });
  check(`${label}: GET /health in the browser`, resp && resp.ok(), resp ? `HTTP ${resp.status()}` : 'no response');
  await page.evaluate(installClient);
  return page;
}

async function connect(page, label, sub, role) {
  const token = await page.evaluate(([s, r]) => window.__parley.token(s, r), [sub, role]);
  check(`${label}: minted a dev token for sub ${sub}${role ? ' role ' + role : ''} with fetch`, typeof token === 'string' && token.split('.').length === 3);
  const url = `${WS_BASE}/ws?sid=${encodeURIComponent(sub)}`;
  const opened = await page.evaluate(([u, t, ms]) => window.__parley.open(u, t, ms), [url, token, STEP_MS]);
  check(`${label}: new WebSocket("${url}", ["access_token", token]) opened`, true);
  check(`${label}: ws.protocol === "access_token"`, opened.protocol === 'access_token', `got ${JSON.stringify(opened.protocol)}`);
  return token;
}

function request(page, name, args) {
  return page.evaluate(([n, a, ms]) => window.__parley.request(n, a, ms), [name, args, STEP_MS]);
}

// Starts waiting for a server push now (before the frame that causes it is sent); awaited later.
// The no-op catch only keeps Node from calling an early failure "unhandled"; await still throws.
function waitPush(page, name, content) {
  const p = page.evaluate(([n, text, ms]) => window.__parley.wait(
    f => f.name === n && f.args && f.args.message && f.args.message.content === text
      || f.name === n && f.result && f.result.message && f.result.message.content === text
      || f.name === n && f.message && f.message.content === text,
    ms, `${n} with content ${JSON.stringify(text)}`), [name, content, STEP_MS]);
  p.catch(() => {});
  return p;
}

// Starts waiting for a pushed message that carries an attachment.
function waitImagePush(page) {
  const p = page.evaluate(ms => window.__parley.wait(
    f => f.name === 'Event.ReceiveMessage' && f.result && f.result.message && f.result.message.attachment,
    ms, 'an Event.ReceiveMessage carrying an attachment'), STEP_MS);
  p.catch(() => {});
  return p;
}

function pushMessage(f) {
  return (f.args && f.args.message) || (f.result && f.result.message) || f.message || null;
}

async function main() {
  console.log(`Parley browser check against ${BASE} with ${CHROMIUM}`);
  // No --user-data-dir here: Playwright refuses it in launch(), and itself passes Chromium a new,
  // empty one (a playwright_chromiumdev_profile-* temp dir, removed on close) at every launch.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: STEP_MS * 3,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  console.log(`Chromium ${browser.version()}`);

  // ---- Page A: customer "1" -------------------------------------------------------------------
  const a = await clientPage('A(customer 1)');
  const refused = await a.evaluate(([u, ms]) => window.__parley.expectRefused(u, 'not-a-jwt', ms),
                                   [`${WS_BASE}/ws?sid=1`, STEP_MS]);
  check('A: a WebSocket with a bad token is refused (never opens)', !refused.opened, JSON.stringify(refused));
  await connect(a, 'A', '1');
  const add = await request(a, 'Event.AddConversation', { user_id: '1', application_id: APP });
  check('A: Event.AddConversation {user_id:"1", application_id:100} -> ok', add.ok === true, JSON.stringify(add));

  // ---- Page B: staff "2" (role admin) ---------------------------------------------------------
  const b = await clientPage('B(staff 2)');
  await connect(b, 'B', '2', 'admin');
  const list = await request(b, 'Event.GetMessageList', { session_channel: CHANNEL, executor_id: '2' });
  check('B: Event.GetMessageList {session_channel:"100"} -> ok (staff joins)',
        list.ok === true && list.result && Array.isArray(list.result.Messages), JSON.stringify(list).slice(0, 300));

  const staffText = 'hello from staff';
  const gotA = waitPush(a, 'Event.ReceiveMessage', staffText);   // start listening before sending
  const sentB = await request(b, 'Event.SendMessage', { session_channel: CHANNEL, sender_id: '2', content: staffText });
  check('B: Event.SendMessage "hello from staff" -> ok', sentB.ok === true, JSON.stringify(sentB));
  const pushA = await gotA;
  const mA = pushMessage(pushA);
  check('A: received Event.ReceiveMessage "hello from staff" from sender 2',
        mA && mA.content === staffText && String(mA.sender_id) === '2' && mA.session_channel === CHANNEL, JSON.stringify(pushA));

  const replyText = 'hello from customer';
  const gotB = waitPush(b, 'Event.ReceiveMessage', replyText);
  const sentA = await request(a, 'Event.SendMessage', { session_channel: CHANNEL, sender_id: '1', content: replyText });
  check('A: Event.SendMessage "hello from customer" -> ok', sentA.ok === true, JSON.stringify(sentA));
  const pushB = await gotB;
  const mB = pushMessage(pushB);
  check('B: received Event.ReceiveMessage "hello from customer" from sender 1',
        mB && mB.content === replyText && String(mB.sender_id) === '1' && mB.session_channel === CHANNEL, JSON.stringify(pushB));

  // ---- Page C: the gateway's own chat page at /, in the events protocol -------------------------
  const c = await newPage('C(served page)');
  const resp = await c.goto(`${BASE}/`, { timeout: STEP_MS });
  check('C: GET / serves the chat page', resp && resp.ok() && (await c.title()).includes('Parley'), resp ? `HTTP ${resp.status()}` : 'no response');
  await c.fill('#user', '1');
  await c.selectOption('#role', '');
  await c.selectOption('#protocol', 'events');
  await c.click('#connect');
  const CONNECTED = /^connected as 1 via events \(subprotocol access_token\)$/;
  await c.waitForFunction(re => new RegExp(re).test(document.getElementById('state').textContent),
                          CONNECTED.source, { timeout: STEP_MS }).catch(async e => {
    check('C: state shows "connected as 1 via events (subprotocol access_token)"', false, `state is ${JSON.stringify(await c.textContent('#state'))}; ${e.message.split('\n')[0]}`);
  });
  check('C: state shows "connected as 1 via events (subprotocol access_token)"', true, JSON.stringify(await c.textContent('#state')));

  // The page logs each server frame as a line "< {json}" with class "in".
  const waitLogReply = (name, what, timeout = STEP_MS) => c.waitForFunction(n => [...document.querySelectorAll('#log .in')].some(d => {
    try { const f = JSON.parse(d.textContent.replace(/^< /, '')); return f.name === n && 'ok' in f; } catch (_) { return false; }
  }), name, { timeout }).then(() => c.evaluate(n => [...document.querySelectorAll('#log .in')]
    .map(d => { try { return JSON.parse(d.textContent.replace(/^< /, '')); } catch (_) { return null; } })
    .find(f => f && f.name === n && 'ok' in f), name)).catch(async e => {
      check(`C: log shows a reply to ${what}`, false, `log: ${await c.textContent('#log')}; ${e.message.split('\n')[0]}`);
    });

  // The support chat of application 100 (created over REST: the same one A opened), which the
  // page then opens: it asks for the newest messages in the protocol's own frame.
  await c.selectOption('#new-kind', 'support');
  await c.fill('#new-app', CHANNEL);
  await c.click('#new-create');
  const openReply = await waitLogReply('Event.GetMessageList', 'opening the support chat');
  check('C: "New support chat" for application 100 -> opened, its history asked (Event.GetMessageList -> ok)',
        openReply && openReply.ok === true && await c.textContent('#chats .selected') !== null, JSON.stringify(openReply));
  const pageText = 'hello from the served page';
  await c.fill('#text', pageText);

  const gotB2 = waitPush(b, 'Event.ReceiveMessage', pageText);   // staff page B should see it too
  const gotA2 = waitPush(a, 'Event.ReceiveMessage', pageText);   // and page A: user 1's other connection
  await c.click('#send');
  const sendReply = await waitLogReply('Event.SendMessage', 'Send');
  check('C: "Send" -> log shows ok Event.SendMessage reply', sendReply && sendReply.ok === true, JSON.stringify(sendReply));
  const pushB2 = await gotB2;
  check('B: received the served page\'s message as Event.ReceiveMessage', pushMessage(pushB2)?.content === pageText, JSON.stringify(pushB2));
  const pushA2 = await gotA2;
  check('A: received it too (echo to user 1\'s other connection)', pushMessage(pushA2)?.content === pageText, JSON.stringify(pushA2));

  // ---- Page C loses its connection: it reconnects by itself, resumes, and shows each message once --
  const shownCount = text => c.evaluate(t => [...document.querySelectorAll('#messages li[data-id]')]
    .filter(li => li.dataset.content === t).length, text);
  check('C: the message list shows the page\'s own message once', (await shownCount(pageText)) === 1,
        `${await shownCount(pageText)} times`);
  await c.click('#drop');
  await c.waitForFunction(() => /^reconnecting in /.test(document.getElementById('state').textContent),
                          null, { timeout: STEP_MS }).catch(() => {});
  const dropped = await c.textContent('#state');
  check('C: "Drop the connection" -> state shows reconnecting with a delay', /^reconnecting in /.test(dropped), dropped);
  // Sent while disconnected: kept with its client_message_id and sent once connected again.
  const offlineText = 'sent while offline';
  const gotB3 = waitPush(b, 'Event.ReceiveMessage', offlineText);
  await c.fill('#text', offlineText);
  await c.click('#send');
  const away = ['while you were away 1', 'while you were away 2'];
  for (const text of away) {
    const sent = await request(b, 'Event.SendMessage', { session_channel: CHANNEL, sender_id: '2', content: text });
    check(`B: Event.SendMessage "${text}" while C is away -> ok`, sent.ok === true, JSON.stringify(sent));
  }
  await c.waitForFunction(texts => texts.every(t => [...document.querySelectorAll('#messages li[data-id]')]
    .some(li => li.dataset.content === t)), [...away, offlineText], { timeout: STEP_MS * 2 }).catch(() => {});
  const state = await c.textContent('#state');
  check('C: reconnected by itself', CONNECTED.test(state), state);
  for (const text of [pageText, ...away, offlineText]) {
    const n = await shownCount(text);
    check(`C: shows "${text}" exactly once after the resume`, n === 1, `${n} times`);
  }
  const pushB3 = await gotB3;
  check('B: received the message C sent while offline', pushMessage(pushB3)?.content === offlineText, JSON.stringify(pushB3));
  const history = await request(b, 'Event.GetMessageList', { session_channel: CHANNEL, executor_id: '2', limit: 200 });
  const stored = history.result.Messages.filter(m => m.content === offlineText).length;
  check('B: history holds the offline message once', stored === 1, `${stored} times`);

  // ---- Page C sends an image: uploaded, sent by its attachment_id, shown by the page, downloadable by B
  const image = png(40, 30);
  const gotImage = waitImagePush(b);
  await c.setInputFiles('#file', { name: 'cat.png', mimeType: 'image/png', buffer: image });
  await c.click('#send');
  const pushImage = await gotImage.catch(e => ({ error: e.message }));
  const imageMessage = pushMessage(pushImage);
  const attachment = imageMessage?.attachment;
  check('B: received the page\'s image as a message carrying it (no caption, its url, image/png 40x30)',
        attachment && imageMessage.content === '' && attachment.url === `/api/v1/attachments/${attachment.id}` && attachment.media_type === 'image/png'
          && attachment.width === 40 && attachment.height === 30 && attachment.name === 'cat.png', JSON.stringify(pushImage));
  if (attachment) {
    const downloaded = await b.evaluate(async url => {
      const token = await window.__parley.token('2', 'admin');
      const res = await fetch(url, { headers: { Authorization: 'Bearer ' + token } });
      return { status: res.status, type: res.headers.get('content-type'), size: (await res.arrayBuffer()).byteLength };
    }, attachment.url);
    check('B: downloads the image with its token (200, image/png, the same size)',
          downloaded.status === 200 && downloaded.type === 'image/png' && downloaded.size === image.length, JSON.stringify(downloaded));
    const shownImage = await c.waitForFunction(id => {
      const img = document.querySelector(`#messages img[data-attachment="${id}"]`);
      return img && img.complete && img.naturalWidth > 0 ? { width: img.naturalWidth, height: img.naturalHeight } : null;
    }, attachment.id, { timeout: STEP_MS }).then(h => h.jsonValue()).catch(e => ({ error: e.message.split('\n')[0] }));
    check('C: shows the image it sent (loaded, 40x30 pixels)', shownImage.width === 40 && shownImage.height === 30,
          JSON.stringify(shownImage));
  }

  // ---- Page C's token nears its end: the page sends a fresh one on the open socket ---------------
  const refreshReply = await waitLogReply('Event.RefreshToken', 'the token refresh', TOKEN_TTL_MS + STEP_MS);
  check('C: refreshed its token on the open socket before it expired (Event.RefreshToken -> ok)',
        refreshReply && refreshReply.ok === true && typeof refreshReply.result?.expires_at === 'string', JSON.stringify(refreshReply));
  const afterRefresh = await c.textContent('#state');
  check('C: still connected, no reconnect', CONNECTED.test(afterRefresh), afterRefresh);
  check('C: the page log never shows a token', !/eyJ[\w-]+\.[\w-]+\./.test(await c.textContent('#log')));

  await c.screenshot({ path: SCREENSHOT, fullPage: true, timeout: STEP_MS });
  check(`C: screenshot written to ${SCREENSHOT}`, true);
}

await runChecks(main, {
  passes: 'browser chat through the Parley gateway works',
  totalMs: TOTAL_MS,
  cleanup: () => browser && browser.close(),
});

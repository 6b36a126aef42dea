#!/usr/bin/env node
// Headless-Chromium check of the node's pages: the chat page at / and the protocol explorer at
// /explorer, each clicked through as a person would.
//
//  1. Chat page, two people on different protocols in one chat, each seeing the other's messages:
//     events (named events with args) and typed ({"type", "content"} frames), with read marks and
//     presence; pair (the token inside every frame, one chat per socket) and feed (a sequenced
//     feed, one chat per socket), with an image; then the events side switches to actions (typed
//     actions with request ids) and sees the other typing. In typed, actions, pair and feed a page
//     loses its socket and must reconnect, resume in its protocol's way and send what was written
//     meanwhile once (browser-chat.mjs does events). Screenshots of a desktop and a phone.
//  2. Explorer: in every protocol, every client frame's documented examples sent over a live
//     socket, each with what came back, and a wrong frame answered with the protocol's error.
//
// Usage:  node console-chat.mjs [BASE_URL]        (default http://localhost:18080)
// Env:    CHROMIUM=/usr/bin/chromium  STEP_TIMEOUT_MS=10000  TOTAL_TIMEOUT_MS=240000
//         SHOTS=<repo>/docs/console (chat.png, chat-phone.png, explorer.png)
// Needs:  Debian's chromium, `npm ci` here, and a node with development tokens on.
// Exit:   0 when every check passes, 1 when one fails, 2 on the overall watchdog.

import { chromium } from 'playwright-core';
import { check, runChecks } from './harness.mjs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { png } from './png.mjs';

const BASE = (process.argv[2] || process.env.PARLEY_BASE_URL || 'http://localhost:18080').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_MS = Number(process.env.STEP_TIMEOUT_MS || 10000);
const TOTAL_MS = Number(process.env.TOTAL_TIMEOUT_MS || 240000);
const HERE = dirname(fileURLToPath(import.meta.url));
const SHOTS = process.env.SHOTS || join(HERE, '..', '..', 'docs', 'console');
// Fresh user ids per run, so one node serves many runs (no "_": typed's direct chats use it).
const RUN = Date.now().toString(36);
const ANA = 'ana' + RUN, BEN = 'ben' + RUN, CAT = 'cat' + RUN, DAN = 'dan' + RUN;
const EVE = 'eve' + RUN; // a member who never signs in: only the node's member list names her

let browser = null;

/** Waits for fn(arg) in the page; on timeout, a failed check that says what the page shows. */
async function until(page, what, fn, arg, ms = STEP_MS) {
  try {
    await page.waitForFunction(fn, arg, { timeout: ms });
  } catch (e) {
    const state = await page.textContent('#state').catch(() => '?');
    const error = await page.textContent('#error-text').catch(() => '');
    check(what, false, `state ${JSON.stringify(state)}, error ${JSON.stringify(error)}; ${e.message.split('\n')[0]}`);
  }
}

async function newPage(label, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  page.on('pageerror', e => console.log(`[${label}] page error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error') console.log(`[${label}] console error: ${m.text()}`); });
  return page;
}

// ---- the chat page, driven through its controls -------------------------------------------------

async function signIn(label, user, protocol, viewport) {
  const page = await newPage(label, viewport);
  const resp = await page.goto(`${BASE}/`);
  await page.fill('#user', user);
  await page.selectOption('#protocol', protocol);
  await page.click('#connect');
  // pair and feed open their socket once a chat is open; the others at once.
  const expected = ['pair', 'feed'].includes(protocol) ? `pick a chat: ${protocol}` : `connected as ${user} via ${protocol}`;
  await until(page, `${label}: signed in as ${user} in ${protocol}`,
              e => document.getElementById('state').textContent.startsWith(e), expected);
  check(`${label}: GET / and sign in as ${user} in ${protocol} -> ${expected}`, resp.ok(), await page.textContent('#state'));
  return page;
}

async function connectedVia(page, label, user, protocol) {
  const prefix = `connected as ${user} via ${protocol}`;
  await until(page, `${label}: ${prefix}`, p => document.getElementById('state').textContent.startsWith(p), prefix);
  return page.textContent('#state');
}

/** Starts a group chat through the page's form; returns its id (the page opens it). */
async function startGroup(page, label, members, title) {
  await page.selectOption('#new-kind', 'group');
  await page.fill('#new-members', members.join(', '));
  await page.fill('#new-title', title);
  await page.click('#new-create');
  await until(page, `${label}: "${title}" created and open`,
              t => document.querySelector('#chats .selected .title')?.textContent === t, title);
  return page.getAttribute('#chats .selected', 'data-chat-id');
}

async function openChat(page, label, chatId) {
  const button = `#chats button[data-chat-id="${chatId}"]`;
  await until(page, `${label}: the chat is in the list`, b => document.querySelector(b) !== null, button);
  await page.click(button);
}

async function say(page, text) {
  await page.fill('#text', text);
  await page.click('#send');
}

// A message the node stored, as the page shows it (not one of its own still waiting to be sent).
// feed gives no ids to the earlier messages of a resumed update, so an id is not required.
const STORED = '#messages li.msg:not(.pending)';

/** Waits until the page shows a stored message with this text from this sender. */
async function shows(page, label, text, sender) {
  const what = `${label}: shows "${text}" from ${sender}`;
  await until(page, what, ([sel, t, s]) => [...document.querySelectorAll(sel)]
    .some(li => li.dataset.content === t && li.dataset.sender === s), [STORED, text, sender]);
  check(what, true);
}

const shownTimes = (page, text) => page.evaluate(([sel, t]) => [...document.querySelectorAll(sel)]
  .filter(li => li.dataset.content === t).length, [STORED, text]);

/**
 * The page loses its socket: it must reconnect by itself and resume in its protocol's way, show
 * what the other side sent meanwhile once, and send what it wrote while away once.
 */
async function dropAndResume(page, label, user, protocol, other, otherLabel, otherUser) {
  await page.click('#drop');
  await until(page, `${label}: reconnecting after the drop`, () => /^reconnecting in /.test(document.getElementById('state').textContent));
  const away = `sent while ${protocol} was away`, offline = `written offline in ${protocol}`;
  await say(page, offline);
  await say(other, away);
  await shows(page, label, away, otherUser);
  await shows(other, otherLabel, offline, user);
  await until(page, `${label}: the resume is done`, () => document.getElementById('resume').textContent.startsWith('resumed:'));
  const times = [await shownTimes(page, away), await shownTimes(page, offline)];
  const state = await page.textContent('#state');
  check(`${label}: reconnected by itself, resumed, and shows each message once`,
        state.startsWith(`connected as ${user} via ${protocol}`) && times[0] === 1 && times[1] === 1,
        `${state}; ${await page.textContent('#resume')}; shown ${times.join(' and ')} times`);
}

/** The read mark of my message with this text ("✓✓ read" once another member read it). */
async function readMark(page, label, text) {
  const what = `${label}: "${text}" shows the read mark`;
  await until(page, what, t => [...document.querySelectorAll('#messages li.mine[data-id]')]
    .some(li => li.dataset.content === t && li.querySelector('.mark.read')), text);
  check(what, true, await page.evaluate(t => [...document.querySelectorAll('#messages li.mine[data-id]')]
    .find(li => li.dataset.content === t).querySelector('.mark').title, text));
}

/** ms: how long the page may take; a protocol without presence pushes learns at its next REST poll. */
async function presenceDot(page, label, user, ms = STEP_MS) {
  const what = `${label}: ${user}'s presence dot shows online`;
  await until(page, what, u => document.querySelector(`#people .dot[data-user="${u}"]`)?.classList.contains('online'), user, ms);
  check(what, true);
}

async function chatPages() {
  // events and typed, in one group chat
  const a = await signIn('A', ANA, 'events');
  const picnic = await startGroup(a, 'A', [BEN, EVE], 'Picnic');
  const b = await signIn('B', BEN, 'typed');
  await openChat(b, 'B', picnic);
  await until(b, `B (typed): ${EVE}, a member who never wrote, is among the people`,
              u => document.querySelector(`#people .dot[data-user="${u}"]`) !== null, EVE);
  check(`B (typed): the people of the chat come from GET /members (${EVE} shows)`, true);
  await say(a, 'hi from events');
  await shows(b, 'B (typed)', 'hi from events', ANA);
  await say(b, 'hi from typed');
  await shows(a, 'A (events)', 'hi from typed', BEN);
  await shows(a, 'A (events)', 'hi from events', ANA);
  await readMark(b, 'B (typed)', 'hi from typed');        // A read it: Event.ReadMessage -> typed message_read
  await presenceDot(b, 'B (typed)', ANA);                  // typed's presence frame and pushes
  await presenceDot(a, 'A (events)', BEN, 15000 + STEP_MS); // REST presence, asked every 15 s

  // pair and feed, one chat per socket, and an image
  const c = await signIn('C', CAT, 'pair');
  const booking = await startGroup(c, 'C', [DAN], 'Booking');
  check('C: opening the chat opened its pair socket', (await connectedVia(c, 'C', CAT, 'pair')).startsWith(`connected as ${CAT} via pair`));
  const d = await signIn('D', DAN, 'feed');
  await openChat(d, 'D', booking);
  const dState = await connectedVia(d, 'D', DAN, 'feed');
  check('D: opening the chat opened its feed socket', dState === `connected as ${DAN} via feed (subprotocol access_token)`, dState);
  await say(c, 'hi from pair');
  await shows(d, 'D (feed)', 'hi from pair', CAT);
  await say(d, 'hi from feed');
  await shows(c, 'C (pair)', 'hi from feed', DAN);
  await c.setInputFiles('#file', { name: 'dog.png', mimeType: 'image/png', buffer: png(48, 32) });
  await say(c, 'our dog');
  await shows(d, 'D (feed)', 'our dog', CAT);
  const what = 'D (feed): shows the image C sent in pair (loaded, 48x32 pixels)';
  await until(d, what, () => [...document.querySelectorAll('#messages li[data-id] img')]
    .some(img => img.complete && img.naturalWidth === 48 && img.naturalHeight === 32));
  check(what, true);
  await dropAndResume(d, 'D (feed)', DAN, 'feed', c, 'C (pair)', CAT);  // reconnects with ?after_event_id=
  await dropAndResume(c, 'C (pair)', CAT, 'pair', d, 'D (feed)', DAN);  // a hello with lastMessageId

  // A switches to actions on the same page: same chat, new socket; B's typing shows there
  await a.selectOption('#protocol', 'actions');
  const aState = await connectedVia(a, 'A', ANA, 'actions');
  check('A: switched to actions, reconnected', aState === `connected as ${ANA} via actions (subprotocol access_token)`, aState);
  await b.fill('#text', 'wait, I am writing');
  await b.type('#text', '…');
  const typing = 'A (actions): shows that B is typing (typed user_typing -> actions push)';
  await until(a, typing, who => document.getElementById('typing').textContent.startsWith(who + ' is typing'), BEN);
  check(typing, true, await a.textContent('#typing'));
  await say(a, 'hi from actions');
  await shows(b, 'B (typed)', 'hi from actions', ANA);
  await readMark(a, 'A (actions)', 'hi from actions');    // B read it: typed message_read -> actions push
  await say(b, 'see you there');
  await shows(a, 'A (actions)', 'see you there', BEN);
  await dropAndResume(a, 'A (actions)', ANA, 'actions', b, 'B (typed)', BEN); // get_messages with after
  await dropAndResume(b, 'B (typed)', BEN, 'typed', a, 'A (actions)', ANA);     // sync with after

  // actions reaches UUID chats only, and says so for a direct chat
  await a.selectOption('#new-kind', 'direct');
  await a.fill('#new-members', BEN);
  await a.click('#new-create');
  await until(a, 'A (actions): a direct chat is marked as out of reach', () => !document.getElementById('chat-note').hidden);
  check('A (actions): a direct chat says actions cannot write there, and Send is off',
        await a.isDisabled('#send'), await a.textContent('#chat-note'));
  await a.click(`#chats button[data-chat-id="${picnic}"]`);

  mkdirSync(SHOTS, { recursive: true });
  await b.screenshot({ path: join(SHOTS, 'chat.png') });
  check(`screenshot ${join(SHOTS, 'chat.png')}`, true);

  // a phone: one pane at a time
  const phone = await signIn('P(phone)', BEN, 'typed', { width: 390, height: 780 });
  const listOnly = await phone.evaluate(() => getComputedStyle(document.querySelector('.chat-pane')).display === 'none');
  await openChat(phone, 'P(phone)', picnic);
  await shows(phone, 'P(phone)', 'see you there', BEN);
  const chatOnly = await phone.evaluate(() => getComputedStyle(document.querySelector('.list-pane')).display === 'none');
  check('P(phone): at 390 px the chat list and the chat show one at a time', listOnly && chatOnly, `list only: ${listOnly}, chat only: ${chatOnly}`);
  await phone.screenshot({ path: join(SHOTS, 'chat-phone.png') });
  check(`screenshot ${join(SHOTS, 'chat-phone.png')}`, true);
  for (const page of [a, b, c, d, phone]) await page.context().close();
}

// ---- the explorer -------------------------------------------------------------------------------

// typed answers these only when they fail (documented in the typed channel of /asyncapi.yaml).
const SILENT = { typed: ['messageRead', 'userTyping', 'setOnline', 'setOffline'] };
// The frame that posts a message: it must succeed from its first example as filled in.
const SEND = { events: 'sendMessage', typed: 'newMessage', actions: 'sendMessage', pair: 'chatMessage', feed: 'clientUpdate' };
// A frame each protocol refuses, and what its error looks like.
const WRONG = {
  events: '{"name": "Event.Shout", "args": {}}',
  typed: '{"type": "shout", "content": {}}',
  actions: '{"type": "subscribe", "request_id": "w1"}',
  pair: '{"sessionId": "<jwt>", "message": "hi", "timestamp": "yesterday"}',
  feed: '{"type": "update", "message": []}',
};

async function explorer() {
  const page = await newPage('X(explorer)', { width: 1300, height: 900 });
  const resp = await page.goto(`${BASE}/explorer`);
  await until(page, 'X: the explorer read /asyncapi.json', () => document.querySelectorAll('#cards .card').length > 0);
  check('X: GET /explorer shows the frames of /asyncapi.json', resp.ok(), `${await page.locator('#cards .card').count()} events frames`);
  for (const protocol of ['events', 'typed', 'actions', 'pair', 'feed']) {
    await page.click(`#tabs button[data-protocol="${protocol}"]`);
    await page.fill('#user', `x${protocol}${RUN}`);
    await page.click('#create');
    await until(page, `X ${protocol}: "Create my first chat"`, () => document.getElementById('chat-id').value !== '');
    await page.click('#copy');
    await page.click('#connect');
    await until(page, `X ${protocol}: connected`, () => document.getElementById('state').dataset.open === 'true');
    const keys = await page.$$eval('#cards .card', cards => cards.map(c => c.dataset.key));
    for (const key of keys) {
      const card = `#cards .card[data-key="${key}"]`;
      const examples = await page.$$eval(`${card} .example option`, options => options.map(o => o.textContent.split(':')[0]));
      const outcomes = [];
      for (let i = 0; i < examples.length; i++) {
        await page.selectOption(`${card} .example`, String(i));
        await page.click(`${card} .send`);
        await until(page, `X ${protocol} ${key}: example ${examples[i]} answered`,
                    c => !['waiting', 'idle'].includes(document.querySelector(c).dataset.state), card);
        outcomes.push(`${examples[i]}: ${await page.getAttribute(card, 'data-state')}`);
      }
      const states = outcomes.map(o => o.split(': ')[1]);
      if (SILENT[protocol]?.includes(key)) {
        check(`X ${protocol}: ${key} sent, no error (documented: answered only when it fails)`,
              states.every(s => s === 'silent'), outcomes.join(', '));
      } else {
        check(`X ${protocol}: ${key}, every example shows what came back`,
              states.every(s => s === 'replied' || s === 'error') && (key !== SEND[protocol] || states[0] === 'replied'),
              outcomes.join(', '));
      }
    }
    const first = `#cards .card[data-key="${keys[0]}"]`;
    await page.fill(`${first} textarea`, WRONG[protocol]);
    await page.click(`${first} .send`);
    await until(page, `X ${protocol}: a wrong frame is answered`, c => document.querySelector(c).dataset.state !== 'waiting', first);
    const shown = await page.$$eval(`${first} .replies .frame.error`, pres => pres.map(p => JSON.parse(p.textContent)));
    const codes = shown.map(f => f.error?.code ?? f.content?.code ?? f.code);
    check(`X ${protocol}: the wrong frame ${WRONG[protocol]} shows the protocol's error 400`,
          await page.getAttribute(first, 'data-state') === 'error' && codes.includes(400), JSON.stringify(shown).slice(0, 300));
    if (protocol === 'events') {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(SHOTS, 'explorer.png') });
      check(`screenshot ${join(SHOTS, 'explorer.png')}`, true);
    }
  }
  const log = await page.textContent('#log');
  check('X: the log never shows a token', !/eyJ[\w-]+\.[\w-]+\./.test(log));
}

async function main() {
  console.log(`Parley console check against ${BASE} with ${CHROMIUM}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, timeout: STEP_MS * 3,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  console.log(`Chromium ${browser.version()}`);
  await chatPages();
  await explorer();
}

await runChecks(main, {
  passes: 'the chat page and the explorer work',
  totalMs: TOTAL_MS,
  cleanup: () => browser && browser.close(),
});

#!/usr/bin/env node
// Headless-Chromium check of the API docs pages a node serves: /docs (Swagger UI over
// /openapi.yaml, with the development-token helper) and /docs/asyncapi (the AsyncAPI document
// rendered). It mints a token through the page's helper, creates a chat, runs "Try it out" +
// "Execute" on GET /api/v1/chats and reads the 200 and the chat in Swagger UI's response; it
// checks every operation and every protocol's messages and examples are shown, that nothing is
// fetched from another host, and that no page logs an error. Screenshots: docs/console/.
//
// Usage:  node docs.mjs [BASE_URL] [BASE_URL_WITHOUT_DEV_TOKENS]
//         (default http://localhost:18181; the second, a node run with PARLEY_DEV_TOKENS=false,
//         checks that the helper says clearly that development tokens are off)
// Env:    CHROMIUM=/usr/bin/chromium  STEP_TIMEOUT_MS=15000  TOTAL_TIMEOUT_MS=120000
//         SCREENSHOTS=<repository>/docs/console
// Exit:   0 when every check passes, 1 when one fails, 2 on the overall watchdog.

import { chromium } from 'playwright-core';
import { check, runChecks } from './harness.mjs';
import { isDeepStrictEqual } from 'node:util';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE = (process.argv[2] || process.env.PARLEY_BASE_URL || 'http://localhost:18181').replace(/\/+$/, '');
const BASE_NO_DEV = (process.argv[3] || process.env.PARLEY_NO_DEV_TOKENS_URL || '').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_MS = Number(process.env.STEP_TIMEOUT_MS || 15000);
const TOTAL_MS = Number(process.env.TOTAL_TIMEOUT_MS || 120000);
const HERE = dirname(fileURLToPath(import.meta.url));
const SCREENSHOTS = process.env.SCREENSHOTS || join(HERE, '..', '..', 'docs', 'console');

let browser = null;

/**
 * A page in a fresh context that records its console errors, page errors and every URL it
 * requests (to prove that nothing comes from another host).
 */
async function newPage(label) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  page.errors = [];
  page.requests = [];
  page.on('pageerror', e => page.errors.push(`page error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error') page.errors.push(`console error: ${m.text()}`); });
  page.on('request', r => page.requests.push(r.url()));
  page.label = label;
  return page;
}

function checkClean(page, origin, allowedErrors = []) {
  const outside = page.requests.filter(url => !url.startsWith(origin + '/') && !/^(data|blob):/.test(url));
  check(`${page.label}: every request went to the node itself (${page.requests.length} requests)`, outside.length === 0, outside.join(', '));
  const errors = page.errors.filter(e => !allowedErrors.some(allowed => allowed.test(e)));
  check(`${page.label}: no console or page errors`, errors.length === 0, errors.join(' | '));
}

async function swaggerPage(documentPaths) {
  const page = await newPage('/docs');
  const response = await page.goto(`${BASE}/docs`);
  check('/docs: served by the node (200, text/html, no redirect)',
        response.status() === 200 && response.url() === `${BASE}/docs` && response.headers()['content-type'].startsWith('text/html'),
        response.url() === `${BASE}/docs` ? '' : `ended at ${response.url()}`);
  await page.waitForSelector('.opblock .opblock-summary-path');
  const listed = await page.$$eval('.opblock', blocks => blocks.map(block =>
      `${block.querySelector('.opblock-summary-method').textContent.toLowerCase()} ${block.querySelector('.opblock-summary-path').dataset.path}`));
  const missing = documentPaths.filter(op => !listed.includes(op));
  check(`/docs: Swagger UI lists every operation of openapi.yaml (${documentPaths.length})`,
        missing.length === 0 && listed.length === documentPaths.length, missing.length ? `missing ${missing.join(', ')}` : '');
  const server = await page.$eval('#servers', select => select.value);
  check('/docs: "Try it out" calls this node (its first server)', server === BASE, server === BASE ? '' : server);
  const lockedBefore = await page.$eval('.auth-wrapper .authorize', b => b.classList.contains('locked'));
  check('/docs: not authorized before a token', !lockedBefore);

  // The helper: a fresh user, so that the one chat created below is the whole answer.
  const sub = `docs-check-${Date.now()}`;
  await page.fill('#token-sub', sub);
  await page.selectOption('#token-role', '');
  await page.click('#token-mint');
  await page.waitForSelector('#token-status.ok');
  const statusText = await page.textContent('#token-status');
  check('/docs: the helper minted a token and says so', statusText.includes(`Authorized as ${sub}`), statusText);
  const token = await page.inputValue('#token-value');
  check('/docs: the helper shows the token (a JWT)', token.split('.').length === 3);
  const locked = await page.$eval('.auth-wrapper .authorize', b => b.classList.contains('locked'));
  check('/docs: Swagger UI shows itself authorized (the Authorize lock is closed)', locked);

  // A chat of this user, created over REST with the helper's token, for GET /api/v1/chats to list.
  const created = await page.evaluate(async t => {
    const res = await fetch('/api/v1/chats', {
      method: 'POST', headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'group', members: ['docs-check-peer'], title: 'Docs check' }),
    });
    return { status: res.status, body: await res.json() };
  }, token);
  const chatId = created.body?.chat?.id;
  check('/docs: created a chat with that token (201)', created.status === 201 && typeof chatId === 'string',
        chatId ? `chat ${chatId}` : JSON.stringify(created));

  // "Try it out" + "Execute" on GET /api/v1/chats.
  const operation = page.locator('.opblock.opblock-get', { has: page.locator('.opblock-summary-path[data-path="/api/v1/chats"]') });
  await operation.locator('.opblock-summary-control').click();
  await operation.locator('button.try-out__btn').click();
  const sent = page.waitForRequest(r => r.method() === 'GET' && r.url() === `${BASE}/api/v1/chats`);
  await operation.locator('button.execute').click();
  const request = await sent;
  check('/docs: Execute sent GET /api/v1/chats with the helper\'s token', request.headers().authorization === `Bearer ${token}`,
        request.headers().authorization === `Bearer ${token}` ? '' : `Authorization: ${request.headers().authorization ?? 'none'}`);
  const status = operation.locator('.live-responses-table .response .response-col_status');
  await status.waitFor();
  const shownStatus = (await status.textContent()).trim();
  const shownBody = await operation.locator('.live-responses-table .response .response-col_description pre').first().textContent();
  check('/docs: Swagger UI shows the answer 200', shownStatus === '200', shownStatus === '200' ? '' : shownStatus);
  let chats = null;
  try { chats = JSON.parse(shownBody).chats; } catch (_) { /* reported below */ }
  check('/docs: the answer shown lists the chat created, with its title',
        Array.isArray(chats) && chats.length === 1 && chats[0].id === chatId && chats[0].title === 'Docs check',
        Array.isArray(chats) && chats.length === 1 ? '' : shownBody.slice(0, 300));

  // The page from its top down to the response shown: the helper, Authorize, the call, the answer.
  mkdirSync(SCREENSHOTS, { recursive: true });
  const answerBox = await operation.locator('.live-responses-table .response .response-col_description pre').first().boundingBox();
  const top = await page.evaluate(() => window.scrollY);
  await page.screenshot({ path: join(SCREENSHOTS, 'docs.png'), fullPage: true,
                          clip: { x: 0, y: 0, width: 1280, height: Math.ceil(top + answerBox.y + answerBox.height + 24) } });
  check(`/docs: screenshot ${join(SCREENSHOTS, 'docs.png')}`, true);

  // persistAuthorization: a reload keeps the token in Authorize.
  await page.reload();
  await page.waitForSelector('.opblock');
  const stillLocked = await page.waitForFunction(() => document.querySelector('.auth-wrapper .authorize.locked'), null,
      { timeout: STEP_MS }).then(() => true, () => false);
  check('/docs: the authorization survives a reload (persistAuthorization)', stillLocked);

  const toAsyncApi = await page.$eval('a[href="/docs/asyncapi"]', a => a.textContent);
  check('/docs: links to the rendered AsyncAPI document', toAsyncApi.trim().length > 0);
  checkClean(page, BASE);
}

async function devTokensOff() {
  const page = await newPage('/docs without development tokens');
  await page.goto(`${BASE_NO_DEV}/docs`);
  await page.waitForSelector('.opblock');
  await page.click('#token-mint');
  await page.waitForSelector('#token-status.error');
  const text = await page.textContent('#token-status');
  check('/docs without development tokens: the helper says they are off (404)',
        /Development tokens are off on this node/.test(text) && text.includes('404'), text);
  const tokenShown = await page.isVisible('#token-value');
  check('/docs without development tokens: no token shown, not authorized',
        !tokenShown && !(await page.$eval('.auth-wrapper .authorize', b => b.classList.contains('locked'))));
  // The browser itself logs the 404 of the helper's request: that one is expected.
  checkClean(page, BASE_NO_DEV, [/status of 404/]);
}

async function asyncApiPage(doc) {
  const page = await newPage('/docs/asyncapi');
  const response = await page.goto(`${BASE}/docs/asyncapi`);
  check('/docs/asyncapi: served by the node (200, text/html)',
        response.status() === 200 && response.headers()['content-type'].startsWith('text/html'), response.status() === 200 ? '' : String(response.status()));
  await page.waitForSelector('#schemas');

  // The overview's Markdown is rendered, and its text (with "<jwt>" in it) is shown as text.
  const overview = await page.$eval('#overview', o => ({
    headings: [...o.querySelectorAll('h3')].map(h => h.textContent),
    strong: [...o.querySelectorAll('ol > li > strong')].map(s => s.textContent),
    text: o.textContent,
  }));
  check('/docs/asyncapi: the description\'s headings and numbered list are rendered',
        overview.headings.some(h => h.startsWith('Getting started')) && overview.strong.includes('A token.'), `${overview.headings.length} headings`);
  check('/docs/asyncapi: no Markdown left raw in the overview', !/\*\*|^## /m.test(overview.text));
  const eventsText = await page.textContent('#channel-events');
  check('/docs/asyncapi: the document\'s strings are shown as text ("access_token, <jwt>")', eventsText.includes('access_token, <jwt>'));

  // Every channel (one per protocol), with its address, every message and all its examples.
  const tocLinks = await page.$$eval('#toc a', links => links.map(a => a.getAttribute('href')));
  for (const [key, channel] of Object.entries(doc.channels)) {
    const section = page.locator(`#channel-${key}`);
    check(`/docs/asyncapi: channel ${key} shown with its address ${channel.address}, in the contents`,
          (await section.locator('.address').textContent()).includes(channel.address) && tocLinks.includes(`#channel-${key}`));
    const shown = await section.locator('.message').evaluateAll(cards => cards.map(card => ({
      id: card.id, name: card.querySelector('h4 code').textContent, examples: card.querySelectorAll('.example pre').length,
    })));
    const expected = Object.entries(channel.messages).map(([messageKey, ref]) => {
      const message = ref.$ref.slice(2).split('/').reduce((at, part) => at[part], doc);
      return { id: `${key}-message-${messageKey}`, name: message.name, examples: (message.examples ?? []).length };
    });
    check(`/docs/asyncapi: ${key}: all ${expected.length} messages, each with its name and examples`,
          isDeepStrictEqual(shown, expected), isDeepStrictEqual(shown, expected) ? '' : JSON.stringify(shown.filter((s, n) => !isDeepStrictEqual(s, expected[n])).slice(0, 3)));
  }

  // Event.SendMessage: its summary, schema and examples, as the document has them.
  const sendMessage = page.locator('#events-message-sendMessage');
  const examples = await sendMessage.locator('.example pre').allTextContents();
  const documented = doc.components.messages.EventsSendMessage.examples.map(e => e.payload);
  check('/docs/asyncapi: Event.SendMessage shows its examples as pretty JSON, equal to the document\'s',
        examples.length === documented.length && examples.every((text, n) => isDeepStrictEqual(JSON.parse(text), documented[n])),
        `${examples.length} examples`);
  const operationRow = await page.locator('#channel-events .operations tr', { has: page.locator('a[href="#events-message-sendMessage"]') })
      .locator('a').allTextContents();
  check('/docs/asyncapi: the events operations name the request and its replies',
        isDeepStrictEqual(operationRow, ['Event.SendMessage', 'Event.SendMessage (reply)', 'error']), operationRow.join(', '));
  await sendMessage.locator('.schema summary').click();
  const schema = await sendMessage.locator('.schema pre').textContent();
  check('/docs/asyncapi: Event.SendMessage shows its payload schema', JSON.parse(schema).properties?.name?.const === 'Event.SendMessage');
  const schemaLink = await sendMessage.locator('.schema pre a').first().getAttribute('href');
  check('/docs/asyncapi: a $ref in a schema links to the shared schema on the page', schemaLink && (await page.$(schemaLink)) !== null, schemaLink);

  // The page's Markdown renderer on what the document does not use yet, and on hostile input.
  const rendered = await page.evaluate(async () => {
    const { renderMarkdown } = await import('/assets/docs/markdown.js');
    const box = document.createElement('div');
    box.append(renderMarkdown([
      '| code | meaning |', '|---|---|', '| `a\\|b` | **either** |', '',
      '```', '{"type": "ping"}', '```', '',
      '- one', '  - nested *item*', '- two [link](/docs) and [bad](javascript:alert(1))', '',
      'Text with <script>window.__injected = 1</script> and <img src=x onerror="window.__injected = 1">',
    ].join('\n')));
    return {
      cells: [...box.querySelectorAll('td')].map(td => td.textContent),
      code: box.querySelector('pre code')?.textContent,
      nested: box.querySelector('ul > li > ul > li > em')?.textContent,
      links: [...box.querySelectorAll('a')].map(a => a.getAttribute('href')),
      elements: box.querySelectorAll('script, img').length,
      text: box.textContent,
    };
  });
  check('/docs/asyncapi: Markdown tables, fenced code and nested lists render',
        isDeepStrictEqual(rendered.cells, ['a|b', 'either']) && rendered.code === '{"type": "ping"}' && rendered.nested === 'item',
        rendered.code === '{"type": "ping"}' ? '' : JSON.stringify(rendered));
  // The javascript: link shows its label only; the tags show as the text they are.
  const inert = rendered.elements === 0 && isDeepStrictEqual(rendered.links, ['/docs'])
      && rendered.text.includes('two link and badText with <script>') && !(await page.evaluate(() => '__injected' in window));
  check('/docs/asyncapi: Markdown HTML and script links stay text', inert, inert ? '' : JSON.stringify(rendered));

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, 'asyncapi.png') });
  check(`/docs/asyncapi: screenshot ${join(SCREENSHOTS, 'asyncapi.png')}`, true);

  // A phone-sized screen: one column, no sideways scrolling of the page.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('/docs/asyncapi: fits a phone-sized screen (no page-wide horizontal scroll)', overflow <= 0, overflow > 0 ? `${overflow}px too wide` : '');
  checkClean(page, BASE);
}

async function main() {
  console.log(`Parley API docs check against ${BASE}${BASE_NO_DEV ? ` and ${BASE_NO_DEV} (development tokens off)` : ''} with ${CHROMIUM}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: STEP_MS * 3,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  console.log(`Chromium ${browser.version()}`);
  const openapi = await (await fetch(`${BASE}/openapi.json`)).json();
  const operations = Object.entries(openapi.paths).flatMap(([path, methods]) =>
      Object.keys(methods).filter(m => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map(m => `${m} ${path}`));
  const asyncapi = await (await fetch(`${BASE}/asyncapi.json`)).json();

  await swaggerPage(operations);
  if (BASE_NO_DEV) {
    await devTokensOff();
  } else {
    console.log('note  the helper\'s answer to a node without development tokens is not checked (no second URL given)');
  }
  await asyncApiPage(asyncapi);
}

await runChecks(main, {
  passes: 'the API docs pages work',
  totalMs: TOTAL_MS,
  cleanup: () => browser && browser.close(),
});

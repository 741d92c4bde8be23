#!/usr/bin/env node
// End-to-end test of the web client in a real headless Chromium, two people in two browser contexts.
//
//   node chat-client.test.js <baseUrl> <screenshotDir>
//
// Run by BrowserIT, which owns the chat node. Protocol on stdout/stdin, one line each:
//   "ok - <check>" / "not ok - <check>: <why>"   one per check, in order; "# ..." lines are notes
//   "STOP"  -> "STOPPED" (stdin)                 stop the node with SIGTERM; answered once it has exited
//   "START" -> "STARTED" (stdin)                 start a node on the same address and database; answered when ready
// Exit status 0 when every check passed. The first failing check ends the run (later ones depend on it),
// with screenshots of every page as failure-*.png.
'use strict';

const fs = require('fs');
const readline = require('readline');
const { chromium } = require('playwright-core');
const {
  Run, openApp, online, register, send, messages, waitForText, say, openRoom, unreadBadge, waitForUnread, assertGapless, assert
} = require('./helpers');

const [baseUrl, shotDir] = process.argv.slice(2);
if (!baseUrl || !shotDir) {
  console.error('usage: node chat-client.test.js <baseUrl> <screenshotDir>');
  process.exit(2);
}
fs.mkdirSync(shotDir, { recursive: true });

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const PHONE = { width: 390, height: 844 };
const XSS_IMG = '<img src=x onerror="window.__xss=1">';
const XSS_SCRIPT = '<script>window.__xss=2</script>';

const run = new Run(shotDir);
const check = (name, body) => run.check(name, body);
const shot = (page, file) => run.shot(page, file);

// ---------- stdin: lines from BrowserIT ----------

const stdinLines = [];
let lineArrived = () => {};
readline.createInterface({ input: process.stdin }).on('line', (line) => { stdinLines.push(line.trim()); lineArrived(); });

async function awaitLine(expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!stdinLines.includes(expected)) {
    if (Date.now() > deadline) throw new Error('no "' + expected + '" from BrowserIT within ' + timeoutMs + ' ms');
    await new Promise((resolve) => { lineArrived = resolve; setTimeout(resolve, 250); });
  }
}

/** Keeps every change of the page's connection state, with the time, for a failure message. */
function recordConnectionStates(page) {
  return page.evaluate(() => {
    const view = document.getElementById('chat-view');
    const log = window.__connectionStates = [Date.now() % 100000 + ' ' + view.dataset.conn];
    new MutationObserver(() => log.push(Date.now() % 100000 + ' ' + view.dataset.conn))
      .observe(view, { attributes: true, attributeFilter: ['data-conn'] });
  });
}

async function connectionStates(a, b) {
  const states = (page) => page.evaluate(() => (window.__connectionStates || []).join(', '));
  return 'alice [' + await states(a) + '], bob [' + await states(b) + '], now ' + Date.now() % 100000;
}

// ---------- the scenario ----------

async function main() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    await scenario(browser);
  } finally {
    await browser.close();
  }
}

async function scenario(browser) {
  const alice = await run.newPerson(browser, 'alice');
  const bob = await run.newPerson(browser, 'bob');
  const a = alice.page;
  const b = bob.page;

  await check('the sign-in page offers sign in, registration and (on this node) guest entry', async () => {
    await openApp(a, baseUrl);
    await a.waitForSelector('#auth-view[data-guests="on"] #guest-box:not([hidden])');
    assert(await a.isVisible('label[for="username"]') && await a.isVisible('label[for="password"]'), 'labelled fields');
    await shot(a, 'web-client-login.png');
  });

  await check('alice registers, logs out and logs in again', async () => {
    await register(a, 'alice', 'alice-password');
    await online(a);
    await a.click('#logout-btn');
    await a.waitForSelector('#auth-view:not([hidden])');
    await a.click('#tab-signin');
    await a.fill('#username', 'alice');
    await a.fill('#password', 'wrong-password');
    await a.click('#auth-submit');
    await a.waitForSelector('#auth-error:not([hidden])');
    await a.fill('#password', 'alice-password');
    await a.press('#password', 'Enter');
    await a.waitForSelector('#chat-view:not([hidden])');
    await online(a);
  });

  await check('bob joins as a guest', async () => {
    await openApp(b, baseUrl);
    await b.fill('#guest-name', 'bob');
    await b.click('#guest-submit');
    await b.waitForSelector('#chat-view:not([hidden])');
    await online(b);
    assert((await b.textContent('#me-name')) === 'bob', 'signed in as bob');
  });

  await check('the guest option is hidden when the node refuses guests (403 guests_disabled)', async () => {
    const carol = await run.newPerson(browser, 'carol');
    await carol.context.route('**/api/guest', (route) => route.fulfill({
      status: 403, contentType: 'application/json',
      body: JSON.stringify({ error: 'guests_disabled', message: 'This node does not allow guests' })
    }));
    await openApp(carol.page, baseUrl);
    await carol.page.waitForSelector('#auth-view[data-guests="off"]', { state: 'attached' });
    assert(await carol.page.isHidden('#guest-box'), 'guest box hidden');
    assert(await carol.page.isVisible('#auth-form'), 'sign in still offered');
    await run.leave('carol', carol);
  });

  await check('alice sees bob online as soon as he arrives', async () => {
    await a.waitForSelector('#user-list button[data-user="bob"][data-online="true"]');
  });

  const conversation = [
    [a, 'Morning Bob! Did the deploy go out last night?'],
    [b, 'It did. The new node came up in about five seconds.'],
    [a, 'Nice. Any messages lost while it restarted?'],
    [b, 'None. Every client picked up from the last seq it had seen, and history shows 1 to 800 without a gap.'],
    [a, 'Great work. Next up is the web client: rooms, direct messages, unread counts, and it should feel at home on a phone as well as on a big screen.\nI wrote the list down in #general so we do not lose it.'],
    [b, 'On it.']
  ];

  await check('two people chat in #general: each sees the other\'s messages, their own set apart', async () => {
    for (const [page, text] of conversation) {
      await say(page, text);
      await waitForText(page === a ? b : a, text);
    }
    const seenByAlice = await messages(a);
    const seenByBob = await messages(b);
    assert(JSON.stringify(seenByAlice.map((m) => m.text)) === JSON.stringify(conversation.map(([, t]) => t)), 'alice sees the conversation in order');
    assert(JSON.stringify(seenByBob.map((m) => m.seq)) === JSON.stringify(seenByAlice.map((m) => m.seq)), 'both see the same seqs');
    seenByAlice.forEach((m, i) => assert(m.own === (conversation[i][0] === a), 'own messages marked for alice at ' + i));
    seenByBob.forEach((m, i) => assert(m.own === (conversation[i][0] === b), 'own messages marked for bob at ' + i));
  });

  await check('an error from the server is shown: too long a message (413)', async () => {
    const tooLong = 'x'.repeat(4001);
    await send(a, tooLong);
    await a.waitForSelector('#notice:not([hidden])');
    const notice = await a.textContent('#notice-text');
    assert(/long/i.test(notice), 'notice says why: ' + notice);
    assert((await a.inputValue('#message-input')) === tooLong, 'the text is back in the composer to be shortened');
    await shot(a, 'web-client-error.png');
    await a.fill('#message-input', '');
    await a.click('#notice-close');
  });

  await check('alice creates #random; a long text wraps there; Shift+Enter makes a new line, Enter sends', async () => {
    await a.click('#new-room-btn');
    await a.fill('#new-room-name', 'random');
    await a.press('#new-room-name', 'Enter');
    await a.waitForFunction(() => document.querySelector('#room-title').textContent === 'random');
    await say(a, 'A-very-long-word-without-any-spaces-'.repeat(12) + '\nand a second line');
    const overflow = await a.$eval('#scroller', (s) => s.scrollWidth - s.clientWidth);
    assert(overflow <= 0, 'no horizontal overflow, got ' + overflow + 'px');
    const lines = await a.$eval('#messages > li:last-child .bubble', (p) => Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight)));
    assert(lines >= 3, 'wrapped over several lines, got ' + lines);
    // Typed as a person would: Shift+Enter is a new line, Enter sends.
    await a.click('#message-input');
    await a.keyboard.type('first line');
    await a.keyboard.press('Shift+Enter');
    await a.keyboard.type('second line');
    await a.keyboard.press('Enter');
    await waitForText(a, 'first line\nsecond line');
  });

  await check('messages in #general count as unread while alice is in #random, also after a reload', async () => {
    await say(b, 'Pushed the release notes draft, have a look when you can.');
    await waitForUnread(a, 'general', 1);
    await say(b, 'Also: the metrics dashboard is live.');
    await waitForUnread(a, 'general', 2);
    await shot(a, 'web-client-unread.png');
    await a.reload();
    await online(a);
    await waitForUnread(a, 'general', 2);
    await openRoom(a, 'general');
    await a.waitForSelector('#messages .divider.new');
    // Read once shown: no count left anywhere, the tab title included.
    await a.waitForFunction(() => !/^\(\d+\)/.test(document.title));
    assert(await unreadBadge(a, 'general') === 0, 'no badge on #general');
  });

  await check('alice starts a dm with bob from the people list; bob gets it without a reload, reads and answers', async () => {
    await a.click('#user-list button[data-user="bob"]');
    await a.waitForFunction(() => document.querySelector('#room-title').textContent === 'bob');
    await say(a, 'Hi Bob, got a minute? Something about the release.');
    await say(a, 'Can we keep the restart test in the notes?');
    await waitForUnread(b, 'dm:alice:bob', 2);
    await openRoom(b, 'dm:alice:bob');
    await waitForText(b, 'Can we keep the restart test in the notes?');
    await say(b, 'Sure, I will add it.');
    await waitForText(a, 'Sure, I will add it.');
    await shot(b, 'web-client-dm.png');
  });

  await check('message text is rendered as text: markup stays visible, no script runs', async () => {
    await say(a, XSS_IMG);
    await say(a, XSS_SCRIPT);
    await waitForText(b, XSS_SCRIPT);
    await b.waitForTimeout(300); // an onerror handler would have run by now
    for (const page of [a, b]) {
      const last = (await messages(page)).slice(-2).map((m) => m.text);
      assert(last[0] === XSS_IMG && last[1] === XSS_SCRIPT, 'texts shown verbatim: ' + JSON.stringify(last));
      assert(await page.evaluate(() => window.__xss === undefined), 'window.__xss stays undefined');
      assert(await page.$$eval('#messages img, #messages script', (n) => n.length) === 0, 'no element made from message text');
    }
  });

  await check('a dm message for alice while she reads #general shows as unread on the dm', async () => {
    await openRoom(a, 'general');
    await say(b, 'I will send you the final notes tonight.');
    await waitForUnread(a, 'dm:alice:bob', 1);
    await a.waitForTimeout(200);
    await shot(a, 'two-users-chatting.png');
    await a.emulateMedia({ colorScheme: 'dark' });
    await a.waitForTimeout(100);
    await shot(a, 'web-client-dark.png');
    await a.emulateMedia({ colorScheme: 'light' });
  });

  await check('older history loads when scrolling up; the newest message stays in view', async () => {
    await a.click('#new-room-btn');
    await a.fill('#new-room-name', 'history');
    await a.press('#new-room-name', 'Enter');
    await a.waitForFunction(() => document.querySelector('#room-title').textContent === 'history');
    await a.evaluate(async () => {
      for (let i = 1; i <= 70; i++) {
        const res = await fetch('/api/rooms/history/messages', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'history #' + i })
        });
        if (res.status !== 201) throw new Error('POST ' + i + ': ' + res.status);
      }
    });
    await waitForText(a, 'history #70');
    await a.reload(); // start afresh: only the newest page is loaded
    await online(a);
    await waitForText(a, 'history #70');
    const first = await messages(a);
    assert(first.length === 50 && first[0].seq === 21, 'newest page first: ' + first.length + ' from seq ' + first[0].seq);
    assert(await a.$eval('#scroller', (s) => s.scrollHeight - s.scrollTop - s.clientHeight < 80), 'scrolled to the newest');
    await a.$eval('#scroller', (s) => { s.scrollTop = 0; });
    await a.waitForFunction(() => document.querySelector('#messages > li.msg')?.dataset.seq === '1');
    const all = await messages(a);
    assertGapless(all, 'alice #history');
    assert(all.length === 70 && all[69].text === 'history #70', 'all 70 in order');
    await a.waitForSelector('#history-top h2'); // "Welcome to #history": nothing older
  });

  await check('on a phone-sized screen the conversation list is a drawer behind a menu button', async () => {
    const state = await alice.context.storageState();
    const phone = await run.newPerson(browser, 'phone', {
      viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, storageState: state
    });
    const p = phone.page;
    await openApp(p, baseUrl);
    await online(p);
    assert(await p.isHidden('#sidebar'), 'drawer closed at first');
    assert(await p.isVisible('#menu-btn'), 'menu button shown');
    await p.click('#menu-btn');
    await p.waitForSelector('#sidebar.open');
    await p.waitForTimeout(300); // the slide-in transition
    await shot(p, 'web-client-phone-menu.png');
    await p.click('#sidebar button[data-room="general"]');
    await p.waitForSelector('#sidebar.open', { state: 'detached' });
    await waitForText(p, 'Also: the metrics dashboard is live.');
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= PHONE.width, 'no sideways scrolling, page is ' + width + 'px wide');
    const box = await p.locator('#message-input').boundingBox();
    assert(box && box.y + box.height <= PHONE.height, 'composer on screen');
    await p.waitForTimeout(300);
    await shot(p, 'web-client-phone.png');
    await run.leave('phone', phone);
  });

  await check('both switch back to #general', async () => {
    await openRoom(a, 'general');
    await openRoom(b, 'general');
  });

  const during = ['Sent while the server restarts (1)', 'Sent while the server restarts (2)'];
  const after = ['Back after the restart (1)', 'Back after the restart (2)', 'Back after the restart (3)'];

  await check('the node restarts: both pages show the reconnect banner; bob\'s messages wait for the connection', async () => {
    // Keep alice away from the new node until bob has posted, so she must catch up by replay ("after").
    await a.route('**/eventbus/**', (route) => route.abort());
    for (const page of [a, b]) await recordConnectionStates(page);
    console.log('STOP');
    await awaitLine('STOPPED', 30000);
    for (const [who, page] of [['alice', a], ['bob', b]]) {
      await page.waitForSelector('#chat-view:not([data-conn="online"])', { state: 'attached', timeout: 10000 })
        .catch(async (e) => { throw new Error(e.message.split('\n')[0] + '; states: ' + await connectionStates(a, b)); });
      await page.waitForSelector('#banner:not([hidden])');
      const state = await page.$eval('#chat-view', (v) => v.dataset.conn);
      assert(state === 'restart', who + ' lost the connection without the restart notice: ' + await connectionStates(a, b));
    }
    // The node's close notice (1012 service_restart) came before the socket closed: the page says why.
    const banner = await a.textContent('#banner-text');
    assert(/restarting.*reconnecting/i.test(banner), 'banner says the server restarts and the page reconnects: ' + banner);
    await shot(a, 'web-client-reconnecting.png');
    for (const text of during) await send(b, text);
    await b.waitForFunction((n) => document.querySelectorAll('#pending li').length === n, during.length);
    assert(/waiting for connection/i.test(await b.textContent('#pending')), 'queued messages say they wait');
  });

  await check('after the restart the messages bob wrote during and after it reach alice once each, in order', async () => {
    console.log('START');
    await awaitLine('STARTED', 60000);
    await online(b, 30000);
    await b.waitForFunction(() => !document.querySelector('#pending li'), null, { timeout: 15000 });
    for (const text of after) await say(b, text);
    assert(await a.$eval('#chat-view', (v) => v.dataset.conn !== 'online'), 'alice still held offline');
    await a.unroute('**/eventbus/**');
    await online(a, 30000);
    await waitForText(a, after[after.length - 1], 15000);
    await a.waitForTimeout(500); // anything duplicated would show up by now
    for (const [who, page] of [['alice', a], ['bob', b]]) {
      const list = await messages(page);
      assertGapless(list, who);
      const texts = list.map((m) => m.text);
      assert(new Set(list.map((m) => m.seq)).size === list.length, who + ': a seq twice');
      assert(JSON.stringify(texts.slice(-5)) === JSON.stringify([...during, ...after]), who + ' sees ' + JSON.stringify(texts.slice(-6)));
    }
    await say(a, 'Got all five, in order.');
    await waitForText(b, 'Got all five, in order.');
  });

  await check('the people list shows bob offline once he closes his page', async () => {
    await a.waitForSelector('#user-list button[data-user="bob"][data-online="true"]');
    await run.leave('bob', bob);
    await a.waitForSelector('#user-list button[data-user="bob"][data-online="false"]', { timeout: 15000 });
  });

  await check('no Content-Security-Policy violation and no uncaught error on any page', async () => {
    assert(run.problems.length === 0, run.problems.join(' | '));
  });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error && error.stack || error);
    process.exit(1);
  });

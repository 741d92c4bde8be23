// Page helpers for chat-client.test.js: people in browser contexts, waiting for what the client shows, checks.
'use strict';

const path = require('path');

// The node's own Content-Security-Policy must come with every page, strict: the page must work under it.
const STRICT_CSP = /(^|;)\s*script-src 'self'\s*(;|$)/;
const DESKTOP = { width: 1280, height: 800 };

/** One run: its pages (for failure screenshots), the problems they reported, where screenshots go. */
class Run {
  constructor(shotDir) {
    this.shotDir = shotDir;
    this.pages = {};     // name -> page
    this.problems = [];  // CSP violations and uncaught page errors, from every page
  }

  /** A browser context of its own (cookies, localStorage): one person. */
  async newPerson(browser, name, options = {}) {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', colorScheme: 'light', ...options });
    const page = await context.newPage();
    // Pages come with the node's real CSP header, so inline scripts, inline styles or foreign hosts fail here.
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'document') return;
      const csp = response.headers()['content-security-policy'] || '';
      if (!STRICT_CSP.test(csp) || /unsafe-inline|unsafe-eval/.test(csp)) {
        this.problems.push(name + ': ' + response.url() + ' came without the strict CSP: "' + csp + '"');
      }
    });
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) this.problems.push(name + ': ' + msg.text());
    });
    page.on('pageerror', (error) => this.problems.push(name + ': uncaught ' + error.message));
    this.pages[name] = page;
    return { context, page };
  }

  /** Closes a person's context; their page is no longer watched. */
  async leave(name, person) {
    delete this.pages[name];
    await person.context.close();
  }

  shot(page, file) {
    return page.screenshot({ path: path.join(this.shotDir, file) });
  }

  /** Prints "ok - name", or "not ok - name: why" plus failure-*.png of every page, and rethrows. */
  async check(name, body) {
    try {
      await body();
      console.log('ok - ' + name);
    } catch (error) {
      console.log('not ok - ' + name + ': ' + String((error && error.message) || error).split('\n')[0]);
      for (const [who, page] of Object.entries(this.pages)) {
        if (!page.isClosed()) await this.shot(page, 'failure-' + who + '.png').catch(() => {});
      }
      throw error;
    }
  }
}

async function openApp(page, baseUrl) {
  await page.goto(baseUrl);
  await page.waitForSelector('#auth-view:not([hidden]), #chat-view:not([hidden])');
}

async function online(page, timeout = 15000) {
  await page.waitForSelector('#chat-view[data-conn="online"]', { timeout });
}

async function register(page, username, password) {
  await page.click('#tab-register');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#auth-submit');
  await page.waitForSelector('#chat-view:not([hidden])');
}

async function send(page, text) {
  await page.fill('#message-input', text);
  await page.press('#message-input', 'Enter');
}

/** The messages of the room on screen: [{seq, text, own}] in page order. */
function messages(page) {
  return page.$$eval('#messages > li.msg', (items) => items.map((li) => ({
    seq: Number(li.dataset.seq),
    text: li.querySelector('.bubble').textContent,
    own: li.classList.contains('own')
  })));
}

async function waitForText(page, text, timeout = 10000) {
  await page.waitForFunction((t) => [...document.querySelectorAll('#messages .bubble')].some((b) => b.textContent === t),
    text, { timeout });
}

/** Sends from the composer and waits until the server's copy replaced the "Sending…" one. */
async function say(page, text) {
  await send(page, text);
  await waitForText(page, text);
  await page.waitForFunction(() => !document.querySelector('#pending li'));
}

async function openRoom(page, room) {
  await page.click('#sidebar button[data-room="' + room + '"]');
  await page.waitForFunction((r) => document.querySelector('#sidebar [aria-current="page"]')?.dataset.room === r, room);
}

function unreadBadge(page, room) {
  return page.$eval('#sidebar button[data-room="' + room + '"]', (b) => {
    const badge = b.querySelector('.badge');
    return badge ? Number(badge.dataset.unread) : 0;
  });
}

async function waitForUnread(page, room, count) {
  await page.waitForFunction(([r, n]) => {
    const badge = document.querySelector('#sidebar button[data-room="' + r + '"] .badge');
    return (badge ? Number(badge.dataset.unread) : 0) === n;
  }, [room, count], { timeout: 10000 });
}

/** Each seq one more than the one before: nothing lost, nothing twice, in order. */
function assertGapless(list, who) {
  for (let i = 1; i < list.length; i++) {
    if (list[i].seq !== list[i - 1].seq + 1) {
      throw new Error(who + ': seq ' + list[i - 1].seq + ' is followed by ' + list[i].seq + ' (' + JSON.stringify(list.map((m) => m.seq)) + ')');
    }
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

module.exports = {
  Run, openApp, online, register, send, messages, waitForText, say, openRoom, unreadBadge, waitForUnread, assertGapless, assert
};

// The chat page: no build step. vertx-eventbus.js and sockjs.min.js are classic scripts loaded before this module.
import { $, el, avatar, showText } from './js/dom.js';
import { get, post } from './js/api.js';
import { AuthView } from './js/auth.js';
import { Session } from './js/session.js';
import { Timeline } from './js/timeline.js';
import { Sidebar } from './js/sidebar.js';
import { Outbox } from './js/outbox.js';

const ui = {};
for (const id of ['boot', 'auth-view', 'auth-title', 'auth-subtitle', 'tab-signin', 'tab-register', 'auth-form', 'username',
  'password', 'auth-error', 'auth-submit', 'guest-box', 'guest-form', 'guest-name', 'guest-submit', 'guest-error',
  'chat-view', 'sidebar', 'close-sidebar', 'new-room-btn', 'new-room-form', 'new-room-name', 'new-room-submit',
  'new-room-error', 'new-room-cancel', 'room-list', 'dm-list', 'dm-empty', 'online-count', 'user-list', 'me-avatar',
  'me-name', 'me-status', 'logout-btn', 'scrim', 'menu-btn', 'menu-badge', 'room-icon', 'room-title', 'room-sub',
  'banner', 'banner-text', 'scroller', 'history-top', 'messages', 'pending', 'jump-btn', 'composer', 'notice',
  'notice-text', 'notice-close', 'message-input', 'message-label', 'send-btn']) {
  ui[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = $(id);
}

const NOTICE_MS = 8000;
const BACK_ONLINE_MS = 2500;
const CONNECTING_BANNER_DELAY_MS = 1500;

let session = null;
let renderQueued = false;
let noticeTimer = 0;
let bannerTimer = 0;

const auth = new AuthView(ui, (username) => startChat(username));

const timeline = new Timeline(
  { scroller: ui.scroller, list: ui.messages, top: ui.historyTop, jump: ui.jumpBtn },
  {
    me: () => (session ? session.me : ''),
    nearTop: (room) => session && session.loadOlder(room),
    read: (room) => {
      // A hidden tab has not been read, even if its list is scrolled to the bottom.
      if (session && document.visibilityState === 'visible') session.markRead(room, room.seen);
    }
  });

const sidebar = new Sidebar(ui, {
  select: (name) => session && session.select(name),
  startDm: (user) => session && session.startDm(user),
  createRoom: (name) => session.createRoom(name)
});

let outbox = null;

// ---- views ----

function startChat(username) {
  stopChat();
  auth.hide();
  ui.boot.hidden = true;
  ui.chatView.hidden = false;
  ui.meName.textContent = username;
  ui.meAvatar.replaceChildren(avatar(username));
  ui.messageInput.value = '';
  ui.roomTitle.textContent = ui.roomSub.textContent = '';
  ui.roomIcon.replaceChildren();
  timeline.reset();
  hideNotice();
  session = new Session(username, sessionView);
  outbox = new Outbox(ui.pending, {
    connection: () => session && session.conn,
    failed: sendFailed,
    changed: () => session && outbox.confirm(session.rooms)
  });
  connectionState('connecting');
  session.start();
  focusComposer();
}

/** With a mouse and keyboard the composer takes focus; on a touch screen that would pop up the keyboard uninvited. */
function focusComposer() {
  if (matchMedia('(pointer: fine)').matches) ui.messageInput.focus({ preventScroll: true });
}

function stopChat() {
  if (session) session.close();
  session = null;
  outbox = null;
}

function showAuth(message) {
  stopChat();
  ui.boot.hidden = true;
  ui.chatView.hidden = true;
  document.title = 'Chat';
  auth.show(message);
}

/** What the session tells the page. */
const sessionView = {
  rendered: () => queueRender(),
  roomChanged(room) {
    timeline.show(room);
    outbox.show(room.name);
    renderHeader();
    queueRender();
    focusComposer();
  },
  messages(room) {
    if (!session) return;
    if (room.name === session.active) timeline.update();
    outbox.confirm(session.rooms);
    queueRender();
  },
  connection: connectionState,
  error: showNotice,
  ended: showAuth
};

/** Sidebar, header and title, at most once per frame however many messages arrive. */
function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    if (!session) return;
    sidebar.render(session);
    renderHeader();
    const unread = [...session.rooms.values()].reduce((sum, r) => sum + r.unread, 0);
    const room = session.rooms.get(session.active);
    document.title = (unread ? '(' + unread + ') ' : '') + (room ? roomLabel(room) + ' · ' : '') + 'Chat';
  });
}

function peerName(room) {
  const user = session.users.get(room.peer);
  return user ? user.username : room.peer;
}

function roomLabel(room) {
  return room.dm ? peerName(room) : '#' + room.name;
}

function renderHeader() {
  const room = session && session.rooms.get(session.active);
  if (!room) return;
  if (room.dm) {
    const user = session.users.get(room.peer);
    ui.roomIcon.replaceChildren(avatar(peerName(room), 'small'));
    ui.roomTitle.textContent = peerName(room);
    ui.roomSub.textContent = user && user.online ? 'Online' : 'Offline';
  } else {
    ui.roomIcon.replaceChildren(el('span', 'room-icon', '#'));
    ui.roomTitle.textContent = room.name;
    const online = [...session.users.values()].filter((u) => u.online).length;
    ui.roomSub.textContent = 'Channel · ' + online + (online === 1 ? ' person' : ' people') + ' online';
  }
  const label = 'Message ' + roomLabel(room);
  ui.messageInput.placeholder = label;
  ui.messageLabel.textContent = label;
  ui.scroller.setAttribute('aria-label', 'Messages in ' + roomLabel(room));
}

// ---- connection state ----

const BANNERS = {
  connecting: 'Connecting…',
  lost: 'Connection lost. Reconnecting…',
  restart: 'The server is restarting. Reconnecting…',
  refused: 'Too many open connections for your account. Close another chat tab, then reload this page.'
};

function connectionState(state) {
  const wasDown = ['lost', 'restart'].includes(ui.chatView.dataset.conn);
  ui.chatView.dataset.conn = state;
  clearTimeout(bannerTimer);
  ui.meStatus.textContent = state === 'online' ? 'Online' : state === 'connecting' ? 'Connecting…' : 'Offline';
  ui.meStatus.classList.toggle('on', state === 'online');
  if (state === 'online') {
    if (wasDown) showBanner('ok', 'Back online.', BACK_ONLINE_MS);
    else ui.banner.hidden = true;
    if (outbox) { outbox.render(); outbox.pump(); }
  } else if (state === 'connecting') {
    bannerTimer = setTimeout(() => showBanner('wait', BANNERS.connecting), CONNECTING_BANNER_DELAY_MS);
  } else {
    showBanner(state === 'refused' ? 'error' : 'wait', BANNERS[state]);
    if (outbox) outbox.render(); // "Sending…" becomes "Waiting for connection…"
  }
}

function showBanner(kind, text, hideAfter) {
  ui.banner.dataset.kind = kind;
  ui.bannerText.textContent = text;
  ui.banner.hidden = false;
  if (hideAfter) bannerTimer = setTimeout(() => { ui.banner.hidden = true; }, hideAfter);
}

// ---- errors ----

function showNotice(text) {
  showText(ui.noticeText, text);
  ui.notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(hideNotice, NOTICE_MS);
}

function hideNotice() {
  clearTimeout(noticeTimer);
  ui.notice.hidden = true;
}

function sendFailed(error, item) {
  if (error.status === 401) return showAuth('Your session has ended. Please sign in again.');
  // A text the server refused (too long, not allowed...) goes back to the composer to be changed.
  if (!error.retryable && session && item.room === session.active && !ui.messageInput.value) {
    ui.messageInput.value = item.text;
  }
  showNotice((error.retryable ? 'Message not sent. ' : 'Message not sent: ') + error.message);
}

// ---- composer ----

function sendFromComposer() {
  const text = ui.messageInput.value;
  if (!text.trim() || !session || !session.active) return;
  hideNotice();
  outbox.add(session.active, text);
  ui.messageInput.value = '';
  timeline.scrollToBottom();
}

ui.composer.addEventListener('submit', (e) => { e.preventDefault(); sendFromComposer(); focusComposer(); });
ui.messageInput.addEventListener('keydown', (e) => {
  // Enter sends; Shift+Enter is a new line; never while an input method is composing a character.
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    sendFromComposer();
  }
});
ui.noticeClose.addEventListener('click', hideNotice);
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') timeline.maybeRead(); });

ui.logoutBtn.addEventListener('click', async () => {
  ui.logoutBtn.disabled = true;
  let message = '';
  try {
    await post('/api/logout');
  } catch (e) {
    if (e.status !== 401) message = 'Signing out may not have completed: ' + e.message;
  } finally {
    ui.logoutBtn.disabled = false;
  }
  showAuth(message);
});

// ---- start: the HttpOnly cookie decides which view comes first ----

get('/api/me').then(
  (me) => (me && me.username ? startChat(me.username) : showAuth('')),
  (e) => showAuth(e.status === 401 ? '' : e.message));

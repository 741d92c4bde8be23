// Chat page: plain script, no build step. Loaded after sockjs.min.js and vertx-eventbus.js.
(function () {
  'use strict';

  const ROOM = 'general';
  const MESSAGES_URL = '/api/rooms/' + ROOM + '/messages';
  const PAGE = 200;              // page size when filling gaps
  const MAX_SHOWN = 500;         // cap DOM size on long-lived tabs
  const SEND_TIMEOUT_MS = 15000; // bridge-level rejections carry no reply address, so the callback may never fire
  const SEND_ERRORS = {
    413: 'Message is too long.', 422: 'Message is not valid.', 429: 'You are sending too fast. Wait a moment.',
    403: 'You are not allowed to post here.', 404: 'Room not found.'
  };

  const $ = (id) => document.getElementById(id);
  const ui = {};
  ['login-view', 'auth-form', 'username', 'password', 'auth-error', 'login-btn', 'register-btn',
    'chat-view', 'me', 'logout-btn', 'online-count', 'online-list', 'banner', 'bus-error', 'bus-error-text',
    'bus-error-close', 'scroller', 'messages', 'send-form', 'text', 'send-btn', 'send-error'
  ].forEach((id) => { ui[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = $(id); });

  let me = null, eb = null, sendFinish = null, presenceDuringLoad = null;
  let gen = 0;         // bumped on every login/logout so late async results of an old session are dropped
  let loaded = false;  // initial "last 50" shown yet?
  let lastSeq = 0;     // highest seq rendered
  let fetching = false, refetch = false;
  const pending = new Map(); // seq -> message received live during a fetch or after a gap
  const online = new Map();  // username -> boolean

  const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  function show(node, text) { node.textContent = text || ''; node.hidden = !text; }

  class HttpError extends Error { constructor(status, message) { super(message); this.status = status; } }

  async function api(method, url, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const opts = { method, credentials: 'same-origin', headers, body: body === undefined ? undefined : JSON.stringify(body) };
    const res = await fetch(url, opts).catch(() => {
      throw new HttpError(0, 'Cannot reach the server. Check your connection and try again.');
    });
    let data = null;
    try { data = await res.json(); } catch (e) { /* empty (204) or non-JSON body */ }
    if (!res.ok) throw new HttpError(res.status, (data && data.message) || 'Request failed (HTTP ' + res.status + ').');
    return data;
  }

  // A 401 anywhere in the chat means the cookie expired: go back to the login form.
  function handleApiError(e) {
    if (e.status === 401) showLogin('Your session has ended. Please log in again.');
    else showBusError(e.message);
  }

  function showBusError(text) { show(ui.busErrorText, text); ui.busError.hidden = false; }

  function showLogin(message) {
    gen++;
    closeBus();
    me = null;
    ui.chatView.hidden = true; ui.loginView.hidden = false;
    ui.password.value = '';
    show(ui.authError, message);
    ui.username.focus();
  }

  function startChat(username) {
    closeBus();
    gen++;
    me = username;
    loaded = false; lastSeq = 0; fetching = false; refetch = false;
    pending.clear(); online.clear();
    ui.messages.replaceChildren();
    renderOnline();
    ui.me.textContent = username;
    ui.password.value = '';
    show(ui.sendError, '');
    ui.busError.hidden = true;
    ui.loginView.hidden = true; ui.chatView.hidden = false;
    ui.text.focus();
    sync(); // history does not wait for the bus, so it shows even if the bus cannot connect
    openBus();
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text ?? ''); // never innerHTML: content is untrusted
    return node;
  }

  function messageNode(m) {
    const li = el('li', m.from === me ? 'msg own' : 'msg');
    const meta = el('div', 'meta');
    meta.append(el('span', 'from', m.from));
    const date = new Date(m.ts);
    if (!isNaN(date)) {
      const sameDay = date.toDateString() === new Date().toDateString();
      const time = el('time', '', (sameDay ? timeFmt : fullFmt).format(date));
      time.dateTime = date.toISOString();
      time.title = fullFmt.format(date);
      meta.append(' ', time);
    }
    li.append(meta, el('p', 'text', m.text));
    return li;
  }

  function renderBatch(list) {
    const box = ui.scroller;
    let stick = !loaded || box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    for (const m of list.slice().sort((a, b) => a.seq - b.seq)) {
      if (m.seq <= lastSeq) continue; // duplicate from overlapping fetch/live delivery
      ui.messages.append(messageNode(m));
      lastSeq = m.seq;
      if (m.from === me) stick = true;
    }
    while (ui.messages.childElementCount > MAX_SHOWN) ui.messages.firstElementChild.remove();
    // Follow the newest unless the reader has scrolled up to read history.
    if (stick) box.scrollTop = box.scrollHeight;
  }

  function isMessage(m) {
    return m && typeof m.seq === 'number' && (m.room === undefined || m.room === ROOM);
  }

  async function getMessages(query, myGen) {
    const list = await api('GET', MESSAGES_URL + query);
    if (myGen !== gen) throw new Error('stale session');
    return Array.isArray(list) ? list.filter(isMessage) : [];
  }

  // Single-flight: history once, then everything after lastSeq, then flush live messages held back.
  async function sync() {
    if (fetching) { refetch = true; return; }
    fetching = true;
    const myGen = gen;
    try {
      if (!loaded) {
        renderBatch(await getMessages('?limit=50', myGen));
        loaded = true;
      }
      for (;;) {
        const before = lastSeq;
        const page = await getMessages('?after=' + lastSeq + '&limit=' + PAGE, myGen);
        renderBatch(page);
        if (page.length < PAGE || lastSeq === before) break;
      }
      // Whatever the server could not fill is gone for good; show the rest in order.
      renderBatch([...pending.values()]);
      pending.clear();
    } catch (e) {
      if (myGen === gen) handleApiError(e);
    } finally {
      if (myGen === gen) {
        fetching = false;
        if (refetch) { refetch = false; sync(); }
      }
    }
  }

  function onRoomMessage(m) {
    if (!isMessage(m) || m.seq <= lastSeq) return;
    if (loaded && !fetching && m.seq === lastSeq + 1) return renderBatch([m]);
    pending.set(m.seq, m);
    if (!fetching) sync(); // gap (or history still missing): fetch it; pending is flushed afterwards
  }

  function renderOnline() {
    const names = [...online].filter(([, on]) => on).map(([name]) => name).sort((a, b) => a.localeCompare(b));
    ui.onlineList.replaceChildren(...names.map((name) => el('li', name === me ? 'own' : '', name)));
    ui.onlineCount.textContent = String(names.length);
  }

  function onPresence(p) {
    if (!p || typeof p.user !== 'string') return;
    online.set(p.user, !!p.online);
    if (presenceDuringLoad) presenceDuringLoad.set(p.user, !!p.online);
    renderOnline();
  }

  async function loadUsers() {
    const myGen = gen;
    const seen = presenceDuringLoad = new Map();
    try {
      const users = await api('GET', '/api/users');
      if (myGen !== gen) return;
      online.clear();
      for (const u of Array.isArray(users) ? users : []) online.set(u.username, !!u.online);
      for (const [user, on] of seen) online.set(user, on); // events newer than the snapshot win
      renderOnline();
    } catch (e) {
      if (myGen === gen) handleApiError(e);
    } finally {
      if (presenceDuringLoad === seen) presenceDuringLoad = null;
    }
  }

  function busErrorText(e) {
    return 'Chat connection error: ' + ((e && (e.body || e.message || e.failureType)) || 'unknown error');
  }

  function openBus() {
    if (typeof EventBus !== 'function') return showBusError('Chat library failed to load. Reload the page.');
    // Only transports that work under CSP default-src 'self' (the iframe ones load SockJS from a CDN).
    const bus = new EventBus(location.origin + '/eventbus', { transports: ['websocket', 'xhr-streaming', 'xhr-polling'] });
    eb = bus;
    show(ui.banner, 'Connecting…');
    bus.enableReconnect(true);
    const onErr = (err) => showBusError(busErrorText(err));
    // The library drops all handlers on each (re)connect, so register again on every open.
    bus.onopen = () => {
      if (bus !== eb) return;
      show(ui.banner, '');
      // "after" makes the server replay what we missed before live messages: no hole at the seam.
      const resume = loaded ? { after: String(lastSeq) } : {};
      bus.registerHandler('chat.room.' + ROOM, resume, (err, msg) => (err ? onErr(err) : onRoomMessage(msg.body)));
      bus.registerHandler('chat.presence', {}, (err, msg) => (err ? onErr(err) : onPresence(msg.body)));
      sync();      // fill whatever was published while we were away
      loadUsers(); // presence events may have been missed too
    };
    bus.onclose = () => {
      if (bus !== eb) return;
      show(ui.banner, 'Reconnecting…');
      if (sendFinish) sendFinish({ message: 'Connection lost; your message may not have been sent.' });
    };
    bus.onerror = (e) => { if (bus === eb) onErr(e); };
  }

  function closeBus() {
    const bus = eb;
    eb = null;
    show(ui.banner, '');
    if (sendFinish) sendFinish(null, true);
    // close() throws while the library waits between reconnect attempts (no socket); reconnect is off by then.
    try { if (bus) bus.close(); } catch (e) { /* nothing left to close */ }
  }

  ui.sendForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = ui.text.value;
    if (!text.trim() || sendFinish) return;
    if (!eb || eb.state !== EventBus.OPEN) return show(ui.sendError, 'Not connected, your message was not sent. Try again once reconnected.');
    show(ui.sendError, '');
    ui.sendBtn.disabled = true;
    let timer = 0;
    const finish = sendFinish = (err, silent) => {
      if (sendFinish !== finish) return; // already settled (e.g. a reply after the timeout)
      sendFinish = null;
      clearTimeout(timer);
      ui.sendBtn.disabled = false;
      if (silent) return;
      if (err) show(ui.sendError, err.message || SEND_ERRORS[err.failureCode] || 'Message not sent.');
      else if (ui.text.value === text) ui.text.value = ''; // the message itself arrives via the room handler
    };
    timer = setTimeout(() => finish({ message: 'No reply from the server; your message may not have been sent.' }), SEND_TIMEOUT_MS);
    try {
      eb.send('chat.send', { room: ROOM, text }, {}, (err) => finish(err));
    } catch (e) {
      finish({ message: 'Not connected, your message was not sent.' });
    }
  });

  async function authenticate(register) {
    if (!ui.authForm.reportValidity()) return;
    const creds = { username: ui.username.value.trim(), password: ui.password.value };
    ui.loginBtn.disabled = ui.registerBtn.disabled = true;
    show(ui.authError, '');
    let registered = false;
    try {
      if (register) { await api('POST', '/api/register', creds); registered = true; }
      const res = await api('POST', '/api/login', creds);
      startChat((res && res.username) || creds.username);
    } catch (e) {
      show(ui.authError, registered ? 'Account created, but logging in failed: ' + e.message : e.message);
    } finally {
      ui.loginBtn.disabled = ui.registerBtn.disabled = false;
    }
  }

  ui.authForm.addEventListener('submit', (ev) => { ev.preventDefault(); authenticate(false); });
  ui.registerBtn.addEventListener('click', () => authenticate(true));
  ui.busErrorClose.addEventListener('click', () => { ui.busError.hidden = true; });

  ui.logoutBtn.addEventListener('click', async () => {
    ui.logoutBtn.disabled = true;
    let message = '';
    await api('POST', '/api/logout').catch((e) => {
      if (e.status !== 401) message = 'Logging out may not have completed: ' + e.message;
    });
    ui.logoutBtn.disabled = false;
    showLogin(message);
  });

  // Start: the HttpOnly cookie decides which view we get.
  api('GET', '/api/me').then(
    (user) => (user && user.username ? startChat(user.username) : showLogin('')),
    (e) => showLogin(e.status === 401 ? '' : e.message)
  );
})();

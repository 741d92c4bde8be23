// One signed-in person: the rooms and dms they see, who is online, and the live feeds that keep both current.
import { get, post } from './api.js';
import { Room, ReadMarkers } from './rooms.js';
import { Connection } from './connection.js';

/** The node allows 100 registrations per connection; presence and the user's own address take two. */
const MAX_ROOM_FEEDS = 95;
/** Nothing announces a channel someone else created, so the list is refreshed now and then. */
const ROOMS_REFRESH_MS = 60000;
const PAGE = 50;
const GAP_PAGE = 200;
/** After a lost connection, at most one GET /api/me this often to tell an expired session from a network problem. */
const SESSION_PROBE_MS = 10000;

const messagesUrl = (room, query) => '/api/rooms/' + encodeURIComponent(room.name) + '/messages' + query;

export class Session {
  /** view: {rendered(), roomChanged(room), messages(room), connection(state), error(text), ended(text)} */
  constructor(me, view) {
    this.me = me;
    // Late answers for a session that has ended (signed out meanwhile) must not touch the page.
    this.view = new Proxy(view, { get: (target, key) => (this.closed ? () => {} : target[key]) });
    this.rooms = new Map();
    this.users = new Map(); // lowercase name -> {username, online}
    this.active = null;
    this.markers = new ReadMarkers(me);
    this.feeds = new Map(); // room name -> unsubscribe, for the current socket
    this.presenceDuringLoad = null;
    this.roomsLoading = null;
    this.everOpen = false;
    this.lastProbe = 0;
    this.closed = false;
    this.conn = new Connection({
      open: () => this.onOpen(),
      down: (reason) => this.onDown(reason),
      error: (text) => this.view.error(text)
    });
    this.refreshTimer = setInterval(() => this.loadRooms(), ROOMS_REFRESH_MS);
    // Another tab of this user read something: it is read here too.
    this.onStorage = (e) => { if (e.key === this.markers.key) this.syncMarkers(); };
    window.addEventListener('storage', this.onStorage);
  }

  start() {
    this.loadRooms();
    this.loadUsers();
  }

  close() {
    this.closed = true;
    clearInterval(this.refreshTimer);
    window.removeEventListener('storage', this.onStorage);
    this.conn.close();
  }

  // ---- rooms ----

  /** GET /api/rooms, one at a time: new rooms join the list (and are followed); the first answer picks the room to show. */
  loadRooms() {
    if (!this.roomsLoading) this.roomsLoading = this.fetchRooms().finally(() => { this.roomsLoading = null; });
    return this.roomsLoading;
  }

  async fetchRooms() {
    let list;
    try {
      list = await get('/api/rooms');
    } catch (e) {
      return this.failed(e);
    }
    if (this.closed) return;
    // Never used on this browser: what is there already counts as read, or every old message would be "unread".
    const firstVisit = !this.markers.known;
    for (const { name, lastSeq } of list) {
      const room = this.rooms.get(name);
      if (!room) {
        this.addRoom(name, lastSeq, firstVisit);
      } else if (!this.feeds.has(name) && room.messages.size === 0 && lastSeq > room.seen) {
        room.seen = lastSeq; // not followed live (too many rooms): lastSeq tells what is new
        room.oldest = lastSeq + 1;
      }
    }
    if (!this.active) this.select(this.initialRoom());
    this.view.rendered();
  }

  addRoom(name, lastSeq, readAll) {
    const room = new Room(name, lastSeq, this.me);
    const mark = this.markers.get(name);
    room.readSeq = mark !== null ? Math.min(mark, lastSeq) : (readAll ? lastSeq : 0);
    if (readAll) this.markers.set(name, room.readSeq);
    this.rooms.set(name, room);
    this.follow(room);
    return room;
  }

  initialRoom() {
    let remembered = null;
    try { remembered = localStorage.getItem('chat.active.' + this.me.toLowerCase()); } catch (e) { /* storage off */ }
    if (remembered && this.rooms.has(remembered)) return remembered;
    return this.rooms.has('general') ? 'general' : this.rooms.keys().next().value;
  }

  select(name) {
    const room = this.rooms.get(name);
    if (!room) return;
    this.active = name;
    try { localStorage.setItem('chat.active.' + this.me.toLowerCase(), name); } catch (e) { /* not remembered */ }
    this.follow(room);
    this.view.roomChanged(room);
    this.loadHistory(room);
  }

  async createRoom(name) {
    try {
      const created = await post('/api/rooms', { name });
      if (!this.rooms.has(created.name)) this.addRoom(created.name, created.lastSeq, false);
    } catch (e) {
      if (e.status !== 409) throw e;
      await this.loadRooms(); // it exists: someone else made it; join them
      if (!this.rooms.has(name)) throw e;
    }
    this.select(name);
  }

  async startDm(username) {
    try {
      const { room } = await post('/api/dms', { with: username });
      if (!this.rooms.has(room)) this.addRoom(room, 0, false);
      this.select(room);
    } catch (e) {
      this.failed(e);
    }
  }

  /** The newest page, the first time a room is shown. */
  async loadHistory(room) {
    if (room.historyLoaded || room.loadingHistory) return;
    room.loadingHistory = true;
    try {
      const page = await get(messagesUrl(room, '?limit=' + PAGE));
      room.add(page);
      room.historyLoaded = true;
      if (!page.length && room.oldest > 1) room.noOlder = true;
    } catch (e) {
      this.failed(e);
    } finally {
      room.loadingHistory = false;
    }
    this.view.messages(room);
  }

  /** The page before the oldest message shown, when the reader scrolls up. */
  async loadOlder(room) {
    if (room.loadingOlder || room.complete || !room.historyLoaded) return;
    room.loadingOlder = true;
    try {
      const page = await get(messagesUrl(room, '?before=' + room.oldest + '&limit=' + PAGE));
      room.add(page);
      if (!page.length) room.noOlder = true;
    } catch (e) {
      this.failed(e);
    } finally {
      room.loadingOlder = false;
    }
    this.view.messages(room);
  }

  /** A live message skipped ahead of `seen`: fetch the hole from history (single flight per room). */
  async fillGap(room) {
    if (room.filling) return;
    room.filling = true;
    try {
      for (;;) {
        const before = room.seen;
        const page = await get(messagesUrl(room, '?after=' + room.seen + '&limit=' + GAP_PAGE));
        room.add(page);
        if (page.length < GAP_PAGE || room.seen === before) break;
      }
    } catch (e) {
      this.failed(e);
    } finally {
      room.filling = false;
    }
    this.view.messages(room);
  }

  markRead(room, seq) {
    if (seq <= room.readSeq) return;
    room.readSeq = seq;
    this.markers.set(room.name, seq);
    this.view.rendered();
  }

  syncMarkers() {
    this.markers.reload();
    for (const room of this.rooms.values()) {
      const mark = this.markers.get(room.name);
      if (mark !== null && mark > room.readSeq) room.readSeq = Math.min(mark, room.seen);
    }
    this.view.rendered();
  }

  // ---- live feeds ----

  /** Registers chat.room.<name>, resuming after the last seq held so nothing is missed or repeated. */
  follow(room) {
    if (!this.conn.open || this.feeds.has(room.name)) return;
    if (this.feeds.size >= MAX_ROOM_FEEDS && !this.evictFor(room)) return;
    const unsubscribe = this.conn.subscribe('chat.room.' + room.name, { after: String(room.seen) },
      (m) => this.onMessage(room, m), (error) => this.onRefused(room, error));
    this.feeds.set(room.name, unsubscribe);
  }

  /** Makes room for the room on screen by no longer following some other channel live. */
  evictFor(room) {
    if (room.name !== this.active) return false;
    for (const [name, unsubscribe] of this.feeds) {
      const other = this.rooms.get(name);
      if (name !== this.active && other && !other.dm) {
        unsubscribe();
        this.feeds.delete(name);
        other.forget();
        return true;
      }
    }
    return false;
  }

  onMessage(room, m) {
    if (!m || (m.room !== undefined && m.room !== room.name) || !room.add([m])) return;
    // What I wrote (maybe in another tab) is read, unless older messages before it are still unread.
    if (m.from === this.me && room.readSeq >= m.seq - 1) this.markRead(room, m.seq);
    if (room.hasGap) this.fillGap(room);
    if (room.name !== this.active) room.trim();
    this.view.messages(room);
  }

  onRefused(room, error) {
    this.feeds.delete(room.name);
    this.view.error('Cannot follow ' + (room.dm ? 'this conversation' : '#' + room.name) + ': ' + error.message);
  }

  onOpen() {
    this.feeds.clear(); // the library forgot every registration along with the old socket
    this.view.connection('online');
    const complain = (error) => this.view.error(error.message);
    this.conn.subscribe('chat.presence', {}, (p) => this.onPresence(p), complain);
    this.conn.subscribe('chat.user.' + this.me, {}, (event) => this.onUserEvent(event), complain);
    const active = this.rooms.get(this.active);
    if (active) this.follow(active); // first, so it is never the one left out
    if (active && !active.historyLoaded) this.loadHistory(active); // it may have failed while offline
    for (const room of this.rooms.values()) this.follow(room);
    this.loadUsers(); // presence changes while we were away are not replayed
    if (this.everOpen || !this.active) this.loadRooms(); // new rooms, or a first attempt that failed
    this.everOpen = true;
  }

  onDown(reason) {
    this.feeds.clear();
    this.view.connection(reason);
    this.probeSession();
  }

  /** A socket refused at the handshake looks like any network problem: ask whether the session is still valid. */
  async probeSession() {
    const now = Date.now();
    if (now - this.lastProbe < SESSION_PROBE_MS) return;
    this.lastProbe = now;
    try {
      await get('/api/me');
    } catch (e) {
      if (e.status === 401) this.failed(e);
    }
  }

  onUserEvent(event) {
    if (!event || event.type !== 'dm' || typeof event.room !== 'string') return;
    if (!this.rooms.has(event.room)) this.addRoom(event.room, 0, false); // a new dm: every message in it is unread
    if (event.with && !this.users.has(String(event.with).toLowerCase())) this.loadUsers();
    this.view.rendered();
  }

  // ---- presence ----

  onPresence(p) {
    if (!p || typeof p.user !== 'string') return;
    const user = { username: p.user, online: !!p.online };
    this.users.set(p.user.toLowerCase(), user);
    if (this.presenceDuringLoad) this.presenceDuringLoad.set(p.user.toLowerCase(), user);
    this.view.rendered();
  }

  async loadUsers() {
    const during = this.presenceDuringLoad = new Map();
    try {
      const list = await get('/api/users');
      if (this.closed) return;
      const users = new Map(list.map((u) => [u.username.toLowerCase(), { username: u.username, online: !!u.online }]));
      for (const [name, user] of during) users.set(name, user); // events newer than the snapshot win
      this.users = users;
      this.view.rendered();
    } catch (e) {
      this.failed(e);
    } finally {
      if (this.presenceDuringLoad === during) this.presenceDuringLoad = null;
    }
  }

  failed(error) {
    if (this.closed) return;
    if (error.status === 401) this.view.ended('Your session has ended. Please sign in again.');
    else if (error.status !== 0 && error.status !== 503) this.view.error(error.message); // the banner covers being offline
  }
}

// What the client knows about each room and dm: the messages it holds, how far it is caught up, what was read.

/** Messages kept per room that is not on screen; the oldest go first (scrolling up fetches them again). */
const KEEP_OFFSCREEN = 300;

export const isDm = (name) => name.startsWith('dm:');

/** The other participant of a dm id "dm:<x>:<y>" (lowercased by the server). */
export function dmPeer(name, me) {
  const [, x, y] = name.split(':');
  return x === me.toLowerCase() ? y : x;
}

export class Room {
  constructor(name, lastSeq, me) {
    this.name = name;
    this.dm = isDm(name);
    this.peer = this.dm ? dmPeer(name, me) : null;
    /** Highest seq up to which every message has been received (or was there before we looked): the `after` to resume from. */
    this.seen = lastSeq || 0;
    this.readSeq = 0;
    /** seq -> message; a contiguous run ending at `seen`, plus any live ones beyond a gap being filled. */
    this.messages = new Map();
    /** Lowest seq of the contiguous run we hold; seen + 1 when we hold none. */
    this.oldest = this.seen + 1;
    this.historyLoaded = false; // the newest page was fetched once
    this.loadingOlder = false;
    this.noOlder = false;       // the server had nothing before `oldest` (only if seqs were ever lost)
  }

  get unread() {
    return Math.max(0, this.seen - this.readSeq);
  }

  /** True when the whole history down to seq 1 is held. */
  get complete() {
    return this.oldest <= 1 || this.noOlder;
  }

  /**
   * Adds messages (live or fetched, in any order, duplicates allowed: a seq is kept once) and moves `seen` and
   * `oldest` over what became contiguous. Returns whether anything new arrived.
   */
  add(list) {
    let added = false;
    for (const m of list) {
      if (!m || typeof m.seq !== 'number' || m.seq < 1 || this.messages.has(m.seq)) continue;
      this.messages.set(m.seq, m);
      added = true;
    }
    while (this.messages.has(this.seen + 1)) this.seen++;
    while (this.messages.has(this.oldest - 1)) this.oldest--;
    // Older ones not joined to the run would leave a hole on screen; scrolling up fetches them again.
    for (const seq of this.messages.keys()) if (seq < this.oldest) this.messages.delete(seq);
    return added;
  }

  /** A live message beyond `seen` + 1 means something was missed: the caller fetches the hole. */
  get hasGap() {
    for (const seq of this.messages.keys()) if (seq > this.seen + 1) return true;
    return false;
  }

  /** The held run in seq order: what the timeline shows. */
  visible() {
    const list = [];
    for (let seq = this.oldest; seq <= this.seen; seq++) {
      const m = this.messages.get(seq);
      if (m) list.push(m);
    }
    return list;
  }

  /** Forgets every held message, keeping `seen`: for a room that is no longer followed live. */
  forget() {
    this.messages.clear();
    this.oldest = this.seen + 1;
    this.historyLoaded = false;
    this.noOlder = false;
  }

  /** Drops the oldest messages of a room that is not on screen, so a long-lived tab stays small. */
  trim() {
    while (this.seen - this.oldest + 1 > KEEP_OFFSCREEN) {
      this.messages.delete(this.oldest);
      this.oldest++;
    }
  }
}

/** Per-user last-read seq per room, in localStorage, so unread counts survive a reload. */
export class ReadMarkers {
  constructor(user) {
    this.key = 'chat.read.' + user.toLowerCase();
    this.reload();
  }

  reload() {
    let stored = null;
    try { stored = JSON.parse(localStorage.getItem(this.key)); } catch (e) { /* unreadable: start afresh */ }
    this.known = stored !== null && typeof stored === 'object';
    this.marks = this.known ? stored : {};
  }

  get(room) {
    return typeof this.marks[room] === 'number' ? this.marks[room] : null;
  }

  /** Raises a room's mark; other tabs of the same user write the same key, so their marks are merged in first. */
  set(room, seq) {
    this.reload();
    this.known = true;
    if (typeof this.marks[room] === 'number' && this.marks[room] >= seq) return;
    this.marks[room] = seq;
    try { localStorage.setItem(this.key, JSON.stringify(this.marks)); } catch (e) { /* full or disabled: counts reset on reload */ }
  }
}

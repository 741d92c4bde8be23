// The message list of the room on screen: a contiguous run of seqs, grown at the bottom (live) and at the top
// (older history), following the newest message unless the reader scrolled up.
import { el, avatar, timeNode, dayKey, dayLabel } from './dom.js';

const GROUP_MS = 5 * 60 * 1000; // a sender's messages this close together share one header
const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 240;

export class Timeline {
  /** ui: {scroller, list, pending, top, jump}; hooks: {me() -> username, nearTop(room), read(room)} */
  constructor(ui, hooks) {
    this.ui = ui;
    this.hooks = hooks;
    this.room = null;
    this.nodes = new Map(); // seq -> <li>
    this.first = 0;         // lowest rendered seq (0: none)
    this.last = 0;          // highest rendered seq
    this.firstUnread = 0;
    this.unreadJump = false;
    this.missed = 0;        // arrived while the reader was scrolled up
    this.pinned = true;     // reading the newest: stay at the bottom when the list or its box changes size
    ui.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    // A banner, a growing composer or a phone keyboard shrinks the list: keep the newest message in view.
    new ResizeObserver(() => { if (this.pinned) this.ui.scroller.scrollTop = this.ui.scroller.scrollHeight; }).observe(ui.scroller);
    ui.jump.addEventListener('click', () => this.scrollToBottom());
  }

  /** Empties the list, e.g. for the next person signing in on this page. */
  reset() {
    this.room = null;
    this.nodes.clear();
    this.first = this.last = 0;
    this.ui.list.replaceChildren();
    this.ui.top.replaceChildren();
    this.ui.jump.hidden = true;
  }

  /** Renders a room afresh, scrolled to the newest, with a "New" line above the first unread message. */
  show(room) {
    this.room = room;
    this.nodes.clear();
    this.first = this.last = 0;
    this.missed = 0;
    this.firstUnread = room.unread > 0 ? room.readSeq + 1 : 0;
    this.unreadJump = this.firstUnread > 0; // once the newest page is there
    this.pinned = true;
    this.ui.jump.hidden = true;
    this.ui.list.replaceChildren();
    this.update();
  }

  /** More unread than fits: start at the "New" line (or the oldest loaded, all unread) rather than below them. */
  scrollToFirstUnread() {
    const s = this.ui.scroller;
    s.scrollTop = s.scrollHeight;
    const node = this.nodes.get(this.firstUnread);
    const top = node ? node.offsetTop - 16 : 0;
    if (top < s.scrollTop) s.scrollTop = top;
    this.pinned = this.atBottom;
    if (this.pinned) this.ui.jump.hidden = true;
  }

  get atBottom() {
    const s = this.ui.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  /** Shows whatever the room gained since the last call, keeping the reader's place. */
  update() {
    const room = this.room;
    if (!room) return;
    const s = this.ui.scroller;
    const follow = this.pinned || this.atBottom;
    const heightBefore = s.scrollHeight;
    const topBefore = s.scrollTop;
    let ownAdded = false;
    let added = 0;

    if (!this.last && room.seen >= room.oldest) {
      // Nothing on screen yet: start with the newest held message; the loops below add the rest.
      this.first = this.last = room.seen;
      this.insert(room.messages.get(room.seen), null);
    }
    for (let seq = this.last + 1; this.last && seq <= room.seen; seq++) {
      const m = room.messages.get(seq);
      this.last = seq;
      this.insert(m, null);
      added++;
      if (m.from === this.hooks.me()) ownAdded = true;
    }
    let prepended = false;
    for (let seq = this.first - 1; this.first && seq >= room.oldest; seq--) {
      this.insert(room.messages.get(seq), this.nodes.get(this.first));
      this.first = seq;
      this.decorate(seq + 1); // its predecessor is on screen now
      prepended = true;
    }

    this.renderTop();
    if (this.unreadJump && room.historyLoaded) {
      this.unreadJump = false;
      this.scrollToFirstUnread();
    } else if (follow || ownAdded) {
      this.scrollToBottom();
    } else {
      // Older messages went in above: keep the ones being read where they were.
      if (prepended) s.scrollTop = topBefore + (s.scrollHeight - heightBefore);
      if (added) this.showJump(this.missed += added);
    }
    this.maybeRead();
    this.maybeLoadOlder();
  }

  insert(m, before) {
    const node = this.messageNode(m);
    this.nodes.set(m.seq, node);
    this.ui.list.insertBefore(node, before);
    this.decorate(m.seq);
  }

  messageNode(m) {
    const own = m.from === this.hooks.me();
    const li = el('li', own ? 'msg own' : 'msg');
    li.dataset.seq = String(m.seq);
    const row = el('div', 'row');
    const body = el('div', 'body');
    const meta = el('div', 'meta');
    if (!own) meta.append(el('span', 'author', m.from));
    meta.append(timeNode(m.ts));
    // textContent keeps markup in a message as text; CSS keeps its line breaks and wraps long words.
    const bubble = el('p', 'bubble', m.text);
    bubble.title = timeNode(m.ts).title;
    body.append(meta, bubble);
    if (!own) row.append(avatar(m.from));
    row.append(body);
    li.append(row);
    return li;
  }

  /** Day line, "New" line and grouping depend on the message before: set them for message `seq`. */
  decorate(seq) {
    const node = this.nodes.get(seq);
    const m = this.room.messages.get(seq);
    const prev = seq > this.first ? this.room.messages.get(seq - 1) : null;
    const newDay = !prev || dayKey(prev.ts) !== dayKey(m.ts);
    const unreadStart = seq === this.firstUnread;
    node.classList.toggle('grouped', !!prev && !newDay && !unreadStart && prev.from === m.from && m.ts - prev.ts < GROUP_MS);
    for (const old of node.querySelectorAll(':scope > .divider')) old.remove();
    if (unreadStart) node.prepend(el('div', 'divider new', 'New'));
    if (newDay) node.prepend(el('div', 'divider day', dayLabel(m.ts)));
  }

  /** The line above the first message: loading, or where the conversation begins. */
  renderTop() {
    const room = this.room;
    const top = this.ui.top;
    top.replaceChildren();
    if (!room.historyLoaded || !room.complete) {
      top.append(el('span', 'loading', room.loadingOlder || !room.historyLoaded ? 'Loading messages…' : ''));
      return;
    }
    if (room.dm) {
      top.append(avatar(room.peer, 'large'), el('h2', '', room.peer),
        el('p', '', 'This is the beginning of your direct conversation with ' + room.peer + '.'));
    } else {
      top.append(el('span', 'room-icon large', '#'), el('h2', '', 'Welcome to #' + room.name),
        el('p', '', room.seen === 0 ? 'No messages yet. Say hi!' : 'This is the very beginning of #' + room.name + '.'));
    }
  }

  scrollToBottom() {
    const s = this.ui.scroller;
    s.scrollTop = s.scrollHeight;
    this.pinned = true;
    this.missed = 0;
    this.ui.jump.hidden = true;
    this.maybeRead();
  }

  showJump(count) {
    this.ui.jump.textContent = count === 1 ? '1 new message ↓' : count + ' new messages ↓';
    this.ui.jump.hidden = false;
  }

  onScroll() {
    this.pinned = this.atBottom;
    if (this.pinned) {
      this.missed = 0;
      this.ui.jump.hidden = true;
    }
    this.maybeRead();
    this.maybeLoadOlder();
  }

  /** Read = the newest message is on screen and the reader is at the bottom. */
  maybeRead() {
    if (this.room && this.last >= this.room.seen && this.atBottom) this.hooks.read(this.room);
  }

  /** Near the top (or the page is not even full): fetch the page before the oldest shown. */
  maybeLoadOlder() {
    const room = this.room;
    if (!room || !room.historyLoaded || room.complete || room.loadingOlder) return;
    if (this.ui.scroller.scrollTop < NEAR_TOP_PX) this.hooks.nearTop(room);
  }
}

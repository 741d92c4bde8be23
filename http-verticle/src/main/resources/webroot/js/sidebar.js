// The conversation list: channels, direct messages and people, with unread counts and who is online.
// On a phone-sized screen it is a drawer opened from the menu button.
import { el, avatar } from './dom.js';

const ROOM_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export class Sidebar {
  /** ui: ids from index.html; hooks: {select(room), startDm(user), createRoom(name) -> Promise} */
  constructor(ui, hooks) {
    this.ui = ui;
    this.hooks = hooks;
    ui.menuBtn.addEventListener('click', () => this.setOpen(!this.isOpen));
    ui.closeSidebar.addEventListener('click', () => this.setOpen(false));
    ui.scrim.addEventListener('click', () => this.setOpen(false));
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && this.isOpen) this.setOpen(false); });
    ui.newRoomBtn.addEventListener('click', () => this.toggleNewRoom());
    ui.newRoomForm.addEventListener('submit', (e) => { e.preventDefault(); this.submitNewRoom(); });
    ui.newRoomCancel.addEventListener('click', () => this.toggleNewRoom(false));
    ui.newRoomName.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation(); // closes the form, not the drawer around it
        this.toggleNewRoom(false);
        ui.newRoomBtn.focus();
      }
    });
  }

  get isOpen() {
    return this.ui.sidebar.classList.contains('open');
  }

  setOpen(open) {
    this.ui.sidebar.classList.toggle('open', open);
    this.ui.scrim.hidden = !open;
    this.ui.menuBtn.setAttribute('aria-expanded', String(open));
    if (open) {
      const current = this.ui.sidebar.querySelector('[aria-current="page"]');
      (current || this.ui.closeSidebar).focus();
    }
  }

  /** state: {me, rooms: Map, users: Map(lower -> {username, online}), active} */
  render(state) {
    const refocus = this.focusedKey();
    const rooms = [...state.rooms.values()];
    const channels = rooms.filter((r) => !r.dm).sort((a, b) => a.name.localeCompare(b.name));
    const dms = rooms.filter((r) => r.dm).sort((a, b) => b.seen - a.seen || a.peer.localeCompare(b.peer));
    this.ui.roomList.replaceChildren(...channels.map((r) => this.roomItem(r, state)));
    this.ui.dmList.replaceChildren(...dms.map((r) => this.dmItem(r, state)));
    this.ui.dmEmpty.hidden = dms.length > 0;
    this.renderPeople(state);
    const unread = rooms.reduce((sum, r) => sum + (r.name === state.active ? 0 : r.unread), 0);
    this.ui.menuBadge.hidden = unread === 0;
    this.ui.menuBadge.textContent = unread > 99 ? '99+' : String(unread);
    if (refocus) {
      const again = this.ui.sidebar.querySelector(refocus);
      if (again) again.focus();
    }
  }

  /** The lists are rebuilt on every change: remember which entry had keyboard focus to give it back. */
  focusedKey() {
    const node = document.activeElement;
    if (!node || !this.ui.sidebar.contains(node)) return null;
    if (node.dataset.room) return 'button[data-room="' + CSS.escape(node.dataset.room) + '"]';
    if (node.dataset.user) return 'button[data-user="' + CSS.escape(node.dataset.user) + '"]';
    return null;
  }

  roomItem(room, state) {
    return this.item(room, state, el('span', 'room-icon', '#'), room.name, 'Channel ' + room.name);
  }

  dmItem(room, state) {
    const user = state.users.get(room.peer);
    const name = user ? user.username : room.peer;
    return this.item(room, state, this.presenceAvatar(name, user && user.online), name, 'Direct messages with ' + name);
  }

  item(room, state, icon, label, description) {
    const li = el('li');
    const button = el('button', 'item' + (room.unread && room.name !== state.active ? ' has-unread' : ''));
    button.type = 'button';
    button.dataset.room = room.name;
    if (room.name === state.active) button.setAttribute('aria-current', 'page');
    button.append(icon, el('span', 'label', label));
    const unread = room.name === state.active ? 0 : room.unread;
    if (unread) {
      const badge = el('span', 'badge', unread > 99 ? '99+' : String(unread));
      badge.dataset.unread = String(unread);
      button.append(badge);
    }
    button.setAttribute('aria-label', description + (unread ? ', ' + unread + ' unread' : ''));
    button.addEventListener('click', () => { this.hooks.select(room.name); this.setOpen(false); });
    li.append(button);
    return li;
  }

  renderPeople(state) {
    const people = [...state.users.values()].sort((a, b) =>
      (b.online - a.online) || a.username.localeCompare(b.username, undefined, { sensitivity: 'base' }));
    const online = people.filter((u) => u.online).length;
    this.ui.onlineCount.textContent = online + ' online';
    this.ui.userList.replaceChildren(...people.map((u) => this.personItem(u, state.me)));
  }

  personItem(user, me) {
    const self = user.username.toLowerCase() === me.toLowerCase();
    const li = el('li');
    const button = el('button', 'item person' + (user.online ? ' online' : ' offline'));
    button.type = 'button';
    button.dataset.user = user.username;
    button.dataset.online = String(user.online);
    button.append(this.presenceAvatar(user.username, user.online), el('span', 'label', user.username));
    if (self) {
      button.append(el('span', 'tag', 'you'));
      button.disabled = true;
    } else {
      button.title = 'Message ' + user.username;
      button.addEventListener('click', () => { this.hooks.startDm(user.username); this.setOpen(false); });
    }
    button.setAttribute('aria-label', user.username + (self ? ' (you)' : '') + ', ' + (user.online ? 'online' : 'offline'));
    li.append(button);
    return li;
  }

  presenceAvatar(name, online) {
    const wrap = el('span', 'avatar-wrap');
    wrap.append(avatar(name, 'small'), el('span', 'presence' + (online ? ' on' : '')));
    return wrap;
  }

  toggleNewRoom(show = this.ui.newRoomForm.hidden) {
    this.ui.newRoomForm.hidden = !show;
    this.ui.newRoomBtn.setAttribute('aria-expanded', String(show));
    this.ui.newRoomError.hidden = true;
    if (show) this.ui.newRoomName.focus();
    else this.ui.newRoomName.value = '';
  }

  async submitNewRoom() {
    const name = this.ui.newRoomName.value.trim().toLowerCase();
    if (!ROOM_NAME.test(name)) {
      return this.newRoomError('Use 1–32 lowercase letters, digits, "-" or "_", starting with a letter or digit.');
    }
    this.ui.newRoomSubmit.disabled = true;
    try {
      await this.hooks.createRoom(name);
      this.toggleNewRoom(false);
      this.setOpen(false);
    } catch (e) {
      this.newRoomError(e.message);
    } finally {
      this.ui.newRoomSubmit.disabled = false;
    }
  }

  newRoomError(text) {
    this.ui.newRoomError.textContent = text;
    this.ui.newRoomError.hidden = false;
  }
}

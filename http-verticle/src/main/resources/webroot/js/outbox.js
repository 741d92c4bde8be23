// Messages the person wrote that the server has not confirmed yet: shown at the end of the timeline as
// "Sending…", kept across a reconnect and sent then, in the order they were written.
import { el } from './dom.js';

let nextId = 1;

export class Outbox {
  /** hooks: {connection() -> Connection|null, failed(error, item), changed()} */
  constructor(list, hooks) {
    this.list = list; // the <ol> after the messages
    this.hooks = hooks;
    this.items = [];
    this.busy = false;
    this.room = null; // the room on screen
  }

  add(room, text) {
    this.items.push({ id: nextId++, room, text, state: 'queued', error: '' });
    this.render();
    this.pump();
  }

  /** Sends the oldest queued message when connected, one at a time so they are stored in the order written. */
  async pump() {
    const conn = this.hooks.connection();
    const item = this.items.find((i) => i.state === 'queued');
    if (this.busy || !item || !conn || !conn.open) return;
    this.busy = true;
    item.state = 'sending';
    this.render();
    try {
      const reply = await conn.send(item.room, item.text);
      item.state = 'sent';
      item.seq = reply.seq;
      this.hooks.changed(); // the room may already hold it, if the message outran its reply
    } catch (error) {
      this.fail(item, error);
    } finally {
      this.busy = false;
      this.render();
    }
    this.pump();
  }

  fail(item, error) {
    if (error.retryable) {
      item.state = 'failed';
      item.error = error.message;
    } else {
      this.remove(item); // the text has to change first: the caller puts it back in the composer
    }
    this.hooks.failed(error, item);
  }

  remove(item) {
    this.items = this.items.filter((i) => i !== item);
  }

  /** Drops sent messages once the room shows them (their seq arrived), so nothing appears twice. */
  confirm(rooms) {
    const before = this.items.length;
    this.items = this.items.filter((i) => !(i.state === 'sent' && rooms.get(i.room) && rooms.get(i.room).seen >= i.seq));
    if (this.items.length !== before) this.render();
  }

  show(room) {
    this.room = room;
    this.render();
  }

  render() {
    const items = this.items.filter((i) => i.room === this.room);
    this.list.replaceChildren(...items.map((item) => this.node(item)));
  }

  node(item) {
    const li = el('li', 'msg own pending ' + item.state);
    const body = el('div', 'body');
    const status = el('div', 'meta status');
    if (item.state === 'failed') {
      status.append(el('span', 'failed-text', 'Not sent: ' + item.error));
      status.append(this.button('Retry', () => { item.state = 'queued'; item.error = ''; this.render(); this.pump(); }));
      status.append(this.button('Delete', () => { this.remove(item); this.render(); }));
    } else {
      const conn = this.hooks.connection();
      status.textContent = item.state === 'queued' && !(conn && conn.open) ? 'Waiting for connection…' : 'Sending…';
    }
    body.append(status, el('p', 'bubble', item.text));
    const row = el('div', 'row');
    row.append(body);
    li.append(row);
    return li;
  }

  button(label, action) {
    const button = el('button', 'link-btn', label);
    button.type = 'button';
    button.addEventListener('click', action);
    return button;
  }
}

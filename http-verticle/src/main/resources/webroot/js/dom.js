// Small DOM and formatting helpers. Everything user-supplied goes through textContent, never innerHTML.

/** An element with an optional class list and text (set as text, so markup in it stays text). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export const $ = (id) => document.getElementById(id);

/** Shows a text in a node, or hides the node when there is none. */
export function showText(node, text) {
  node.textContent = text || '';
  node.hidden = !text;
}

const AVATAR_COLOURS = 8;

/** A stable colour class per name, so a person keeps their colour on every screen. */
function colourClass(name) {
  let hash = 0;
  for (const ch of String(name).toLowerCase()) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return 'c' + (hash % AVATAR_COLOURS);
}

/** Up to two letters: "alice" -> "AL", "mary.jane" -> "MJ", "x_men-2" -> "XM". */
export function initials(name) {
  const parts = String(name).split(/[._\-\s]+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : String(name).slice(0, 2);
  return letters.toUpperCase();
}

export function avatar(name, size) {
  const node = el('span', 'avatar ' + colourClass(name) + (size ? ' ' + size : ''), initials(name));
  node.setAttribute('aria-hidden', 'true');
  return node;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const dayYearFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });

/** A <time> showing the local hour and minute, with the full date as tooltip. */
export function timeNode(ts) {
  const date = new Date(ts);
  const node = el('time', 'time', isNaN(date) ? '' : timeFormat.format(date));
  if (!isNaN(date)) {
    node.dateTime = date.toISOString();
    node.title = fullFormat.format(date);
  }
  return node;
}

/** A key that changes when the local calendar day changes. */
export function dayKey(ts) {
  const d = new Date(ts);
  return d.getFullYear() + '-' + d.getMonth() + '-' + d.getDate();
}

/** "Today", "Yesterday", "Monday, November 17" (with the year when it is not this year). */
export function dayLabel(ts) {
  const date = new Date(ts);
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (dayKey(date) === dayKey(today)) return 'Today';
  if (dayKey(date) === dayKey(yesterday)) return 'Yesterday';
  return (date.getFullYear() === today.getFullYear() ? dayFormat : dayYearFormat).format(date);
}

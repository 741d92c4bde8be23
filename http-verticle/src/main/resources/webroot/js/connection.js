// The SockJS event-bus bridge through the official vertx-eventbus.js (a global EventBus from a classic script).
import { describeError } from './api.js';

/** A send whose reply never comes (e.g. refused before it reached the chat) fails after this long. */
const SEND_TIMEOUT_MS = 15000;
/** Only transports that work under CSP default-src 'self' (SockJS's iframe transports load scripts from a CDN). */
const TRANSPORTS = ['websocket', 'xhr-streaming', 'xhr-polling'];

export class SendError extends Error {
  constructor(status, message, retryable) {
    super(message);
    this.status = status;
    this.retryable = retryable; // worth a Retry button, as opposed to editing the text
  }
}

/**
 * One bridge connection that reconnects by itself. `events` gets: open() on every (re)connect, after which
 * every registration must be made again (the library forgets them); down(reason) when the socket is lost,
 * where reason is 'restart' after the server's 1012 notice, 'refused' after too_many_connections, else 'lost';
 * error(text) for bridge errors worth showing.
 */
export class Connection {
  constructor(events) {
    this.events = events;
    this.inFlight = new Set();
    this.closing = false;
    this.notice = null; // the server's close reason, announced just before it closes the socket
    this.eb = new EventBus(location.origin + '/eventbus', {
      transports: TRANSPORTS,
      // Back within about 2 s of a node restart, instead of the library's default of up to 5 s.
      vertxbus_reconnect_delay_min: 500,
      vertxbus_reconnect_delay_max: 2000
    });
    this.eb.enableReconnect(true);
    this.eb.onopen = () => this.onOpen();
    this.eb.onclose = () => this.onClose();
    this.eb.onerror = (frame) => this.onError(frame);
  }

  get open() {
    return !this.closing && this.eb.state === EventBus.OPEN;
  }

  onOpen() {
    if (this.closing) return;
    this.notice = null;
    this.events.open();
  }

  onClose() {
    // The library's reply handlers die with the socket: settle our sends, whose fate is now unknown.
    for (const pending of [...this.inFlight]) {
      pending.fail(new SendError(0, 'The connection dropped while sending; the message may not have been sent.', true));
    }
    if (this.closing) return;
    const reason = this.notice === 'service_restart' ? 'restart' : this.notice === 'too_many_connections' ? 'refused' : 'lost';
    // Retrying a refusal would only be refused again (README: do not retry in a loop).
    if (reason === 'refused') this.eb.enableReconnect(false);
    this.events.down(reason);
  }

  /** Frames no handler claims: the close notice {"type":"err","failureType":"CLOSE","body":"service_restart"}, refusals. */
  onError(frame) {
    if (!frame || this.closing) return;
    if (frame.failureType === 'CLOSE') {
      this.notice = frame.body;
      return;
    }
    // "rejected" follows a registration failure already reported to that handler.
    if (frame.body === 'rejected') return;
    this.events.error('Chat connection error: ' + (frame.body || frame.message || 'unknown').replace(/_/g, ' '));
  }

  /** registerHandler; onError gets an Error with the failure's status for a refused registration. */
  subscribe(address, headers, onMessage, onError) {
    const handler = (err, msg) => {
      if (err) onError(new SendError(err.failureCode, describeError(err.failureCode, err.message), false));
      else onMessage(msg.body);
    };
    this.eb.registerHandler(address, headers, handler);
    return () => {
      try { this.eb.unregisterHandler(address, {}, handler); } catch (closed) { /* gone with the socket anyway */ }
    };
  }

  /** chat.send as a promise of the reply {"id","room","seq","ts"}; rejects with a SendError. */
  send(room, text) {
    return new Promise((resolve, reject) => {
      const pending = {
        done: (reply) => settle(() => resolve(reply)),
        fail: (error) => settle(() => reject(error))
      };
      const timer = setTimeout(() => pending.fail(new SendError(0, 'No answer from the server; the message may not have been sent.', true)), SEND_TIMEOUT_MS);
      const settle = (action) => {
        if (!this.inFlight.delete(pending)) return; // settled already (a late reply after a timeout)
        clearTimeout(timer);
        action();
      };
      this.inFlight.add(pending);
      try {
        this.eb.send('chat.send', { room, text }, {}, (err, reply) => {
          if (!err) return pending.done(reply.body);
          // 429 and 503 pass by themselves; anything else needs the text or the room changed.
          const retryable = err.failureCode === 429 || err.failureCode === 503;
          pending.fail(new SendError(err.failureCode, describeError(err.failureCode, err.message), retryable));
        });
      } catch (notOpen) {
        pending.fail(new SendError(0, 'Not connected.', true));
      }
    });
  }

  close() {
    this.closing = true;
    this.eb.enableReconnect(false);
    // close() throws between reconnect attempts, when there is no socket to close.
    try { this.eb.close(); } catch (noSocket) { /* nothing to close */ }
  }
}

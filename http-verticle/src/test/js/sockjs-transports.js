#!/usr/bin/env node
// The bridge through one SockJS transport, with the official clients from npm
// (@vertx/eventbus-bridge-client.js on sockjs-client), as a browser without
// WebSocket would use it.
//
//   node src/test/js/sockjs-transports.js <baseUrl> <token> <transport>
//
// <transport>: websocket, xhr-streaming, xhr-polling, eventsource, ...
// The npm packages come from src/main/frontend/node_modules (installed by the
// build), or from CHAT_NODE_MODULES / NODE_PATH.
//
// Registers chat.room.general, sends chat.send {room:'general', text:'via <transport>'}
// with a reply callback, waits for the reply and for its own message on the
// room handler, and registers another user's address (chat.user.someoneelse),
// which must be refused with failureCode 403. Prints one JSON line and exits 0;
// on any failure, or after 10 s, prints the reason on stderr and exits 1.
'use strict';

const fs = require('fs');
const path = require('path');

const TIMEOUT_MS = 10000;
const ROOM = 'chat.room.general';
const FORBIDDEN = 'chat.user.someoneelse';

const [baseUrl, token, transport] = process.argv.slice(2);
if (!baseUrl || !token || !transport) {
  fail('usage: node sockjs-transports.js <baseUrl> <token> <transport>');
}

const EventBus = requireModule('@vertx/eventbus-bridge-client.js');
const text = 'via ' + transport;
const seen = {
  requested: transport,
  transport: null,
  reply: null,
  message: null,
  roomSeqs: [],
  refusal: null,
  unhandledErrors: []
};
let finished = false;

const timer = setTimeout(() => fail('timed out after ' + TIMEOUT_MS + ' ms; so far: ' + JSON.stringify(seen)), TIMEOUT_MS);

const eb = new EventBus(baseUrl + '/eventbus?token=' + encodeURIComponent(token), { transports: [transport] });

// {"type":"err","body":"rejected"} has no address: the client hands it to onerror.
eb.onerror = (err) => seen.unhandledErrors.push(err);

eb.onclose = (e) => {
  if (!finished) {
    fail('socket closed before the end: ' + (e && e.code) + ' ' + (e && e.reason) + '; so far: ' + JSON.stringify(seen));
  }
};

eb.onopen = () => {
  // Read now: sockjs-client forgets its transport once the socket closes.
  seen.transport = eb.sockJSConn.transport;
  // "after": the server replays what is stored first, so our own message cannot
  // slip past a registration the server has not finished yet.
  eb.registerHandler(ROOM, { after: '0' }, (err, msg) => {
    if (err) {
      fail('error on ' + ROOM + ': ' + JSON.stringify(err));
    }
    seen.roomSeqs.push(msg.body.seq);
    if (msg.body.text === text) {
      seen.message = msg.body;
    }
    check();
  });
  eb.registerHandler(FORBIDDEN, (err, msg) => {
    if (!err) {
      fail('a message arrived on ' + FORBIDDEN + ', which must be refused: ' + JSON.stringify(msg));
    }
    seen.refusal = { failureCode: err.failureCode, failureType: err.failureType, message: err.message };
    check();
  });
  eb.send('chat.send', { room: 'general', text: text }, (err, reply) => {
    if (err) {
      fail('chat.send failed: ' + JSON.stringify(err));
    }
    seen.reply = reply.body;
    check();
  });
};

function check() {
  if (finished || !seen.reply || !seen.message || !seen.refusal) {
    return;
  }
  finished = true;
  clearTimeout(timer);
  if (seen.refusal.failureCode !== 403) {
    fail('the refused registration got failureCode ' + seen.refusal.failureCode + ', not 403: ' + JSON.stringify(seen));
  }
  if (seen.message.seq !== seen.reply.seq || seen.message.id !== seen.reply.id) {
    fail('the message on ' + ROOM + ' is not the one acknowledged: ' + JSON.stringify(seen));
  }
  eb.close();
  fs.writeSync(1, JSON.stringify(seen) + '\n');
  process.exit(0);
}

/** Written synchronously, then out at once: nothing after a failure runs on as if it had not happened. */
function fail(reason) {
  finished = true;
  fs.writeSync(2, 'sockjs-transports: ' + reason + '\n');
  process.exit(1);
}

/** From CHAT_NODE_MODULES, the module's own node_modules, then NODE_PATH and the usual places. */
function requireModule(name) {
  const paths = [
    process.env.CHAT_NODE_MODULES,
    path.resolve(__dirname, '..', '..', 'main', 'frontend', 'node_modules')
  ].filter(Boolean);
  let resolved;
  try {
    resolved = require.resolve(name, { paths: paths });
  } catch (notThere) {
    try {
      resolved = require.resolve(name);
    } catch (nowhere) {
      fail('cannot find ' + name + ' in ' + paths.join(', ') + ' or NODE_PATH: run the Maven build (npm ci) first');
    }
  }
  return require(resolved);
}

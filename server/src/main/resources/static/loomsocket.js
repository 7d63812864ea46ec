/*
 * loomsocket.js: a WebSocket for pages that reconnects by itself, resumes where it left off and
 * keeps what is typed while it is away. No build step, no dependency. Served by every loomsocket
 * app at /static/loomsocket.js (a classpath resource of the server).
 *
 *   const sock = loomsocket.connect('/chat/lobby', {
 *     onmessage: msg => show(msg),          // every JSON message from the server, parsed
 *     onstatus: state => badge(state),      // 'connecting', 'open', 'closed'
 *   });
 *   sock.send({type: 'message', text: 'hello'});   // sent now, or queued until reconnected
 *   sock.send({type: 'direct', to: 'bob', text: 'hi'});
 *
 * Messages are JSON both ways. A message with an "id" (a kept message, "<ms>-<seq>") moves
 * sock.lastId on; each new connection asks for what it missed with ?since=<lastId>, and the server
 * answers with those messages, then {"type":"resumed","complete":true|false} (false: some were no
 * longer kept). A message whose id is not after lastId is not delivered twice.
 *
 * Reconnecting: exponential backoff with full jitter, a random pause up to
 * min(maxDelay, initialDelay * 2^attempt). It stops after close(), or when the server closes with
 * 1000 (normal), 1003, 1007, 1008 (policy: e.g. not logged in) or 1009.
 * Limits: maxQueueBytes (default 1 MiB) of messages typed while disconnected; past it send()
 * returns false and the message is not queued.
 */
(function (global) {
  'use strict';

  var FINAL_CODES = [1000, 1003, 1007, 1008, 1009];

  function parseId(id) {
    var m = /^(\d+)-(\d+)$/.exec(String(id));
    return m ? [Number(m[1]), Number(m[2])] : null;
  }

  function after(a, b) { return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]); }

  function utf8Length(s) {
    return typeof TextEncoder !== 'undefined' ? new TextEncoder().encode(s).length : unescape(encodeURIComponent(s)).length;
  }

  function wsUrl(path) {
    var u = new URL(path, global.location.href);
    if (u.protocol === 'http:') u.protocol = 'ws:';
    else if (u.protocol === 'https:') u.protocol = 'wss:';
    return u;
  }

  function LoomSocket(path, options) {
    options = options || {};
    this.path = path;
    this.onmessage = options.onmessage || function () {};
    this.onstatus = options.onstatus || function () {};
    this.initialDelay = options.initialDelay || 250;
    this.maxDelay = options.maxDelay || 10000;
    this.maxQueueBytes = options.maxQueueBytes || (1 << 20);
    this.lastId = options.lastId || null;
    this.state = 'connecting';
    this.connections = 0;
    this.queue = [];
    this.queueBytes = 0;
    this.attempt = 0;
    this.closed = false;
    this.ws = null;
    this.timer = null;
    this.open();
  }

  LoomSocket.prototype.status = function (state) {
    if (this.state === state) return;
    this.state = state;
    try { this.onstatus(state); } catch (e) { setTimeout(function () { throw e; }); }
  };

  LoomSocket.prototype.open = function () {
    var self = this;
    var url = wsUrl(this.path);
    if (this.lastId) url.searchParams.set('since', this.lastId);
    this.status('connecting');
    var ws;
    try {
      ws = new WebSocket(url.toString());
    } catch (e) {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = function () {
      self.attempt = 0;
      self.connections++;
      self.status('open');
      while (self.queue.length && ws.readyState === WebSocket.OPEN) {
        var text = self.queue.shift();
        self.queueBytes -= utf8Length(text);
        ws.send(text);
      }
    };
    ws.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; } // not JSON: not ours
      if (msg && typeof msg.id === 'string') {
        var id = parseId(msg.id);
        if (id) {
          var last = self.lastId && parseId(self.lastId);
          if (last && !after(id, last)) return; // already had it
          self.lastId = msg.id;
        }
      }
      self.onmessage(msg);
    };
    ws.onclose = function (event) {
      if (self.ws !== ws) return;
      self.ws = null;
      if (self.closed || FINAL_CODES.indexOf(event.code) >= 0) {
        self.closed = true;
        self.status('closed');
        return;
      }
      self.retry();
    };
  };

  LoomSocket.prototype.retry = function () {
    var self = this;
    this.status('connecting');
    var cap = Math.min(this.maxDelay, this.initialDelay * Math.pow(2, this.attempt));
    this.attempt++;
    this.timer = setTimeout(function () {
      self.timer = null;
      if (!self.closed) self.open();
    }, Math.random() * cap);
  };

  /** Sends (an object is sent as JSON); queues while disconnected. False if the queue is full or closed. */
  LoomSocket.prototype.send = function (msg) {
    if (this.closed) return false;
    var text = typeof msg === 'string' ? msg : JSON.stringify(msg);
    if (this.ws && this.ws.readyState === WebSocket.OPEN && this.queue.length === 0) {
      this.ws.send(text);
      return true;
    }
    var n = utf8Length(text);
    if (this.queueBytes + n > this.maxQueueBytes) return false;
    this.queue.push(text);
    this.queueBytes += n;
    return true;
  };

  /** Closes for good (code 1000): no more reconnecting. */
  LoomSocket.prototype.close = function () {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
    this.status('closed');
  };

  global.loomsocket = {
    connect: function (path, options) { return new LoomSocket(path, options); },
    LoomSocket: LoomSocket
  };
})(typeof window !== 'undefined' ? window : this);

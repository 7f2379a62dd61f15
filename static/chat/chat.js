/* The live chat in the browser, for the citizen's chat page and each room of the
   operator's desk (desk.js builds those with GosupportChat.ChatRoom).

   The page already holds the transcript the server rendered, complete up to
   data-complete-to-seq. This script connects to /ws/chat/<number>/ on the same origin
   (the session cookie signs in), adds live messages in seq order, and never loses one:
   a message is kept until the server acknowledges its client_id and is sent again after
   a reconnect (the same client_id is stored once); a socket that drops reconnects by
   itself with a growing delay and resumes after the last contiguous seq it holds; a
   message whose seq jumps ahead makes it ask for the missing ones. A citizen never sees
   private notes, so a gap that a resume does not fill is a note and is skipped.
   Words come from the data attributes of #chat-strings, already translated. */
(function () {
  "use strict";

  var FINAL_CLOSE_CODES = [4401, 4403, 4404];
  var TYPING_EVERY_MS = 3000;
  var TYPING_SHOWN_MS = 5000;
  var RESUME_SETTLE_MS = 1500;
  var MAX_BACKOFF_MS = 30000;
  var ACK_BROADCAST_WAIT_MS = 2000;

  function fill(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined || values[key] === null ? "" : String(values[key]);
    });
  }

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID exists only in secure contexts; plain-http intranets still get a v4 UUID.
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /* wait_seconds from a chat root's data-wait: a number, or null when there is no estimate. */
  function waitOf(root) {
    var wait = parseInt(root.dataset.wait, 10);
    return isNaN(wait) ? null : wait;
  }

  function csrfToken(scope) {
    var input = (scope || document).querySelector("input[name=csrfmiddlewaretoken]") ||
      document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* The first readable sentence of a REST error body, whatever its shape. */
  function firstMessage(body) {
    if (!body) { return ""; }
    if (typeof body === "string") { return body; }
    if (Array.isArray(body)) { return body.length ? firstMessage(body[0]) : ""; }
    if (typeof body === "object") {
      if (body.detail) { return firstMessage(body.detail); }
      for (var key in body) {
        if (Object.prototype.hasOwnProperty.call(body, key)) {
          var found = firstMessage(body[key]);
          if (found) { return found; }
        }
      }
    }
    return "";
  }

  function safeUrl(url) {
    return typeof url === "string" && /^(\/(?!\/)|https?:\/\/)/.test(url) ? url : null;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function postJson(url, scope, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(scope), "Accept": "application/json" },
      body: JSON.stringify(body)
    });
  }

  function rejectWithReason(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      throw new Error(firstMessage(body) || String(response.status));
    });
  }

  function ChatRoom(root, strings, hooks) {
    this.root = root;
    this.strings = strings;
    this.hooks = hooks || {};
    this.role = root.dataset.role;
    this.ownKind = this.role === "citizen" ? "citizen" : "operator";
    this.number = root.dataset.number;
    this.status = root.dataset.status;
    this.known = {};
    this.awaiting = {};
    this.contiguous = parseInt(root.dataset.completeToSeq, 10) || 0;
    this.peerRead = 0;
    this.readSent = 0;
    this.lastTypingSent = 0;
    this.attempt = 0;
    this.connection = 0;
    this.everOpened = false;
    this.stopped = false;
    this.ws = null;
    this.resumeTimer = null;
    this.storageKey = "gosupport-chat-pending-" + this.number;
    this.find();
    this.readTranscript();
    this.pending = this.loadPending();
    this.pendingActions = [];
    this.bind();
    root.classList.add("chat--live");
    this.setStatus({ status: this.status, position: root.dataset.position, wait_seconds: waitOf(root),
                     operator: { name: root.dataset.operator } });
    this.connect();
  }

  ChatRoom.prototype.find = function () {
    var q = this.root.querySelector.bind(this.root);
    this.logBox = q("[data-chat-log-box]");
    this.log = q("[data-chat-log]");
    this.statusEl = q("[data-chat-status]");
    this.connectionEl = q("[data-chat-connection]");
    this.typingEl = q("[data-chat-typing]");
    this.errorEl = q("[data-chat-error]");
    this.composer = q("[data-chat-composer]");
    this.textEl = q("[data-chat-text]");
    this.filesEl = q("[data-chat-files]");
    this.ratingSection = q("[data-chat-rating]");
    this.ratingForm = q("[data-chat-rating-form]");
    this.ratedEl = q("[data-chat-rated]");
  };

  ChatRoom.prototype.readTranscript = function () {
    var self = this;
    this.log.querySelectorAll("li[data-seq]").forEach(function (item) {
      self.known[parseInt(item.dataset.seq, 10)] = item;
    });
    this.advance();
    this.scrollDown();
  };

  /* --- the socket ---------------------------------------------------------------- */

  ChatRoom.prototype.connect = function () {
    if (this.stopped) { return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + window.location.host + this.root.dataset.ws);
    var self = this;
    this.connection += 1;
    this.ws = ws;
    this.say(this.strings.connecting);
    ws.onopen = function () { self.opened(); };
    ws.onmessage = function (event) { self.receive(event.data); };
    ws.onclose = function (event) { if (self.ws === ws) { self.closed(event.code); } };
  };

  ChatRoom.prototype.opened = function () {
    this.attempt = 0;
    this.say("");
    this.send({ type: "resume", after_seq: this.contiguous });
    this.resendPending();
    this.pendingActions.splice(0).forEach(function (frame) { this.send(frame); }, this);
    if (this.everOpened) { this.refreshStatus(); }
    this.everOpened = true;
    this.sendRead();
  };

  ChatRoom.prototype.closed = function (code) {
    this.ws = null;
    if (this.stopped) { return; }
    if (FINAL_CLOSE_CODES.indexOf(code) !== -1) {
      this.stopped = true;
      this.say(this.strings.refused);
      return;
    }
    var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, this.attempt)) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.say(fill(this.strings.reconnecting, { seconds: Math.ceil(delay / 1000) }));
    window.setTimeout(this.connect.bind(this), delay);
  };

  ChatRoom.prototype.stop = function () {
    this.stopped = true;
    if (this.ws) { this.ws.close(); }
  };

  ChatRoom.prototype.isOpen = function () {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  };

  ChatRoom.prototype.send = function (frame) {
    if (!this.isOpen()) { return false; }
    this.ws.send(JSON.stringify(frame));
    return true;
  };

  ChatRoom.prototype.receive = function (data) {
    var frame;
    try { frame = JSON.parse(data); } catch (error) { return; }
    var handler = this.handlers[frame.type];
    if (handler) { handler.call(this, frame); }
  };

  ChatRoom.prototype.handlers = {
    message: function (frame) { this.addMessage(frame); },
    ack: function (frame) { this.acknowledged(frame); },
    status: function (frame) { this.setStatus(frame); },
    typing: function (frame) { this.showTyping(frame); },
    read: function (frame) { this.peerHasRead(frame); },
    rated: function () { this.rated(); },
    error: function (frame) { this.showError(frame.detail || frame.code); }
  };

  /* After a reconnect a status frame may have been missed: the page tells the truth. */
  ChatRoom.prototype.refreshStatus = function () {
    var self = this;
    fetch(this.root.dataset.pageUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector('[data-chat-root][data-number="' + self.number + '"]');
        if (fresh) {
          self.setStatus({ status: fresh.dataset.status, position: fresh.dataset.position,
                           wait_seconds: waitOf(fresh), operator: { name: fresh.dataset.operator } });
        }
      })
      .catch(function () { /* the next status frame corrects it */ });
  };

  /* --- messages in seq order ----------------------------------------------------- */

  ChatRoom.prototype.advance = function () {
    while (this.known[this.contiguous + 1]) { this.contiguous += 1; }
  };

  ChatRoom.prototype.highestKnown = function () {
    return Object.keys(this.known).reduce(function (high, seq) { return Math.max(high, parseInt(seq, 10)); }, 0);
  };

  ChatRoom.prototype.place = function (item, seq) {
    var later = null;
    this.log.querySelectorAll("li[data-seq]").forEach(function (other) {
      if (later === null && parseInt(other.dataset.seq, 10) > seq) { later = other; }
    });
    this.log.insertBefore(item, later || this.firstPending());
    this.known[seq] = item;
    if (seq > this.contiguous + 1) { this.askForGap(); }
    this.advance();
  };

  ChatRoom.prototype.firstPending = function () {
    return this.log.querySelector("li[data-client-id]");
  };

  ChatRoom.prototype.askForGap = function () {
    if (this.resumeTimer !== null) { return; }
    var connection = this.connection;
    var self = this;
    this.send({ type: "resume", after_seq: this.contiguous });
    this.resumeTimer = window.setTimeout(function () {
      self.resumeTimer = null;
      // The replay has come: what is still missing below the highest seq is not for us.
      if (connection === self.connection && self.isOpen()) {
        self.contiguous = Math.max(self.contiguous, self.highestKnown());
        self.sendRead();
      }
    }, RESUME_SETTLE_MS);
  };

  ChatRoom.prototype.addMessage = function (frame) {
    if (typeof frame.seq !== "number" || this.known[frame.seq]) { return; }
    if (this.awaiting[frame.seq]) {
      this.awaiting[frame.seq].remove();
      delete this.awaiting[frame.seq];
    }
    this.place(this.buildMessage(frame), frame.seq);
    if (frame.author !== this.ownKind) {
      this.typingEl.textContent = "";
      this.sendRead();
      if (this.hooks.onPeerMessage) { this.hooks.onPeerMessage(frame); }
    }
    this.scrollDown();
  };

  ChatRoom.prototype.authorLabel = function (author) {
    return this.strings["label" + author.charAt(0).toUpperCase() + author.slice(1)] || author;
  };

  ChatRoom.prototype.buildMessage = function (frame) {
    var item = element("li", "chat-msg chat-msg--" + frame.author + (frame.internal ? " chat-msg--internal" : ""));
    item.dataset.seq = frame.seq;
    item.dataset.author = frame.author;
    item.appendChild(this.buildMeta(frame));
    if (frame.text) { item.appendChild(element("p", "chat-msg__text", frame.text)); }
    if (frame.attachments && frame.attachments.length) { item.appendChild(this.buildFiles(frame.attachments)); }
    if (frame.actions && frame.actions.length) { item.appendChild(this.buildActions(frame.actions)); }
    return item;
  };

  ChatRoom.prototype.buildMeta = function (frame) {
    var meta = element("p", "chat-msg__meta");
    meta.appendChild(element("span", "chat-msg__author", this.authorLabel(frame.author)));
    if (frame.internal) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(element("strong", "chat-msg__note", this.strings.internal));
    }
    meta.appendChild(document.createTextNode(", "));
    var time = element("time", null, (frame.created_at || "").slice(11, 16));
    time.setAttribute("datetime", frame.created_at || "");
    meta.appendChild(time);
    var receipt = element("span", "chat-msg__receipt");
    receipt.setAttribute("data-receipt", "");
    if (frame.author === this.ownKind && frame.seq <= this.peerRead) { receipt.textContent = this.strings.read; }
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(receipt);
    return meta;
  };

  ChatRoom.prototype.buildFiles = function (attachments) {
    var list = element("ul", "chat-msg__files");
    var template = this.root.dataset.attachmentUrl;
    attachments.forEach(function (file) {
      var entry = element("li");
      var link = element("a", null, file.name);
      link.href = template.replace(/\/0\/$/, "/" + encodeURIComponent(file.id) + "/");
      entry.appendChild(link);
      list.appendChild(entry);
    });
    return list;
  };

  ChatRoom.prototype.buildActions = function (actions) {
    var box = element("div", "chat-msg__actions");
    var citizen = this.role === "citizen";
    var withBot = this.status === "bot";
    actions.forEach(function (action) {
      if (action.type === "link" && safeUrl(action.url)) {
        var link = element("a", "chat-action-link", action.title);
        link.href = safeUrl(action.url);
        box.appendChild(link);
      } else if (action.type === "callback" && citizen && safeUrl(action.url)) {
        var booking = element("a", "chat-action-link", action.label);
        booking.href = safeUrl(action.url);
        booking.setAttribute("data-chat-callback", "");
        box.appendChild(booking);
      } else if ((action.type === "helped" || action.type === "handoff") && citizen) {
        var button = element("button", "chat-action secondary", action.label);
        button.type = "button";
        button.dataset.chatAction = action.type;
        button.disabled = !withBot;
        box.appendChild(button);
      } else if (action.label) {
        box.appendChild(element("span", "badge", action.label));
      }
    });
    return box;
  };

  /* --- sending, with retries after reconnect ------------------------------------- */

  ChatRoom.prototype.loadPending = function () {
    var stored = [];
    try { stored = JSON.parse(window.sessionStorage.getItem(this.storageKey) || "[]"); } catch (error) { stored = []; }
    var self = this;
    return stored.map(function (entry) {
      entry.el = self.buildPending(entry);
      self.log.appendChild(entry.el);
      return entry;
    });
  };

  ChatRoom.prototype.savePending = function () {
    var plain = this.pending.map(function (p) { return { client_id: p.client_id, text: p.text, attachments: p.attachments }; });
    try { window.sessionStorage.setItem(this.storageKey, JSON.stringify(plain)); } catch (error) { /* private mode */ }
  };

  ChatRoom.prototype.buildPending = function (entry) {
    var item = element("li", "chat-msg chat-msg--" + this.ownKind + " chat-msg--pending");
    item.dataset.clientId = entry.client_id;
    var meta = element("p", "chat-msg__meta");
    meta.appendChild(element("span", "chat-msg__author", this.authorLabel(this.ownKind)));
    meta.appendChild(document.createTextNode(", "));
    var receipt = element("span", "chat-msg__receipt", this.strings.sending);
    receipt.setAttribute("data-receipt", "");
    meta.appendChild(receipt);
    item.appendChild(meta);
    if (entry.text) { item.appendChild(element("p", "chat-msg__text", entry.text)); }
    return item;
  };

  ChatRoom.prototype.sendMessage = function (text, attachmentIds) {
    var entry = { client_id: uuid4(), text: text, attachments: attachmentIds || [] };
    entry.el = this.buildPending(entry);
    this.log.appendChild(entry.el);
    this.pending.push(entry);
    this.savePending();
    this.sendFrameOf(entry);
    this.scrollDown();
  };

  ChatRoom.prototype.sendFrameOf = function (entry) {
    this.send({ type: "message", client_id: entry.client_id, text: entry.text, attachments: entry.attachments });
  };

  ChatRoom.prototype.resendPending = function () {
    this.pending.forEach(this.sendFrameOf, this);
  };

  /* The server stored our message. Its broadcast (with files and the server's time) replaces
     the local copy; should that broadcast be lost, a resume brings it. */
  ChatRoom.prototype.acknowledged = function (frame) {
    var index = -1;
    this.pending.forEach(function (entry, i) { if (entry.client_id === frame.client_id) { index = i; } });
    if (index === -1) { return; }
    var entry = this.pending.splice(index, 1)[0];
    this.savePending();
    if (this.known[frame.seq]) {
      entry.el.remove();
      return;
    }
    delete entry.el.dataset.clientId;
    entry.el.classList.remove("chat-msg--pending");
    entry.el.querySelector("[data-receipt]").textContent = "";
    this.awaiting[frame.seq] = entry.el;
    var self = this;
    window.setTimeout(function () { if (self.awaiting[frame.seq]) { self.askForGap(); } }, ACK_BROADCAST_WAIT_MS);
  };

  ChatRoom.prototype.upload = function (file) {
    var body = new FormData();
    body.append("file", file);
    return fetch(this.root.dataset.uploadUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(this.root), "Accept": "application/json" },
      body: body
    }).then(function (response) {
      return response.ok ? response.json().then(function (created) { return created.id; }) : rejectWithReason(response);
    });
  };

  ChatRoom.prototype.uploadAll = function (files) {
    var self = this;
    var ids = [];
    return Array.prototype.reduce.call(files, function (chain, file) {
      return chain.then(function () { return self.upload(file); }).then(function (id) { ids.push(id); });
    }, Promise.resolve()).then(function () { return ids; });
  };

  ChatRoom.prototype.submit = function () {
    var text = this.textEl.value.trim();
    var files = this.filesEl ? this.filesEl.files : [];
    if (!text && !files.length) { this.showError(this.strings.empty); return; }
    this.showError("");
    if (!files.length) {
      this.sendMessage(text, []);
      this.textEl.value = "";
      return;
    }
    var self = this;
    var button = this.composer.querySelector("button[type=submit]");
    button.disabled = true;
    this.uploadAll(files).then(function (ids) {
      self.sendMessage(text, ids);
      self.textEl.value = "";
      self.filesEl.value = "";
    }).catch(function (error) {
      self.showError(fill(self.strings.uploadFailed, { reason: error.message }));
    }).then(function () { button.disabled = false; });
  };

  /* --- typing, read receipts, status, rating ------------------------------------- */

  ChatRoom.prototype.typed = function () {
    var now = Date.now();
    if (now - this.lastTypingSent < TYPING_EVERY_MS) { return; }
    this.lastTypingSent = now;
    this.send({ type: "typing" });
  };

  ChatRoom.prototype.showTyping = function (frame) {
    if (frame.author === this.ownKind) { return; }
    var words = this.strings["typing" + frame.author.charAt(0).toUpperCase() + frame.author.slice(1)];
    if (!words) { return; }
    var typingEl = this.typingEl;
    typingEl.textContent = words;
    window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(function () { typingEl.textContent = ""; }, TYPING_SHOWN_MS);
  };

  ChatRoom.prototype.sendRead = function () {
    if (document.visibilityState === "hidden" || this.contiguous <= this.readSent) { return; }
    if (this.send({ type: "read", seq: this.contiguous })) { this.readSent = this.contiguous; }
  };

  ChatRoom.prototype.peerHasRead = function (frame) {
    if (frame.author === this.ownKind || typeof frame.seq !== "number") { return; }
    this.peerRead = Math.max(this.peerRead, frame.seq);
    var self = this;
    this.log.querySelectorAll('li[data-author="' + this.ownKind + '"][data-seq]').forEach(function (item) {
      if (parseInt(item.dataset.seq, 10) <= self.peerRead) {
        item.querySelector("[data-receipt]").textContent = self.strings.read;
      }
    });
  };

  ChatRoom.prototype.statusText = function (frame) {
    var s = this.strings;
    if (frame.status === "queued") {
      var place = frame.position ? fill(s.statusQueued, { position: frame.position }) : s.statusQueuedUnknown;
      var wait = this.waitText(frame.wait_seconds);
      return wait ? place + " " + wait : place;
    }
    if (frame.status === "assigned") {
      var name = frame.operator && frame.operator.name;
      return name ? fill(s.statusAssigned, { name: name }) : s.statusAssignedUnnamed;
    }
    return frame.status === "closed" ? s.statusClosed : s.statusBot;
  };

  /* The expected wait of a queued chat (the status frame's optional wait_seconds). */
  ChatRoom.prototype.waitText = function (seconds) {
    if (typeof seconds !== "number" || !isFinite(seconds) || seconds < 0) { return ""; }
    if (seconds < 60) { return this.strings.waitShort || ""; }
    return fill(this.strings.waitMinutes, { minutes: Math.max(1, Math.floor(seconds / 60 + 0.5)) });
  };

  ChatRoom.prototype.setStatus = function (frame) {
    if (!frame.status) { return; }
    this.status = frame.status;
    this.root.dataset.status = frame.status;
    this.statusEl.textContent = this.statusText(frame);
    var withBot = frame.status === "bot";
    this.root.querySelectorAll("[data-bot-only]").forEach(function (node) { node.hidden = !withBot; });
    this.root.querySelectorAll(".chat-action").forEach(function (node) { node.disabled = !withBot; });
    var closed = frame.status === "closed";
    if (this.composer) { this.composer.hidden = closed; }
    if (closed && this.ratingSection) { this.ratingSection.hidden = false; }
    if (this.hooks.onStatus) { this.hooks.onStatus(frame.status, this); }
  };

  ChatRoom.prototype.rate = function (event) {
    if (!this.isOpen()) { return; } // the form posts to the appeal's rating page instead
    event.preventDefault();
    var chosen = this.ratingForm.querySelector("input[name=score]:checked");
    if (!chosen) { this.showError(this.strings.chooseScore); return; }
    var comment = this.ratingForm.querySelector("[name=comment]");
    this.showError("");
    this.send({ type: "rate", score: parseInt(chosen.value, 10), comment: comment ? comment.value : "" });
  };

  ChatRoom.prototype.rated = function () {
    if (this.ratingSection) { this.ratingSection.remove(); this.ratingSection = null; }
    if (this.ratedEl) { this.ratedEl.hidden = false; this.ratedEl.focus(); }
  };

  ChatRoom.prototype.act = function (button) {
    var kind = button.dataset.chatAction;
    if (kind !== "helped" && kind !== "handoff") { return; }
    if (this.send({ type: kind })) {
      button.disabled = true;
    } else if (this.stopped) {
      this.showError(this.strings.requestFailed);
    } else {
      // Still connecting (or reconnecting): the action goes as soon as the socket opens.
      button.disabled = true;
      this.pendingActions.push({ type: kind });
    }
  };

  /* --- page wiring ----------------------------------------------------------------- */

  ChatRoom.prototype.bind = function () {
    var self = this;
    if (this.composer) {
      this.composer.addEventListener("submit", function (event) { event.preventDefault(); self.submit(); });
      this.textEl.addEventListener("input", function () { self.typed(); });
      this.textEl.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.isComposing) {
          event.preventDefault();
          self.submit();
        }
      });
    }
    if (this.ratingForm) { this.ratingForm.addEventListener("submit", function (event) { self.rate(event); }); }
    this.root.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-chat-action]");
      if (button && self.root.contains(button)) { self.act(button); }
      var booking = event.target.closest("a[data-chat-callback]");
      if (booking && self.openCallbackForm()) { event.preventDefault(); }
    });
    document.addEventListener("visibilitychange", function () { self.sendRead(); });
  };

  /* "Book a call back" opens the booking form on this page, when the page has one. */
  ChatRoom.prototype.openCallbackForm = function () {
    var details = document.querySelector("[data-callback-details]");
    if (!details) { return false; }
    details.open = true;
    var first = details.querySelector("select, input:not([type=hidden])");
    if (first) { first.focus(); }
    return true;
  };

  ChatRoom.prototype.say = function (text) {
    if (this.connectionEl) { this.connectionEl.textContent = text || ""; }
  };

  ChatRoom.prototype.showError = function (text) {
    if (this.errorEl) { this.errorEl.textContent = text || ""; }
  };

  ChatRoom.prototype.scrollDown = function () {
    this.logBox.scrollTop = this.logBox.scrollHeight;
  };

  function pageStrings() {
    var node = document.getElementById("chat-strings");
    return node ? node.dataset : {};
  }

  window.GosupportChat = {
    ChatRoom: ChatRoom,
    fill: fill,
    csrfToken: csrfToken,
    firstMessage: firstMessage,
    postJson: postJson,
    rejectWithReason: rejectWithReason,
    strings: pageStrings
  };

  document.querySelectorAll('[data-chat-root][data-role="citizen"]').forEach(function (root) {
    root.chatRoom = new ChatRoom(root, pageStrings());
  });
})();

/* The operator's chat desk. /ws/operator/ carries presence, offers (with a sound and a
   countdown), call backs falling due, accept, transfer and close (the server keeps the
   desk "seen" while the socket is open: presence lapses once it is gone); each chat room on the page is a
   GosupportChat.ChatRoom on /ws/chat/<number>/. A chat accepted here is taken from its
   own desk page, so what a room shows always comes from the server's templates.
   Private notes go through the REST API (internal: true): the socket has no frame for them. */
(function () {
  "use strict";

  var G = window.GosupportChat;
  var desk = document.querySelector("[data-desk]");
  if (!G || !desk) { return; }

  var FINAL_CLOSE_CODES = [4401, 4403];
  var MAX_BACKOFF_MS = 30000;
  var strings = G.strings();
  var fill = G.fill;
  var rooms = {};
  var socket = null;
  var attempt = 0;
  var everOpened = false;
  var sound = null;

  function q(selector, scope) { return (scope || desk).querySelector(selector); }
  function setText(node, text) { if (node) { node.textContent = text || ""; } }
  function showError(text) { setText(q("[data-desk-error]"), text); }
  function notice(text) { setText(q("[data-desk-notices]"), text); }

  /* --- the operator socket ----------------------------------------------------------- */

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + window.location.host + desk.dataset.ws);
    socket = ws;
    ws.onopen = function () {
      attempt = 0;
      setText(q("[data-desk-connection]"), "");
      if (everOpened) { refreshOffers(); }
      everOpened = true;
    };
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (error) { return; }
      if (handlers[frame.type]) { handlers[frame.type](frame); }
    };
    ws.onclose = function (event) {
      if (socket !== ws) { return; }
      socket = null;
      if (FINAL_CLOSE_CODES.indexOf(event.code) !== -1) {
        setText(q("[data-desk-connection]"), strings.refused);
        return;
      }
      var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      attempt += 1;
      setText(q("[data-desk-connection]"), fill(strings.reconnecting, { seconds: Math.ceil(delay / 1000) }));
      window.setTimeout(connect, delay);
    };
  }

  function send(frame) {
    if (!socket || socket.readyState !== WebSocket.OPEN) { return false; }
    showError("");
    socket.send(JSON.stringify(frame));
    return true;
  }

  function sendOrComplain(frame) {
    if (!send(frame)) { showError(strings.requestFailed); }
  }

  var handlers = {
    offer: function (frame) {
      addOffer(frame.ticket, frame.expires_at);
      ring();
      notice(fill(strings.offer, { number: frame.ticket }));
    },
    assigned: function (frame) {
      removeOffer(frame.ticket);
      openRoom(frame.ticket);
      notice(fill(strings.newChat, { number: frame.ticket }));
    },
    callback: function (frame) {
      ring();
      notice(fill(strings.callbackDue, { number: frame.ticket }));
      var link = q("[data-desk-callbacks]");
      if (link) { link.textContent = strings.callbacksDue; }
    },
    error: function (frame) { showError(frame.detail || frame.code); }
  };

  /* --- offers ------------------------------------------------------------------------- */

  function offersList() { return q("[data-desk-offers]"); }

  function syncEmptyOffers() {
    var empty = q("[data-desk-no-offers]");
    if (empty && offersList()) { empty.hidden = offersList().children.length > 0; }
  }

  function addOffer(number, expiresAt) {
    var list = offersList();
    if (!list || list.querySelector('[data-offer="' + number + '"]')) { return; }
    var item = document.createElement("li");
    item.className = "desk-offer";
    item.dataset.offer = number;
    item.dataset.expiresAt = expiresAt;
    var text = document.createElement("span");
    text.textContent = fill(strings.offer, { number: number });
    var left = document.createElement("span");
    left.className = "desk-offer__left";
    left.setAttribute("data-offer-left", "");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "desk-js-only";
    button.dataset.accept = number;
    button.textContent = strings.accept;
    item.append(text, " ", left, " ", button);
    list.appendChild(item);
    syncEmptyOffers();
    tickOffers();
  }

  function removeOffer(number) {
    var item = offersList() && offersList().querySelector('[data-offer="' + number + '"]');
    if (item) { item.remove(); }
    syncEmptyOffers();
  }

  function tickOffers() {
    var list = offersList();
    if (!list) { return; }
    list.querySelectorAll("[data-offer]").forEach(function (item) {
      var seconds = Math.ceil((Date.parse(item.dataset.expiresAt) - Date.now()) / 1000);
      if (isNaN(seconds) || seconds <= 0) {
        item.remove();
        notice(fill(strings.offerExpired, { number: item.dataset.offer }));
        syncEmptyOffers();
        return;
      }
      setText(item.querySelector("[data-offer-left]"), fill(strings.offerLeft, { seconds: seconds }));
    });
  }

  /* After a reconnect an offer frame may have been missed: the desk page lists the live ones. */
  function refreshOffers() {
    fetch(desk.dataset.deskUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        page.querySelectorAll("[data-offer]").forEach(function (item) {
          addOffer(item.dataset.offer, item.dataset.expiresAt);
        });
      })
      .catch(function () { /* offers come again with the next sweep */ });
  }

  function ring() {
    var toggle = q("[data-desk-sound]");
    if (toggle && !toggle.checked) { return; }
    if (!sound) { sound = new Audio(desk.dataset.sound); }
    sound.currentTime = 0;
    var playing = sound.play();
    if (playing && playing.catch) { playing.catch(function () { /* autoplay refused before any click */ }); }
  }

  /* --- presence ----------------------------------------------------------------------- */

  function bindPresence() {
    var form = q("[data-desk-presence]");
    if (!form) { return; }
    form.addEventListener("change", function (event) {
      if (event.target.name === "status") { sendOrComplain({ type: "presence", status: event.target.value }); }
    });
    form.addEventListener("submit", function (event) {
      var chosen = form.querySelector("input[name=status]:checked");
      if (chosen && send({ type: "presence", status: chosen.value })) { event.preventDefault(); }
    });
  }

  /* --- rooms --------------------------------------------------------------------------- */

  function roomsBox() { return q("[data-desk-rooms]"); }

  function syncEmptyRooms() {
    var empty = q("[data-desk-no-rooms]");
    if (empty) { empty.hidden = roomsBox().querySelectorAll("[data-chat-root]").length > 0; }
  }

  function openRoom(number) {
    if (rooms[number]) { return; }
    var url = desk.dataset.chatUrl.replace("__number__", encodeURIComponent(number));
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : G.rejectWithReason(response); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var section = page.querySelector('[data-chat-root][data-number="' + number + '"]');
        if (!section || rooms[number]) { return; }
        var node = document.importNode(section, true);
        roomsBox().appendChild(node);
        startRoom(node);
        syncEmptyRooms();
      })
      .catch(function (error) { showError(error.message); });
  }

  function startRoom(section) {
    var number = section.dataset.number;
    rooms[number] = new G.ChatRoom(section, strings, {
      onStatus: function (status) {
        var remove = section.querySelector("[data-desk-remove]");
        if (remove) { remove.hidden = status !== "closed" && status !== "queued"; }
      },
      onPeerMessage: function () { if (document.visibilityState === "hidden") { ring(); } }
    });
    bindRoomTools(section, number);
  }

  function bindRoomTools(section, number) {
    bindNote(section);
    bindAssist(section);
    on(section, "[data-desk-transfer]", function (form) {
      sendOrComplain({ type: "transfer", ticket: number, queue: form.elements.queue.value });
    });
    on(section, "[data-desk-close]", function (form) {
      sendOrComplain({ type: "close", ticket: number, resolution: form.elements.resolution.value });
    });
    var remove = section.querySelector("[data-desk-remove]");
    if (remove) {
      remove.addEventListener("click", function () {
        rooms[number].stop();
        delete rooms[number];
        section.remove();
        syncEmptyRooms();
        var heading = document.getElementById("rooms-heading");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      });
    }
  }

  function on(section, selector, handler) {
    var form = section.querySelector(selector);
    if (form) {
      form.addEventListener("submit", function (event) { event.preventDefault(); handler(form); });
    }
  }

  function roomError(section, text) { setText(section.querySelector("[data-chat-error]"), text); }

  function bindNote(section) {
    on(section, "[data-desk-note]", function (form) {
      var field = form.querySelector("textarea");
      G.postJson(section.dataset.noteUrl, section, { text: field.value, internal: true })
        .then(function (response) {
          if (!response.ok) { return G.rejectWithReason(response); }
          field.value = "";
          roomError(section, "");
          notice(strings.noteSaved);
        })
        .catch(function (error) { roomError(section, error.message); });
    });
  }

  /* --- canned responses and the FAQ ------------------------------------------------------ */

  function bindAssist(section) {
    on(section, "[data-desk-assist]", function (form) {
      var params = new URLSearchParams({ q: form.elements.q.value });
      if (section.dataset.queue) { params.set("category", section.dataset.queue); }
      fetch(section.dataset.assistUrl + "?" + params.toString(), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : G.rejectWithReason(response); })
        .then(function (body) { showAssist(section, body); })
        .catch(function (error) { roomError(section, error.message); });
    });
  }

  function showAssist(section, body) {
    var list = section.querySelector("[data-desk-assist-results]");
    list.textContent = "";
    (body.canned || []).forEach(function (canned) {
      list.appendChild(assistItem("/" + canned.shortcut + " — " + canned.title, null, strings.insert, function () {
        insertCanned(section, canned.id);
      }));
    });
    (body.articles || []).forEach(function (article) {
      list.appendChild(assistItem(article.title, article.url, strings.insertLink, function () {
        insertText(section, article.title + ": " + article.url);
      }));
    });
    if (!list.children.length) {
      var none = document.createElement("li");
      none.textContent = strings.nothingFound;
      list.appendChild(none);
    }
  }

  function assistItem(title, url, label, insert) {
    var item = document.createElement("li");
    var name = document.createElement(url ? "a" : "span");
    name.textContent = title;
    if (url) { name.href = url; name.target = "_blank"; name.rel = "noopener"; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = label;
    button.addEventListener("click", insert);
    item.append(name, " ", button);
    return item;
  }

  function insertCanned(section, id) {
    var url = section.dataset.cannedUrl.replace(/\/0\/$/, "/" + encodeURIComponent(id) + "/");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : G.rejectWithReason(response); })
      .then(function (body) { insertText(section, body.text); })
      .catch(function (error) { roomError(section, error.message); });
  }

  function insertText(section, text) {
    var field = section.querySelector("[data-chat-text]");
    field.value = field.value ? field.value + "\n" + text : text;
    field.focus();
  }

  /* --- start --------------------------------------------------------------------------- */

  desk.classList.add("desk--live");
  desk.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-accept]");
    if (button) { sendOrComplain({ type: "accept", ticket: button.dataset.accept }); }
  });
  bindPresence();
  desk.querySelectorAll('[data-chat-root][data-role="staff"]').forEach(startRoom);
  tickOffers();
  window.setInterval(tickOffers, 1000);
  connect();
})();

/* The harm-reduction chat widget: one script tag, no framework.
 *
 *   <script src="https://YOUR-ASSISTANT/webhooks/web/widget.js"
 *           data-title="Ask about drugs, in confidence"   (optional)
 *           data-storage="session"                          (or "none": keep nothing)
 *           data-open="false" defer></script>              (or "true": open at once)
 *
 * Privacy: the conversation is kept in sessionStorage (gone when the tab closes), never in
 * localStorage or cookies; Quick exit (or Esc twice) wipes it and leaves for a neutral site.
 * Text from the server is inserted as text, never as HTML; only http(s) and tel: links are
 * made, and web links open in a new tab without access to this page.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(".", script.src).href; // .../webhooks/web/
  var server = new URL(script.src).origin;
  var options = {
    title: script.dataset.title || "Ask about drugs, in confidence",
    storage: script.dataset.storage === "none" ? null : window.sessionStorage,
    open: script.dataset.open === "true",
  };
  var KEY = "hra-chat";
  var ANSWER_TIMEOUT = Number(script.dataset.timeout) || 12000; // ms before saying no answer came
  var state = load() || { session_id: null, messages: [], emergency_number: null, open: false };
  var config = { emergency_number: state.emergency_number || "999", quick_exit_url: "https://www.bbc.co.uk/weather" };
  var socket = null;
  var lastEscape = 0;
  var typingTimer = null;

  function load() {
    try { return JSON.parse(options.storage && options.storage.getItem(KEY)); } catch (e) { return null; }
  }
  function save() {
    if (options.storage) options.storage.setItem(KEY, JSON.stringify(state));
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  // Text with links: [label](tel:123) and [label](https://...) and bare https:// addresses.
  function rich(text) {
    var fragment = document.createDocumentFragment();
    var pattern = /\[([^\]]+)\]\(((?:tel:[0-9+]+)|(?:https?:\/\/[^)\s]+))\)|(https?:\/\/[^\s)]+)/g;
    var last = 0, match;
    while ((match = pattern.exec(text)) !== null) {
      fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
      var href = match[2] || match[3];
      var link = el("a", { href: href }, match[1] || match[3]);
      if (href.indexOf("tel:") !== 0) { link.target = "_blank"; link.rel = "noopener noreferrer"; }
      fragment.appendChild(link);
      last = pattern.lastIndex;
    }
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  // ---- the page elements
  var root = el("div", { class: "hra-root" });
  var launcher = el("button", { class: "hra-launcher", type: "button", "aria-expanded": "false",
    "aria-controls": "hra-panel" }, "Chat: " + options.title);
  var panel = el("section", { class: "hra-panel", id: "hra-panel", role: "dialog",
    "aria-label": options.title, hidden: "" });
  var head = el("div", { class: "hra-head" });
  var title = el("h2", { class: "hra-title" }, options.title);
  var exit = el("button", { class: "hra-exit", type: "button",
    "aria-label": "Quick exit: clear this chat and leave the site (or press Escape twice)" }, "Quick exit");
  var close = el("button", { class: "hra-close", type: "button", "aria-label": "Close the chat" }, "Close");
  head.append(title, exit, close);
  var emergency = el("p", { class: "hra-emergency" });
  var log = el("div", { class: "hra-log", role: "log", "aria-live": "polite",
    "aria-relevant": "additions", "aria-label": "Conversation", tabindex: "0" });
  var typing = el("div", { class: "hra-typing", role: "status", "aria-live": "polite" });
  var form = el("form", { class: "hra-form" });
  var label = el("label", { for: "hra-input", class: "hra-sr" }, "Type your message");
  var input = el("input", { id: "hra-input", type: "text", autocomplete: "off", maxlength: "2000",
    placeholder: "Type your message" });
  var send = el("button", { type: "submit" }, "Send");
  form.append(label, input, send);
  panel.append(head, emergency, log, typing, form);
  root.append(launcher, panel);

  function renderEmergency() {
    emergency.textContent = "";
    var number = config.emergency_number;
    emergency.append("If someone's life is in danger, call ", el("a", { href: "tel:" + number }, number), " now.");
  }

  function show(message, remember) {
    var kind = message.from === "user" ? "hra-user" : message.from === "helpline" ? "hra-bot hra-worker" : "hra-bot";
    var box = el("div", { class: "hra-msg " + kind });
    if (message.from === "helpline") {
      box.appendChild(el("span", { class: "hra-who" }, "Helpline worker: "));
    } else {
      box.appendChild(el("span", { class: "hra-sr" }, message.from === "user" ? "You said: " : "Assistant: "));
    }
    box.appendChild(rich(message.text || ""));
    log.appendChild(box);
    if (message.buttons && message.buttons.length) {
      var choices = el("div", { class: "hra-choices", role: "group", "aria-label": "Choices" });
      message.buttons.forEach(function (button) {
        var choice = el("button", { type: "button" }, button.title);
        choice.addEventListener("click", function () { say(button.payload, button.title); });
        choices.appendChild(choice);
      });
      log.appendChild(choices);
    }
    log.scrollTop = log.scrollHeight;
    if (remember) { state.messages.push(message); save(); }
  }

  function setTyping(on) {
    clearTimeout(typingTimer);
    if (state.handoff) {
      // With a helpline worker: a person answers when they can, so no "no answer" timeout.
      typing.textContent = "You're chatting with the helpline. If someone's life is in danger, call " +
        config.emergency_number + " now.";
      return;
    }
    typing.textContent = on ? "The assistant is typing…" : "";
    // No answer (the server is down or unreachable): never leave the person with silence.
    if (on) typingTimer = setTimeout(function () {
      setTyping(false);
      show({ from: "bot", text: "Sorry, I can't answer right now. If someone's life is in danger, call [" +
        config.emergency_number + "](tel:" + config.emergency_number + ") now. I'll answer when I'm back." }, false);
    }, ANSWER_TIMEOUT);
  }

  function say(message, shown) {
    var text = (message || "").trim();
    if (!text || !socket) return;
    show({ from: "user", text: shown || text }, true);
    socket.emit("user_uttered", { message: text, session_id: state.session_id });
    setTyping(true);
  }

  function quickExit() {
    try { if (options.storage) options.storage.removeItem(KEY); } catch (e) { /* private mode */ }
    try { window.localStorage.removeItem(KEY); } catch (e) { /* nothing to remove */ }
    state = { session_id: null, messages: [] };
    log.textContent = "";
    panel.hidden = true;
    launcher.hidden = false;
    if (socket) socket.disconnect();
    window.location.replace(config.quick_exit_url);
  }

  function setOpen(open) {
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", String(open));
    state.open = open; save();
    if (open) input.focus(); else launcher.focus();
  }

  launcher.addEventListener("click", function () { setOpen(true); });
  close.addEventListener("click", function () { setOpen(false); });
  exit.addEventListener("click", quickExit);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    say(input.value);
    input.value = "";
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    if (now - lastEscape < 1000) quickExit();
    lastEscape = now;
  });

  function connect() {
    socket = window.io(server, { path: "/socket.io", transports: ["websocket", "polling"],
      reconnectionDelayMax: 3000 });
    // On every (re)connect, e.g. after a server restart, ask for the same conversation back.
    socket.on("connect", function () {
      // `since`: the last message we got, so the server sends what came while we were away.
      socket.emit("session_request", { session_id: state.session_id, since: state.last_ts || null });
    });
    socket.on("session_confirm", function (sessionId) {
      state.session_id = sessionId; save();
    });
    socket.on("bot_uttered", function (message) {
      setTyping(false);
      if (message && typeof message.ts === "number") {
        if (state.last_ts && message.ts < state.last_ts) return; // already shown (parts of one message share a ts)
        state.last_ts = message.ts; save();
      }
      if (message && message.custom && message.custom.emergency_number) {
        config.emergency_number = state.emergency_number = String(message.custom.emergency_number);
        save(); renderEmergency();
        return;
      }
      if (message && message.custom && message.custom.forget) {
        // The conversation was deleted on the server: forget it here too, start afresh.
        state = { session_id: null, messages: [], emergency_number: state.emergency_number, open: true };
        save();
        log.textContent = "";
        show({ from: "bot", text: "This conversation has been deleted. If someone's life is in danger, call [" +
          config.emergency_number + "](tel:" + config.emergency_number + ") now." }, false);
        socket.emit("session_request", { session_id: null });
        return;
      }
      if (message && message.custom && message.custom.handoff) {
        state.handoff = message.custom.handoff === "ended" ? null : message.custom.handoff;
        save(); setTyping(false);
        return;
      }
      var buttons = (message && (message.quick_replies || message.buttons)) || [];
      var from = message && message.from === "helpline" ? "helpline" : "bot";
      show({ from: from, text: message && message.text, buttons: buttons }, true);
    });
  }

  function start() {
    document.body.appendChild(root);
    renderEmergency();
    state.messages.forEach(function (message) { show(message, false); });
    if (state.handoff) setTyping(false); // still with the helpline after a reload
    fetch(base + "config").then(function (r) { return r.json(); }).then(function (c) {
      config.quick_exit_url = c.quick_exit_url || config.quick_exit_url;
      if (!state.emergency_number) { config.emergency_number = c.emergency_number; renderEmergency(); }
    }).catch(function () { /* keep the defaults: the emergency line is already shown */ });
    var client = el("script", { src: base + "socket.io.min.js" });
    client.onload = connect;
    document.head.appendChild(client);
    if (options.open || state.open) setOpen(true);
  }

  var css = el("link", { rel: "stylesheet", href: base + "widget.css" });
  document.head.appendChild(css);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* Pishkhan chat widget. One line on any site:
 *   <script src="https://<workspace host>/chat/widget.js" async></script>
 * Plain JS, no build step. Everything lives in a shadow root so the host page's CSS cannot
 * reach it. The conversation runs over the visitor socket: a message shows "sending" until
 * the server acknowledges it (after commit), is resent with the same client_id after a
 * reconnect (the server stores it once), and a reconnect asks only for what came after the
 * last message shown (seq), so nothing is lost or shown twice. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.PishkhanChat) return;
  var base = new URL(script.src, location.href).origin;
  var KEY = "pishkhan-chat:" + base;
  var root = document.documentElement;
  var lang = ((script.getAttribute("data-lang") || root.lang || "fa").slice(0, 2).toLowerCase() === "en") ? "en" : "fa";
  var cfg, T, shadow, ui = {}, ws, ready = false, retry = 0, retryTimer, stopped = false;
  var lastSeq = 0, seen = {}, bubbles = {}, starting = null, lastTyping = 0, typingTimer;
  var readSent = 0, agentRead = 0, unread = 0, status = "none", loadedAt = Date.now() - 60000;
  var state = load();
  // For the host page: open the chat from its own "contact us" button; reconnect at once
  // when it knows the network came back (the widget otherwise backs off on its own).
  window.PishkhanChat = {
    open: function () { toggle(true); },
    reconnect: function () { if (ws) ws.close(); else if (cfg && state.chat) { stopped = false; connect(); } }
  };

  function load() {
    var s = {};
    try { s = JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { s = {}; }
    s.pending = Array.isArray(s.pending) ? s.pending : [];
    return s;
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function t(key, values) {
    var text = (T && T[key]) || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("%(" + name + ")s").join(values[name]);
    });
    return text;
  }
  function digits(value) {
    var s = String(value);
    return lang === "fa" ? s.replace(/\d/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[d]; }) : s;
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }
  // Builds an element; text goes in as text, never as HTML (visitors and agents type it).
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var v = attrs[name];
      if (v === null || v === undefined || v === false) return;
      if (name.slice(0, 2) === "on") el.addEventListener(name.slice(2), v);
      else if (name === "text") el.textContent = v;
      else el.setAttribute(name, v === true ? "" : v);
    });
    (children || []).forEach(function (c) { if (c) el.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return el;
  }
  function api(path, options) {
    return fetch(base + path, Object.assign({ mode: "cors", credentials: "omit" }, options || {}))
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) { return { ok: r.ok, status: r.status, body: body }; });
      });
  }
  function errorText(body) {
    var e = body && body.error;
    return (e && (e["message_" + lang] || e.message_fa)) || t("failed");
  }

  // --- start -----------------------------------------------------------------------------
  var query = "?lang=" + lang + (state.visitor ? "&visitor=" + encodeURIComponent(state.visitor) : "");
  api("/chat/widget/config/" + query).then(function (r) {
    if (!r.ok || !r.body.enabled) return;
    cfg = r.body;
    T = cfg.strings;
    if (state.visitor && !cfg.visitor) {
      // A key this workspace does not know (cleared, or of another workspace): start afresh.
      state = { pending: [] };
      save();
    }
    if (cfg.visitor) {
      ["name", "email", "phone"].forEach(function (k) { if (!state[k] && cfg.visitor[k]) state[k] = cfg.visitor[k]; });
      state.chat = cfg.visitor.chat || null;
    }
    // An async script may run before the page's body is parsed.
    if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
  }).catch(function () { /* the widget stays away rather than break the page */ });

  function mount() {
    build();
    if (state.chat) connect();
  }
  function build() {
    var font = document.createElement("style");
    font.textContent = '@font-face{font-family:"Pishkhan Vazirmatn";src:url("' + cfg.font + '") format("woff2");font-weight:100 900;font-display:swap}';
    document.head.appendChild(font);
    var host = h("pishkhan-chat", { style: "all:initial" });
    shadow = host.attachShadow({ mode: "open" });
    var box = h("div", { "class": "pk", dir: cfg.dir, lang: lang, hidden: true });
    var link = h("link", { rel: "stylesheet", href: cfg.css });
    link.onload = link.onerror = function () { box.hidden = false; };
    ui.badge = h("span", { "class": "pk-badge", hidden: true });
    ui.launcher = h("button", { type: "button", "class": "pk-launcher", "aria-expanded": "false", "aria-label": t("launcher"), title: t("launcher"), onclick: function () { toggle(); } }, [
      icon("M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"), ui.badge]);
    ui.sub = h("span", { "class": "pk-sub" });
    ui.body = h("div", { "class": "pk-body" });
    ui.panel = h("section", { "class": "pk-panel", role: "dialog", "aria-label": t("title"), hidden: true }, [
      h("header", { "class": "pk-head" }, [
        h("div", {}, [h("strong", { text: cfg.name }), ui.sub]),
        h("button", { type: "button", "class": "pk-x", "aria-label": t("close"), text: "×", onclick: function () { toggle(false); } })
      ]),
      ui.body
    ]);
    box.appendChild(ui.panel);
    box.appendChild(ui.launcher);
    shadow.appendChild(link);
    shadow.appendChild(box);
    document.body.appendChild(host);
    ui.sub.textContent = cfg.online ? (cfg.greeting || "") : t("offline_title");
    window.addEventListener("online", function () { if (!ws && state.chat && !stopped) connect(); });
    document.addEventListener("visibilitychange", markRead);
    render();
  }
  function icon(d) {
    var ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg"), p = document.createElementNS(ns, "path");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    p.setAttribute("d", d);
    svg.appendChild(p);
    return svg;
  }
  function toggle(open) {
    if (!ui.panel) return;
    open = open === undefined ? ui.panel.hidden : open;
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      unread = 0;
      ui.badge.hidden = true;
      markRead();
      var first = ui.body.querySelector("input,textarea");
      if (first) first.focus();
    }
  }

  // --- views -----------------------------------------------------------------------------
  function render() {
    ui.body.textContent = "";
    if (state.chat) return chatView();
    if (cfg.online) return startView();
    offlineView();
  }
  function field(name, label, attrs) {
    var id = "pk-" + name;
    var input = h(attrs.tag || "input", Object.assign({ id: id, name: name }, attrs, { tag: null }));
    var err = h("span", { "class": "pk-err", id: id + "-err", "aria-live": "polite" });
    input.setAttribute("aria-describedby", id + "-err");
    return h("div", { "class": "pk-field", "data-field": name }, [h("label", { "for": id, text: label }), input, err]);
  }
  function departmentSelect(onlineOnly) {
    var list = cfg.departments.filter(function (d) { return !onlineOnly || d.online; });
    if (!list.length) return null;
    if (list.length === 1) return h("input", { type: "hidden", name: "department", value: list[0].id });
    var select = field("department", t("department"), { tag: "select" });
    list.forEach(function (d) {
      select.querySelector("select").appendChild(h("option", { value: d.id, text: d.name, selected: d.id === cfg.default_department }));
    });
    return select;
  }
  function contactFields() {
    return [
      field("name", t("name"), { autocomplete: "name", required: true, maxlength: 150, value: state.name || "" }),
      field("email", t("email"), { type: "email", autocomplete: "email", dir: "ltr", maxlength: 254, value: state.email || "" }),
      field("phone", t("phone"), { type: "tel", autocomplete: "tel", dir: "ltr", maxlength: 32, value: state.phone || "" })
    ];
  }
  function notice(text, kind) {
    return h("p", { "class": "pk-note" + (kind ? " pk-" + kind : ""), role: kind === "error" ? "alert" : "status", text: text });
  }
  function formValues(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) { if (el.name) data[el.name] = el.value.trim(); });
    return data;
  }
  function showErrors(form, body) {
    var fields = (body.error && body.error.fields) || {};
    form.querySelectorAll(".pk-err").forEach(function (e) { e.textContent = ""; });
    Object.keys(fields).forEach(function (key) {
      var name = key.indexOf("fields.") === 0 ? "f_" + key.slice(7) : key;
      var slot = form.querySelector('[data-field="' + name + '"] .pk-err');
      if (slot) slot.textContent = fields[key].join(" ");
    });
    var top = form.querySelector(".pk-form-error");
    top.textContent = errorText(body);
    top.hidden = false;
  }

  function startView() {
    var hello = cfg.visitor && cfg.visitor.name ? t("welcome_back", { name: cfg.visitor.name }) : cfg.greeting;
    var form = h("form", { "class": "pk-form", novalidate: true }, [
      hello ? notice(hello) : null,
      h("p", { "class": "pk-note pk-error pk-form-error", role: "alert", hidden: true })
    ].concat(contactFields(), [
      departmentSelect(true),
      field("text", t("first_message"), { tag: "textarea", rows: 3, required: true, maxlength: 5000 }),
      h("button", { type: "submit", "class": "pk-primary", text: t("start") })
    ]));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var v = formValues(form);
      var missing = {};
      if (!v.name) missing.name = [t("required")];
      if (!v.text) missing.text = [t("required")];
      if (Object.keys(missing).length) return showErrors(form, { error: { message_fa: t("required"), message_en: t("required"), fields: missing } });
      state.name = v.name; state.email = v.email; state.phone = v.phone;
      state.department = v.department ? Number(v.department) : null;
      save();
      starting = v.text;
      form.querySelector("button[type=submit]").disabled = true;
      if (ws && ready) begin(); else connect();
    });
    ui.body.appendChild(form);
  }

  function offlineView(done) {
    if (done) {
      ui.body.appendChild(notice(done, "ok"));
      return;
    }
    var fieldsBox = h("div", { "class": "pk-extra" });
    var form = h("form", { "class": "pk-form", novalidate: true }, [
      notice(t("offline_intro")),
      h("p", { "class": "pk-note pk-error pk-form-error", role: "alert", hidden: true })
    ].concat(contactFields(), [
      departmentSelect(false),
      fieldsBox,
      field("subject", t("subject"), { required: true, maxlength: 200 }),
      field("body", t("body"), { tag: "textarea", rows: 4, required: true }),
      h("button", { type: "submit", "class": "pk-primary", text: t("submit") })
    ]));
    var select = form.elements.department;
    function extra() {
      var id = select ? Number(select.value) : cfg.default_department;
      var dep = cfg.departments.filter(function (d) { return d.id === id; })[0] || cfg.departments[0];
      fieldsBox.textContent = "";
      (dep ? dep.fields : []).forEach(function (f) {
        fieldsBox.appendChild(field("f_" + f.key, f.label, { required: f.required, dir: f.kind === "text" ? null : "ltr" }));
      });
    }
    if (select && select.tagName === "SELECT") select.addEventListener("change", extra);
    extra();
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var v = formValues(form), fields = {};
      Object.keys(v).forEach(function (k) { if (k.indexOf("f_") === 0) fields[k.slice(2)] = v[k]; });
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      api("/chat/widget/offline/", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: v.name, email: v.email, phone: v.phone, department: v.department || null, subject: v.subject, body: v.body, fields: fields, language: lang })
      }).then(function (r) {
        button.disabled = false;
        if (!r.ok) return showErrors(form, r.body);
        state.name = v.name; state.email = v.email; state.phone = v.phone;
        save();
        ui.body.textContent = "";
        offlineView(t("offline_done", { number: digits(r.body.ticket.number) }));
      }, function () { button.disabled = false; showErrors(form, {}); });
    });
    ui.body.appendChild(form);
  }

  function chatView() {
    ui.log = h("ol", { "class": "pk-log", "aria-live": "polite" });
    ui.typing = h("p", { "class": "pk-typing", hidden: true });
    ui.state = h("p", { "class": "pk-state", role: "status" });
    ui.text = h("textarea", { name: "message", rows: 1, maxlength: 5000, "aria-label": t("message"), placeholder: t("message") });
    ui.file = h("input", { type: "file", accept: cfg.upload.accept, hidden: true, onchange: sendFile });
    ui.compose = h("form", { "class": "pk-compose" }, [
      h("button", { type: "button", "class": "pk-attach", "aria-label": t("attach"), title: t("attach"), onclick: function () { ui.file.click(); } }, [
        icon("M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5")]),
      ui.file, ui.text,
      h("button", { type: "submit", "class": "pk-primary", text: t("send") })
    ]);
    ui.compose.addEventListener("submit", function (e) { e.preventDefault(); sendText(); });
    ui.text.addEventListener("keydown", function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); sendText(); } });
    ui.text.addEventListener("input", typing);
    ui.after = h("div", { "class": "pk-after" });
    ui.end = h("button", { type: "button", "class": "pk-link", text: t("end"), onclick: function () { send({ type: "end" }); } });
    ui.body.appendChild(ui.state);
    ui.body.appendChild(ui.log);
    ui.body.appendChild(ui.typing);
    ui.body.appendChild(ui.compose);
    ui.body.appendChild(ui.end);
    ui.body.appendChild(ui.after);
    state.pending.forEach(function (m) { bubble({ author: "visitor", text: m.text, attachment: m.attachment, client_id: m.client_id }, true); });
    showStatus();
  }
  function showStatus(agent) {
    if (!ui.state) return;
    var live = status !== "ended";
    ui.compose.hidden = !live;
    ui.end.hidden = !live || status === "none";
    if (!ws && state.chat && !stopped && status !== "ended" && ready === false && retry > 0) ui.state.textContent = t("reconnecting");
    else if (status === "waiting") ui.state.textContent = t("waiting");
    else if (status === "ended") ui.state.textContent = t("ended");
    // The chat itself says who joined (a system line); the header keeps the name in view.
    else if (status === "active") ui.state.textContent = "";
    if (status === "active" && agent) ui.sub.textContent = agent;
  }

  // --- the conversation --------------------------------------------------------------------
  function bubble(m, pending) {
    var who = m.author === "visitor" ? t("you") : (m.name || (m.author === "agent" ? t("agent") : ""));
    var meta = h("span", { "class": "pk-meta", text: [who, m.at ? clock(m.at) : ""].filter(Boolean).join(" · ") });
    var mark = h("span", { "class": "pk-mark", text: pending ? t("pending") : "" });
    var body = [meta, m.text ? h("span", { "class": "pk-text", text: m.text }) : null];
    if (m.attachment) {
      body.push(h("a", { "class": "pk-file", target: "_blank", rel: "noopener noreferrer", href: base + "/chat/widget/files/" + m.attachment.id + "/?visitor=" + encodeURIComponent(state.visitor || ""), text: m.attachment.name || t("file") }));
    }
    if (m.author === "visitor") body.push(mark);
    var li = h("li", { "class": "pk-msg pk-" + m.author + (pending ? " pk-pending" : ""), "data-seq": m.seq || null }, body);
    li.mark = mark;
    ui.log.appendChild(li);
    if (m.client_id) bubbles[m.client_id] = li;
    ui.body.scrollTop = ui.body.scrollHeight;
    return li;
  }
  function clock(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString(lang === "fa" ? "fa-IR" : "en-GB", { hour: "2-digit", minute: "2-digit" });
  }
  function settle(clientId, seq) {
    state.pending = state.pending.filter(function (m) { return m.client_id !== clientId; });
    save();
    var li = bubbles[clientId];
    if (!li) return false;
    li.classList.remove("pk-pending");
    li.setAttribute("data-seq", seq);
    li.mark.textContent = seq <= agentRead ? t("read") : t("sent");
    // Its place is where the server put it, after whatever was committed before it.
    ui.log.appendChild(li);
    seen[seq] = li;
    advance();
    return true;
  }
  // lastSeq is the end of the unbroken run of messages shown: a reconnect asks for what came
  // after it, so a message still on its way when the socket dropped is asked for again.
  function advance() {
    while (seen[lastSeq + 1]) lastSeq += 1;
  }
  function onMessage(f) {
    if (seen[f.seq]) return;
    if (f.author === "visitor" && f.client_id && bubbles[f.client_id]) {
      settle(f.client_id, f.seq);
      return;
    }
    var li = bubble(f, false);
    seen[f.seq] = li;
    advance();
    if (f.author === "visitor") li.mark.textContent = f.seq <= agentRead ? t("read") : t("sent");
    if (f.author === "agent") {
      ui.typing.hidden = true;
      // Counted as unread only if written since the page loaded (not history replayed).
      if (ui.panel.hidden && Date.parse(f.at) > loadedAt) { unread += 1; ui.badge.textContent = digits(unread); ui.badge.hidden = false; }
    }
    markRead();
  }
  function markRead() {
    if (!ui.panel || ui.panel.hidden || document.visibilityState === "hidden" || lastSeq <= readSent) return;
    if (send({ type: "read", seq: lastSeq })) readSent = lastSeq;
  }
  function onRead(seq) {
    agentRead = Math.max(agentRead, seq);
    Object.keys(seen).forEach(function (s) {
      var li = seen[s];
      if (Number(s) <= agentRead && li.classList.contains("pk-visitor") && li.mark) li.mark.textContent = t("read");
    });
  }
  function sendText() {
    var text = ui.text.value.trim();
    if (!text) return;
    ui.text.value = "";
    say({ client_id: uuid(), text: text, attachment: null });
  }
  function say(m) {
    state.pending.push(m);
    save();
    bubble({ author: "visitor", text: m.text, attachment: m.attachment, client_id: m.client_id, at: new Date().toISOString() }, true);
    transmit(m);
  }
  function transmit(m) {
    var frame = { type: "message", client_id: m.client_id, text: m.text };
    if (m.attachment) frame.attachment = m.attachment.id;
    send(frame);
  }
  function sendFile() {
    var file = ui.file.files[0];
    ui.file.value = "";
    if (!file || !state.chat) return;
    if (file.size > cfg.upload.max_bytes) return problem(t("failed"));
    var data = new FormData();
    data.append("file", file);
    data.append("visitor", state.visitor);
    data.append("chat", state.chat);
    data.append("language", lang);
    api("/chat/widget/upload/", { method: "POST", body: data }).then(function (r) {
      if (!r.ok) {
        var fields = (r.body.error && r.body.error.fields) || {};
        var detail = Object.keys(fields).map(function (k) { return fields[k].join(" "); }).join(" ");
        return problem(detail || errorText(r.body));
      }
      r.body.attachments.forEach(function (a) { say({ client_id: uuid(), text: "", attachment: a }); });
    }, function () { problem(t("failed")); });
  }
  function problem(text) {
    if (ui.log) ui.log.appendChild(h("li", { "class": "pk-msg pk-system pk-error", role: "alert", text: text }));
  }
  function typing() {
    var now = Date.now();
    if (now - lastTyping > 3000 && send({ type: "typing" })) lastTyping = now;
  }
  function ended(survey) {
    status = "ended";
    showStatus();
    ui.after.textContent = "";
    if (survey) ui.after.appendChild(rating(survey));
    if (cfg.transcript) ui.after.appendChild(transcriptForm());
    ui.after.appendChild(h("button", { type: "button", "class": "pk-link", text: t("new_chat"), onclick: function () {
      state.chat = null; state.pending = []; save();
      status = "none"; lastSeq = 0; seen = {}; bubbles = {}; readSent = 0; agentRead = 0;
      closeSocket();
      render();
    } }));
  }
  function transcriptForm() {
    var email = h("input", { type: "email", name: "email", dir: "ltr", autocomplete: "email", value: state.email || "", "aria-label": t("email_plain"), placeholder: t("email_plain") });
    var msg = h("p", { "class": "pk-note", role: "status" });
    var chat = state.chat;
    var form = h("form", { "class": "pk-rate pk-transcript" }, [email, h("button", { type: "submit", "class": "pk-link", text: t("transcript") }), msg]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      api("/chat/widget/transcript/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ visitor: state.visitor, chat: chat, email: email.value.trim(), language: lang }) })
        .then(function (r) {
          var fields = (r.body.error && r.body.error.fields) || {};
          msg.textContent = r.ok ? t("transcript_sent", { email: email.value.trim() || state.email }) : ((fields.email || []).join(" ") || errorText(r.body));
        }, function () { msg.textContent = t("failed"); });
    });
    return form;
  }
  function rating(survey) {
    var chosen = 0, stars = [];
    var comment = h("textarea", { name: "comment", rows: 2, maxlength: 2000, "aria-label": t("rate_comment"), placeholder: t("rate_comment") });
    var msg = h("p", { "class": "pk-note", role: "status" });
    var row = h("div", { "class": "pk-stars", role: "radiogroup", "aria-label": t("rate") });
    [1, 2, 3, 4, 5].forEach(function (n) {
      var star = h("button", { type: "button", role: "radio", "aria-checked": "false", "aria-label": digits(n), "data-score": n, text: "★", onclick: function () {
        chosen = n;
        stars.forEach(function (s, i) { s.setAttribute("aria-checked", String(i + 1 === n)); s.classList.toggle("pk-on", i < n); });
      } });
      stars.push(star);
      row.appendChild(star);
    });
    var form = h("form", { "class": "pk-rate" }, [h("p", { text: t("rate") }), row, comment, h("button", { type: "submit", "class": "pk-primary", text: t("rate_send") }), msg]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!chosen) { msg.textContent = t("rate"); return; }
      api("/chat/widget/rate/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ survey: survey, score: chosen, comment: comment.value, language: lang }) })
        .then(function (r) {
          if (!r.ok) { msg.textContent = errorText(r.body); return; }
          form.textContent = "";
          form.appendChild(notice(t("rate_thanks"), "ok"));
        }, function () { msg.textContent = t("failed"); });
    });
    return form;
  }

  // --- the socket --------------------------------------------------------------------------
  function send(frame) {
    if (!ws || ws.readyState !== 1 || !ready) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }
  function closeSocket() {
    if (!ws) return;
    var old = ws;
    ws = null; ready = false;
    old.onclose = null;
    old.close();
  }
  function connect() {
    if (ws || stopped) return;
    clearTimeout(retryTimer);
    // The whole address: the socket server may listen on a port of its own.
    var socket = ws = new WebSocket(cfg.socket);
    socket.onopen = function () {
      socket.send(JSON.stringify({
        type: "hello", visitor: state.visitor || null, chat: state.chat || null, after: lastSeq,
        name: state.name || "", email: state.email || "", phone: state.phone || "",
        language: lang, department: state.department || null
      }));
    };
    socket.onmessage = function (e) {
      var f;
      try { f = JSON.parse(e.data); } catch (x) { return; }
      frame(f);
    };
    socket.onclose = function (e) {
      if (ws !== socket) return;
      ws = null; ready = false;
      if (e.code === 4403 || e.code === 4404) {
        // Refused for good (another workspace's key, a chat that is not this visitor's).
        stopped = true;
        problem(t("failed"));
        return;
      }
      retry += 1;
      showStatus();
      // Back off (1 s, 2 s, 4 s … 30 s, with jitter) so a restarting server is not stampeded.
      var wait = Math.min(30000, 1000 * Math.pow(2, retry - 1)) * (0.5 + Math.random() / 2);
      retryTimer = setTimeout(connect, wait);
    };
  }
  // Sent again after a reconnect until a status names the chat: the server gives a visitor
  // their chat still going on rather than a second one, so a repeat opens nothing new.
  function begin() {
    send({ type: "start", text: starting, department: state.department || null });
  }
  function frame(f) {
    if (f.type === "welcome") {
      ready = true;
      retry = 0;
      state.visitor = f.visitor;
      var before = state.chat;
      state.chat = f.chat || null;
      save();
      status = f.status || "none";
      if (state.chat && !before) render();
      if (starting !== null && status === "none") begin();
      else if (!state.chat && starting === null) render();
      showStatus(f.agent);
      if (status === "ended") ended(f.survey || null);
      // Whatever was sent but never acknowledged goes again, with its own client_id.
      state.pending.forEach(transmit);
      markRead();
    } else if (f.type === "status") {
      if (f.chat) starting = null;
      if (f.chat && f.chat !== state.chat) { state.chat = f.chat; save(); render(); }
      status = f.status || status;
      if (status === "ended") ended(f.survey);
      else showStatus(f.agent);
    } else if (f.type === "message") {
      if (!state.chat && f.chat) { state.chat = f.chat; save(); render(); }
      if (ui.log) onMessage(f);
    } else if (f.type === "ack") {
      settle(f.client_id, f.seq);
    } else if (f.type === "typing" && f.author !== "visitor" && ui.typing) {
      ui.typing.textContent = t("typing", { name: f.name || t("agent") });
      ui.typing.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { ui.typing.hidden = true; }, 6000);
    } else if (f.type === "read" && f.by !== "visitor") {
      onRead(f.seq);
    } else if (f.type === "error") {
      var text = f["message_" + lang] || f.message_fa || t("failed");
      if (f.code === "offline" && !state.chat) {
        // Nobody free any more since the widget loaded: the message becomes a ticket instead.
        starting = null;
        cfg.online = false;
        ui.sub.textContent = t("offline_title");
        return render();
      }
      var button = ui.body.querySelector("form.pk-form button[type=submit]");
      if (button) {
        button.disabled = false;
        var top = ui.body.querySelector(".pk-form-error");
        top.textContent = text;
        top.hidden = false;
      } else problem(text);
    }
  }
})();

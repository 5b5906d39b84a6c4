/*
 * Spine health chat bubble: a dependency-free widget for a clinic's own web page.
 *
 *   <script src="https://chat.clinic.example/chat-bubble.js"
 *           data-server="https://chat.clinic.example" defer></script>
 *
 * It calls POST {server}/api/ask and shows every answer's parts in PART_ORDER (the
 * order of retrieval/render.py; a test pins the two together): an escalation as a
 * role="alert" block first, warnings, support and reminder notes, the cited answer with
 * its [n] markers, notices, then a collapsible "Sources" list; the disclaimer stays
 * visible above the conversation.
 * Everything from the server or the patient is inserted as text (textContent),
 * never as HTML. The clinic's origin must be in the server's allowed_origins.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var server = ((script && script.getAttribute("data-server")) || "").replace(/\/+$/, "");
  if (!server && script && script.src) server = new URL(script.src).origin;
  var color = "var(--scb-primary,#0b5394)";
  var accent = "var(--scb-accent,#b3261e)";
  var history = [];
  var info = null;
  var PART_ORDER = ["escalation", "warning_first", "support", "reminder", "missing", "body", "warning_after", "notices", "disclaimer"];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Markdown-lite, built from text nodes only: paragraphs, "- " bullets, **bold**, _italic_.
  function inline(parent, text) {
    String(text).split(/(\*\*[^*]+\*\*|_[^_]+_)/).forEach(function (part) {
      if (/^\*\*[^*]+\*\*$/.test(part)) parent.appendChild(el("strong", null, part.slice(2, -2)));
      else if (/^_[^_]+_$/.test(part)) parent.appendChild(el("em", null, part.slice(1, -1)));
      else if (part) parent.appendChild(document.createTextNode(part));
    });
  }
  function markdown(parent, text) {
    var list = null;
    String(text || "").split(/\n/).forEach(function (line) {
      var item = /^\s*[-*]\s+(.*)$/.exec(line);
      if (item) {
        if (!list) { list = el("ul"); parent.appendChild(list); }
        var li = el("li"); inline(li, item[1]); list.appendChild(li);
      } else {
        list = null;
        if (line.trim()) { var p = el("p"); inline(p, line); parent.appendChild(p); }
      }
    });
  }

  var css = [
    ".scb-toggle{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;border:0;border-radius:2rem;",
    "padding:.8rem 1.2rem;font:600 1rem system-ui,sans-serif;background:" + color + ";color:#fff;cursor:pointer;",
    "box-shadow:0 2px 8px rgba(0,0,0,.3)}",
    ".scb-toggle:focus-visible,.scb-panel :focus-visible{outline:3px solid " + color + ";outline-offset:2px}",
    ".scb-panel{position:fixed;right:1rem;bottom:4.5rem;z-index:2147483000;width:min(24rem,calc(100vw - 2rem));",
    "max-height:min(36rem,calc(100vh - 6rem));display:flex;flex-direction:column;background:#fff;color:#1f2937;",
    "border:1px solid #d1d5db;border-radius:.75rem;box-shadow:0 4px 16px rgba(0,0,0,.25);font:15px/1.45 system-ui,sans-serif}",
    ".scb-panel[hidden]{display:none}",
    ".scb-head{padding:.6rem .9rem;font-weight:700;color:" + color + ";border-bottom:1px solid #e5e7eb}",
    ".scb-disclaimer{margin:0;padding:.4rem .9rem;font-size:.8rem;line-height:1.35;background:#f3f6fa;border-left:5px solid " + color + "}",
    ".scb-log{flex:1;min-height:0;overflow:auto;padding:.5rem .9rem}",
    ".scb-q{margin:.5rem 0 .25rem auto;max-width:85%;width:fit-content;background:#fff4e0;border-radius:.5rem;",
    "padding:.35rem .6rem;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".scb-a{margin:.25rem 0 .75rem;background:#f7f7f8;border-radius:.5rem;padding:.35rem .6rem}",
    ".scb-a p{margin:.3rem 0}.scb-a ul{margin:.3rem 0;padding-left:1.2rem}",
    ".scb-alert{background:" + accent + ";color:#fff;border-radius:.5rem;padding:.5rem .7rem;margin:.25rem 0 .5rem}",
    ".scb-alert strong{display:block}",
    ".scb-warning{border:2px solid #8a4b00;background:#fff4e5;color:#5c3200;border-radius:.5rem;padding:.35rem .6rem;margin:.25rem 0}",
    ".scb-support,.scb-reminder{border-left:5px solid " + accent + ";background:#fdecea;color:#7a1c14;border-radius:.4rem;padding:.35rem .6rem;margin:.25rem 0}",
    ".scb-a summary{cursor:pointer;font-weight:600;color:" + color + "}",
    ".scb-a blockquote{margin:0 0 .4rem;padding-left:.5rem;border-left:3px solid #9ca3af;white-space:pre-wrap}",
    ".scb-form{display:flex;gap:.4rem;padding:.6rem .9rem;border-top:1px solid #e5e7eb;align-items:flex-end}",
    ".scb-form label{display:block;font-size:.85rem;font-weight:600}",
    ".scb-form input{width:100%;box-sizing:border-box;padding:.45rem;border:1px solid #6b7280;border-radius:.4rem;font:inherit}",
    ".scb-form button{border:0;border-radius:.4rem;padding:.5rem .9rem;background:" + color + ";color:#fff;font:600 1rem system-ui}"
  ].join("");

  function build() {
    var style = el("style", null, css);
    document.head.appendChild(style);
    var toggle = el("button", { type: "button", "class": "scb-toggle", "aria-expanded": "false", "aria-controls": "scb-panel" }, "Ask a question");
    var panel = el("section", { id: "scb-panel", "class": "scb-panel", "aria-label": "Health questions" });
    panel.hidden = true;
    var head = el("div", { "class": "scb-head" }, "");
    var disclaimer = el("p", { "class": "scb-disclaimer", id: "scb-disclaimer" }, "");
    var log = el("div", { "class": "scb-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
    var form = el("form", { "class": "scb-form" });
    var field = el("div", { style: "flex:1" });
    var label = el("label", { "for": "scb-input" }, "Your question");
    var input = el("input", { id: "scb-input", type: "text", autocomplete: "off", maxlength: "2000" });
    var send = el("button", { type: "submit" }, "Ask");
    field.appendChild(label); field.appendChild(input);
    form.appendChild(field); form.appendChild(send);
    panel.appendChild(head); panel.appendChild(disclaimer); panel.appendChild(log); panel.appendChild(form);
    document.body.appendChild(panel); document.body.appendChild(toggle);

    function setInfo(data) {
      info = data;
      head.textContent = data.title || "";
      disclaimer.textContent = data.disclaimer || "";
      label.textContent = data.question_label || "Your question";
      send.textContent = data.ask_button || "Ask";
      toggle.textContent = data.title || "Ask a question";
      [toggle, panel].forEach(function (node) {
        if (data.primary_color) node.style.setProperty("--scb-primary", data.primary_color);
        if (data.accent_color) node.style.setProperty("--scb-accent", data.accent_color);
      });
    }
    fetch(server + "/api/info").then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) setInfo(data); })
      .catch(function () { /* shown again on the first question */ });

    toggle.addEventListener("click", function () {
      var open = panel.hidden;
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (open) input.focus();
    });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { panel.hidden = true; toggle.setAttribute("aria-expanded", "false"); toggle.focus(); }
    });

    function note(box, cls, text) { box.appendChild(el("div", { "class": cls, role: "note" }, text)); }
    // One renderer per part of an answer, applied in PART_ORDER.
    var PARTS = {
      escalation: function (a, box) {
        if (!a.escalation) return;
        var alert = el("div", { "class": "scb-alert", role: "alert" });
        var heading = info && info.alert_heading ? info.alert_heading[a.escalation.level] : "";
        if (heading) alert.appendChild(el("strong", null, heading));
        alert.appendChild(document.createTextNode(a.escalation.message));
        box.appendChild(alert);
      },
      warning_first: function (a, box) { if (a.warning && a.warning.placement === "first") note(box, "scb-warning", a.warning.message); },
      support: function (a, box) { if (a.support) note(box, "scb-support", a.support); },
      reminder: function (a, box) { if (a.reminder) note(box, "scb-reminder", a.reminder); },
      missing: function (a, box) { if (a.missing) box.appendChild(el("p", { "class": "scb-missing" }, a.missing)); },
      body: function (a, box) { if (a.body) markdown(box, a.body); },
      warning_after: function (a, box) { if (a.warning && a.warning.placement !== "first") note(box, "scb-warning", a.warning.message); },
      notices: function (a, box) { (a.notices || []).forEach(function (n) { box.appendChild(el("p", null, n)); }); },
      // the disclaimer stays visible above the conversation, so each answer does not repeat it
      disclaimer: function () {}
    };

    function render(answer) {
      var box = el("div", { "class": "scb-a" });
      PART_ORDER.forEach(function (part) { PARTS[part](answer, box); });
      if (!box.childNodes.length) markdown(box, answer.answer);
      if (answer.citations && answer.citations.length) {
        var details = el("details", { "class": "scb-sources" });
        details.appendChild(el("summary", null, ((info && info.sources_label) || "Sources") + " (" + answer.citations.length + ")"));
        var ol = el("ol");
        answer.citations.forEach(function (c) {
          var li = el("li", { value: String(c.n) });
          li.appendChild(el("p", null, "[" + c.n + "] " + c.section));
          li.appendChild(el("blockquote", null, c.text));
          ol.appendChild(li);
        });
        details.appendChild(ol);
        box.appendChild(details);
      }
      if (!disclaimer.textContent) disclaimer.textContent = answer.disclaimer;
      return box;
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var question = input.value.trim();
      if (!question) return;
      input.value = "";
      log.appendChild(el("div", { "class": "scb-q" }, question));
      send.disabled = true;
      fetch(server + "/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question: question, history: history.slice(-20) })
      }).then(function (r) {
        return r.json().then(function (data) { return { ok: r.ok, data: data }; });
      }).then(function (res) {
        if (!res.ok) { log.appendChild(el("div", { "class": "scb-a" }, res.data.detail || "Sorry, something went wrong.")); return; }
        log.appendChild(render(res.data));
        history.push({ role: "user", content: question });
        history.push({ role: "assistant", content: res.data.body || res.data.answer || "" });
      }).catch(function () {
        log.appendChild(el("div", { "class": "scb-a" }, "Sorry, the chat could not be reached. If you need urgent help, call your local emergency number."));
      }).then(function () {
        send.disabled = false;
        log.scrollTop = log.scrollHeight;
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", build);
  else build();
})();

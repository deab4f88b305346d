/* citehack live: follow the event's state pushed by Server-Sent Events, or by polling when
   the stream is not available. Timers are instants; the clock is corrected for the offset
   between this device and the server. No dependency. */
(function () {
  "use strict";
  var config = document.getElementById("live-config");
  var initial = document.getElementById("live-state");
  if (!config || !initial) { return; }
  var labels = config.dataset;
  var state = JSON.parse(initial.textContent || "{}");
  var offset = 0;          /* server clock minus this device's clock, in ms */
  var polling = null;
  var source = null;
  var failures = 0;

  function now() { return Date.now() + offset; }

  function all(name) { return document.querySelectorAll('[data-live="' + name + '"]'); }
  function setText(name, text) {
    all(name).forEach(function (el) { if (el.textContent !== text) { el.textContent = text; } });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function format(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(sec);
  }
  function remaining(timer) {
    if (!timer) { return null; }
    if (timer.running) { return timer.ends_at - now(); }
    if (timer.paused) { return timer.remaining_ms; }
    return null;
  }
  function hhmm(ms) {
    var d = new Date(ms - offset);
    return pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function renderTimer(name, timer) {
    var left = remaining(timer);
    var text = left === null ? "" : (left <= 0 && timer.running ? labels.labelDone : format(left));
    if (timer && timer.paused) { text = format(left) + " · " + labels.labelPaused; }
    setText(name, text);
    all(name).forEach(function (el) {
      el.classList.toggle("is-warning", left !== null && left > 0 && left <= 60000);
      el.classList.toggle("is-over", left !== null && left <= 0 && timer.running);
    });
  }

  function renderProgramme() {
    var t = now(), current = [], next = null;
    (state.programme || []).forEach(function (item) {
      if (item.starts_at <= t && t < item.ends_at) { current.push(item.title); }
      else if (item.starts_at > t && !next) { next = item; }
    });
    if (state.current_item) {
      (state.programme || []).forEach(function (item) { if (item.id === state.current_item) { current = [item.title]; } });
    }
    setText("now", current.length ? current.join(", ") : labels.labelNothing);
    setText("next", next ? hhmm(next.starts_at) + " " + next.title : "");
  }

  function renderAnnouncements() {
    var t = now();
    var active = (state.announcements || []).filter(function (a) { return !a.ends_at || a.ends_at > t; });
    all("announcements").forEach(function (box) {
      var key = active.map(function (a) { return a.id; }).join(",");
      if (box.dataset.key === key) { return; }
      box.dataset.key = key;
      box.textContent = "";
      active.forEach(function (a) {
        var p = document.createElement("p");
        p.className = "message announcement";
        p.textContent = a.text;
        box.appendChild(p);
      });
    });
  }

  function renderPitch() {
    var pitch = state.pitch || {};
    var order = pitch.order || [];
    var team = pitch.index !== null && pitch.index !== undefined ? order[pitch.index] : null;
    setText("pitch-team", team ? team.name : "");
    setText("pitch-challenge", team ? team.challenge : "");
    setText("pitch-position", team ? (pitch.index + 1) + " / " + order.length : "");
    setText("pitch-stage", pitch.stage === "questions" ? labels.labelQuestions : (pitch.stage ? labels.labelPitch : ""));
    setText("pitch-seed", pitch.seed ? "seed " + pitch.seed : "");
    all("pitch-order").forEach(function (list) {
      var key = order.map(function (e) { return e.id; }).join(",") + "|" + pitch.index;
      if (list.dataset.key === key) { return; }
      list.dataset.key = key;
      list.textContent = "";
      order.forEach(function (entry, i) {
        var li = document.createElement("li");
        li.textContent = entry.name;
        if (i === pitch.index) { li.className = "current"; }
        list.appendChild(li);
      });
    });
  }

  function renderMode() {
    document.querySelectorAll("[data-live-root] [data-mode]").forEach(function (panel) {
      var mode = panel.dataset.mode;
      var show = mode === state.mode || (mode === "programme" && !state.mode);
      if (document.body.classList.contains("screen")) { panel.hidden = !show; }
      else if (mode === "countdown") { panel.hidden = !(state.timer && (state.timer.running || state.timer.paused)); }
      else if (mode === "pitch") { panel.hidden = !(state.pitch && state.pitch.stage); }
    });
  }

  function render() {
    renderTimer("timer", state.timer);
    renderTimer("timer-mini", state.timer);
    renderTimer("pitch-timer", state.pitch && state.pitch.timer);
    setText("timer-label", (state.timer && state.timer.label) || "");
    renderProgramme();
    renderAnnouncements();
    renderPitch();
    renderMode();
    var audience = state.extra && state.extra.audience;
    all("audience-link").forEach(function (el) { el.hidden = !(audience && audience.status === "open"); });
  }

  /* Other scripts of the page (the audience count, the podium reveal) follow the same state:
     they listen to this event on document; `detail` is the state document. */
  function announce() {
    document.dispatchEvent(new CustomEvent("citehack:live", { detail: state }));
  }

  function accept(next) {
    if (!next || typeof next.version !== "number") { return; }
    if (state.version === undefined || next.version > state.version) { state = next; render(); announce(); }
  }

  function status(text) { setText("connection", text); }

  /* Clock offset from one round trip to the state endpoint (NTP style). */
  function poll(measure) {
    var sent = Date.now();
    return fetch(labels.stateUrl, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        var received = Date.now();
        var server = parseInt(response.headers.get("X-Server-Now"), 10);
        if (measure && !isNaN(server)) { offset = server - (sent + received) / 2; }
        return response.ok ? response.json() : null;
      })
      .then(accept)
      .catch(function () { status(labels.labelOffline); });
  }

  function startPolling() {
    if (polling) { return; }
    status(labels.labelPolling);
    var tick = function () {
      poll(false).then(function () { polling = setTimeout(tick, 2000 + Math.random() * 1000); });
    };
    polling = setTimeout(tick, 500);
  }

  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    source = new EventSource(labels.streamUrl);
    var opened = false;
    var watchdog = setTimeout(function () { if (!opened) { source.close(); startPolling(); } }, 8000);
    source.addEventListener("open", function () { opened = true; failures = 0; status(""); clearTimeout(watchdog); });
    source.addEventListener("state", function (e) { opened = true; accept(JSON.parse(e.data)); });
    source.addEventListener("error", function () {
      failures += 1;
      status(labels.labelOffline);
      /* The browser reconnects by itself after the server's random `retry:`; a stream that
         keeps failing (a proxy that buffers, an old server) gives way to polling. */
      if (failures >= 3 || source.readyState === EventSource.CLOSED) { source.close(); startPolling(); }
    });
  }

  render();
  document.addEventListener("DOMContentLoaded", announce);
  poll(true);
  setInterval(function () { poll(true); }, 5 * 60 * 1000);
  setInterval(render, 250);
  document.addEventListener("htmx:afterSwap", render);
  connect();
}());

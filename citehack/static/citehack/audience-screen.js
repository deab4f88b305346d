/* citehack audience vote on the screen: the number of voters, from the live state that live.js
   dispatches as the `citehack:live` event after each render. The state never holds the count
   per team (phones receive it too). No dependency. */
(function () {
  "use strict";
  var script = document.currentScript;
  var labels = (script && script.dataset) || {};
  var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "fr") : null;
  var shown = null;

  function element(tag, className, text) {
    var el = document.createElement(tag);
    el.className = className;
    el.textContent = text;
    return el;
  }

  function render(state) {
    var vote = state && state.extra && state.extra.audience;
    var boxes = document.querySelectorAll('[data-live="vote"]');
    if (!vote || !boxes.length) { return; }
    var total = vote.total || 0;
    var key = vote.status + "|" + total;
    if (key === shown) { return; }
    shown = key;
    var form = plural ? plural.select(total) : (total === 1 ? "one" : "other");
    var status = vote.status === "open" ? labels.open : (vote.status === "closed" ? labels.closed : labels.notOpen);
    boxes.forEach(function (box) {
      box.textContent = "";
      box.dataset.total = String(total);
      box.dataset.status = vote.status || "";
      if (vote.status === "open" || vote.status === "closed") {
        box.appendChild(element("p", "audience-screen-count", String(total)));
        box.appendChild(element("p", "audience-screen-label", form === "one" ? labels.one : labels.other));
      }
      box.appendChild(element("p", "audience-screen-status", status || ""));
    });
  }

  document.addEventListener("citehack:live", function (event) { render(event.detail); });
  var initial = document.getElementById("live-state");
  if (initial) {
    try {
      var state = JSON.parse(initial.textContent || "{}");
      /* The page embeds the state's JSON text with json_script: a string holding the document. */
      render(typeof state === "string" ? JSON.parse(state) : state);
    } catch (error) { /* live.js reports bad states */ }
  }
}());

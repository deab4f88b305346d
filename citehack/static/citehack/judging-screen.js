/* citehack screen: the podium. Renders the prizes revealed so far (the live state's
   extra.reveal, which holds nothing unrevealed) into [data-live="results"]: the latest
   reveal large, the earlier ones below it. Follows the "citehack:live" event that live.js
   dispatches after each render. No dependency. */
(function () {
  "use strict";
  var lastKey = null;

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  function render(state) {
    var boxes = document.querySelectorAll('[data-live="results"]');
    if (!boxes.length) { return; }
    var reveal = (state && state.extra && state.extra.reveal) || {};
    var list = reveal.revealed || [];
    var key = JSON.stringify(list);
    if (key === lastKey) { return; }
    lastKey = key;
    boxes.forEach(function (box) {
      box.setAttribute("aria-live", "polite");
      box.textContent = "";
      if (!list.length) { return; }
      var latest = list[list.length - 1];
      var hero = element("div", "reveal-current" + (latest.awarded ? "" : " is-not-awarded"));
      hero.appendChild(element("p", "reveal-prize", latest.prize));
      hero.appendChild(element("p", "reveal-team", latest.team));
      if (latest.challenge && latest.team.indexOf(latest.challenge) === -1) {
        hero.appendChild(element("p", "reveal-challenge", latest.challenge));
      }
      box.appendChild(hero);
      if (list.length > 1) {
        var earlier = element("ul", "reveal-list");
        for (var i = list.length - 2; i >= 0; i -= 1) {
          var item = element("li");
          item.appendChild(element("span", "reveal-list-prize", list[i].prize));
          item.appendChild(document.createTextNode(" — " + list[i].team));
          earlier.appendChild(item);
        }
        box.appendChild(earlier);
      }
    });
  }

  document.addEventListener("citehack:live", function (event) { render(event.detail); });
  var initial = document.getElementById("live-state");
  if (initial) {
    try {
      var data = JSON.parse(initial.textContent || "{}");
      /* The page may embed the state as JSON text inside a JSON string. */
      render(typeof data === "string" ? JSON.parse(data) : data);
    } catch (error) { /* the next "citehack:live" event renders */ }
  }
}());

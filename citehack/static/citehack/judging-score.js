/* citehack jury: the scoring page saves each choice with htmx (a radio changed, or the
   comment a moment after typing stops); this script only says when a save did not get
   through (no connection) and sends the form again, since saving is idempotent. Without it,
   or without JavaScript, the Save buttons work as plain forms. */
(function () {
  "use strict";
  var form = document.querySelector("[data-score-form]");
  var status = document.getElementById("save-status");
  if (!form || !status || !window.htmx) { return; }
  var retry = null;

  function say(text, state) {
    status.textContent = text;
    status.className = "save-status" + (state ? " is-" + state : "");
  }
  function resend() {
    retry = null;
    window.htmx.trigger(form, "resend");
  }
  function failed(event) {
    if (event.detail.elt !== form) { return; }
    say(status.dataset.labelOffline, "offline");
    if (!retry) { retry = setTimeout(resend, 5000); }
  }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt === form) { say(status.dataset.labelSaving, "saving"); }
  });
  document.body.addEventListener("htmx:sendError", failed);
  document.body.addEventListener("htmx:responseError", failed);
  window.addEventListener("online", function () { if (retry) { clearTimeout(retry); resend(); } });
}());

/* citehack teams: the ranking form without duplicate ranks. Choosing a rank that another
   challenge holds gives that challenge your previous rank (the two exchange), and a status
   line says so for screen readers. The form works the same without this script: the server
   then refuses duplicates with a clear message. */
(function () {
  "use strict";
  var list = document.querySelector("[data-rank-list]");
  if (!list) { return; }
  var selects = Array.prototype.slice.call(list.querySelectorAll("select"));
  var status = list.querySelector("[data-rank-status]");
  selects.forEach(function (select) { select.dataset.previous = select.value; });
  selects.forEach(function (select) {
    select.addEventListener("change", function () {
      var value = select.value;
      var previous = select.dataset.previous || "";
      if (value) {
        selects.forEach(function (other) {
          if (other !== select && other.value === value) {
            other.value = previous;
            other.dataset.previous = previous;
            if (status) { status.textContent = list.dataset.swapNote || ""; }
          }
        });
      }
      select.dataset.previous = value;
    });
  });
})();

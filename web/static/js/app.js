/* CôngVăn progressive enhancement: nothing here is needed for the pages to work. */
(function () {
  "use strict";
  // Hide a toast a few seconds after it appears.
  function scheduleToastRemoval(root) {
    root.querySelectorAll(".toast").forEach(function (toast) {
      window.setTimeout(function () { toast.remove(); }, 5000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { scheduleToastRemoval(document); });
  document.addEventListener("htmx:afterSwap", function (event) { scheduleToastRemoval(event.target); });
  // Ask before destructive or legal actions marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);
})();

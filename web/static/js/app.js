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

  // Print buttons (data-print) work only with JS, so they start hidden and the page says how to print
  // without one; a phone has no Ctrl+P.
  function showPrintButtons(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) { button.hidden = false; });
    root.querySelectorAll("[data-print-hint]").forEach(function (hint) { hint.hidden = true; });
  }
  document.addEventListener("DOMContentLoaded", function () { showPrintButtons(document); });
  document.addEventListener("htmx:afterSwap", function (event) { showPrintButtons(event.target); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { event.preventDefault(); window.print(); }
  });

  // Destructive or legal actions carry data-confirm="question". Declining must send nothing.
  // htmx forms are asked through htmx's own hook (htmx:confirm): htmx sends its request whatever a
  // submit listener does, so the question has to gate the request itself. Plain forms (and every
  // form when htmx did not load) are asked on submit; without JS the server's own checks apply.
  function confirmed(element) {
    var question = element && element.getAttribute && element.getAttribute("data-confirm");
    return !question || window.confirm(question);
  }
  window.CongVan = window.CongVan || {};
  window.CongVan.confirmed = confirmed;

  var HTMX_VERBS = "[hx-post],[hx-get],[hx-put],[hx-patch],[hx-delete],[data-hx-post],[data-hx-get]";
  function handledByHtmx(form) { return Boolean(window.htmx) && form.matches(HTMX_VERBS); }

  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-confirm")) { return; }
    event.preventDefault();
    if (confirmed(elt)) { event.detail.issueRequest(true); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm") || handledByHtmx(form)) { return; }
    if (!confirmed(form)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
})();

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
  // Length limits (data-max-chars) counted as the server counts: NFC, trimmed, inner whitespace
  // collapsed, in characters. A browser's maxlength counts UTF-16 units of the raw text and cuts
  // silently; here nothing is cut, the hint says how many characters are left or too many, and the
  // form will not submit while the text is too long.
  function serverLength(text) {
    var cleaned = text.normalize("NFC").trim().split(/\s+/).filter(Boolean).join(" ");
    return Array.from(cleaned).length;
  }
  function updateCount(field) {
    var limit = Number(field.getAttribute("data-max-chars"));
    var hint = document.getElementById(field.id + "-count");
    var used = serverLength(field.value);
    var over = used - limit;
    var message = over > 0 ? "Trích yếu dài " + used + " ký tự, quá " + over + " ký tự so với giới hạn " + limit +
      ". Hãy rút gọn." : "";
    field.setCustomValidity(message);
    if (hint) {
      hint.textContent = over > 0 ? message : used + "/" + limit + " ký tự";
      hint.classList.toggle("field-error", over > 0);
    }
  }
  function watchCounts(root) {
    root.querySelectorAll("[data-max-chars]").forEach(updateCount);
  }
  document.addEventListener("DOMContentLoaded", function () { watchCounts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { watchCounts(event.target); });
  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-max-chars")) { updateCount(event.target); }
  });

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

  // One tap, one effect. Every state-changing htmx form sends an Idempotency-Key that stays the same
  // while the form is on the page, so a second tap or a retry after a lost answer is applied once by
  // the server (backend/web/offline/middleware.py: the mechanism the offline queue replays with). A form
  // asking for an OTP carries none: an OTP is accepted once, and signing routes refuse replay keys.
  // While a request runs, the form's submit buttons are disabled and marked busy. A plain (non-htmx)
  // form is submitted once: a second submit while the page is leaving is dropped.
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID().replace(/-/g, ""); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function formOf(event) {
    var elt = event.detail && event.detail.elt;
    if (!elt) { return null; }
    return elt instanceof HTMLFormElement ? elt : (elt.closest ? elt.closest("form") : null);
  }
  function setBusy(form, busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])").forEach(function (button) {
      button.disabled = busy;
    });
  }
  window.CongVan.setBusy = setBusy;
  document.addEventListener("htmx:configRequest", function (event) {
    var form = formOf(event);
    if (!form || event.detail.verb !== "post" || form.querySelector("input[name=otp]")) { return; }
    if (!form.dataset.idempotencyKey) { form.dataset.idempotencyKey = newKey(); }
    event.detail.headers["Idempotency-Key"] = form.dataset.idempotencyKey;
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = formOf(event);
    if (form && event.detail.requestConfig && event.detail.requestConfig.verb === "post") { setBusy(form, true); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = formOf(event);
    if (!form) { return; }
    setBusy(form, false);
    // Applied: the next submission of a form still on the page is a new action. Not answered (the
    // link dropped): the key is kept, so "Thử lại" cannot apply it twice.
    if (event.detail.successful) { delete form.dataset.idempotencyKey; }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented || handledByHtmx(form)) { return; }
    if ((form.method || "").toLowerCase() !== "post") { return; }
    if (form.dataset.submitted) { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    window.setTimeout(function () { setBusy(form, true); }, 0); // after the submitter's value is taken
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
      setBusy(form, false);
    });
  });
})();

/* CôngVăn uploads on a weak link (forms marked data-upload, see components/_upload.html): htmx's
 * htmx:xhr:progress into the form's <progress>, a busy form while it runs, and, when the connection
 * drops, the form left as it is (values and chosen files kept) with a "Thử lại" button that sends it
 * again with the same button. Without this script the forms post normally. */
(function () {
  "use strict";

  function uploadForm(event) {
    var elt = event.detail && event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form[data-upload]") : null;
    return form && form.querySelector("[data-upload-status]") ? form : null;
  }

  function parts(form) {
    var status = form.querySelector("[data-upload-status]");
    return {
      status: status,
      bar: status.querySelector("progress"),
      percent: status.querySelector("[data-upload-percent]"),
      failed: status.querySelector("[data-upload-failed]"),
    };
  }

  function setBusy(form, busy) { window.CongVan.setBusy(form, busy); }  // app.js, loaded first

  var submitters = new WeakMap();

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = uploadForm(event);
    if (!form) { return; }
    var config = event.detail.requestConfig || {};
    var trigger = config.triggeringEvent;
    if (trigger && trigger.submitter) { submitters.set(form, trigger.submitter); }
    var p = parts(form);
    p.status.hidden = false;
    p.failed.hidden = true;
    p.failed.removeAttribute("role");
    p.bar.value = 0;
    p.percent.textContent = "0%";
    setBusy(form, true);
  });

  /* Upload and download progress both arrive as htmx:xhr:progress: the bar only moves forward. */
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = uploadForm(event);
    var detail = event.detail || {};
    if (!form || !detail.lengthComputable || !detail.total) { return; }
    var p = parts(form);
    var value = Math.max(p.bar.value, Math.round(100 * detail.loaded / detail.total));
    p.bar.value = value;
    p.percent.textContent = value + "%";
  });

  function failed(event) {
    var form = uploadForm(event);
    if (!form) { return; }
    var p = parts(form);
    p.failed.setAttribute("role", "alert");  // announced now, not while hidden
    p.failed.hidden = false;
    setBusy(form, false);
    p.failed.querySelector("[data-upload-retry]").focus();
  }

  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);
  document.addEventListener("htmx:xhr:abort", failed);

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = uploadForm(event);
    if (form && event.detail.successful === false && !event.detail.xhr.status) { return; }  // sendError: kept
    if (form) { setBusy(form, false); }
  });

  document.addEventListener("click", function (event) {
    var retry = event.target.closest ? event.target.closest("[data-upload-retry]") : null;
    var form = retry && retry.closest("form[data-upload]");
    if (!form) { return; }
    var submitter = submitters.get(form);
    form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
  });
})();

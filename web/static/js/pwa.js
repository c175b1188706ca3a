/* CôngVăn installable-app glue: service worker, "cached data" banner, offline queue, logout wipe,
 * install prompt, push subscription and live counts. Nothing here is needed for the pages to work. */
(function () {
  "use strict";

  var hasWorker = "serviceWorker" in navigator;
  var installPrompt = null;

  function byId(id) { return document.getElementById(id); }

  function banner() { return byId("offline-banner"); }

  /* The opaque per-user id the server put on the layout ("" on anonymous pages). */
  function userId() {
    var node = banner();
    return node ? node.getAttribute("data-cv-user") || "" : "";
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function toast(message, kind) {
    var region = byId("toast");
    if (!region) { return; }
    var node = document.createElement("div");
    node.className = "toast" + (kind === "error" ? " toast-error" : "");
    node.textContent = message;
    region.replaceChildren(node);
    window.setTimeout(function () { node.remove(); }, 6000);
  }

  /* Ask the service worker something and wait for its answer (rejects after ``ms`` in every case,
   * also when no worker ever becomes ready, so that nothing, logout included, can hang on it). */
  function worker(message, ms) {
    if (!hasWorker || !userId()) { return Promise.reject(new Error("no service worker")); }
    return new Promise(function (resolve, reject) {
      var timer = window.setTimeout(function () { reject(new Error("timeout")); }, ms || 15000);
      navigator.serviceWorker.ready.then(function (registration) {
        var target = navigator.serviceWorker.controller || registration.active;
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          window.clearTimeout(timer);
          if (event.data && event.data.error) { reject(new Error(event.data.error)); } else { resolve(event.data); }
        };
        target.postMessage(message, [channel.port2]);
      });
    });
  }

  /* ---------- "you are reading saved data" ---------- */

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function when(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return ""; }
    var text = two(date.getHours()) + ":" + two(date.getMinutes());
    if (date.toDateString() !== new Date().toDateString()) {
      text += " ngày " + two(date.getDate()) + "/" + two(date.getMonth() + 1);
    }
    return text;
  }

  function showStatus() {
    var node = banner();
    if (!node) { return; }
    var cachedAt = document.body.getAttribute("data-cv-cached-at");
    var text = "";
    if (cachedAt !== null) {
      text = document.body.getAttribute("data-cv-fallback-for")
        ? "Trang bạn mở chưa được lưu trên thiết bị này. Đang hiển thị Văn bản đến đã lưu lúc " + when(cachedAt) + "."
        : "Đang xem dữ liệu đã lưu lúc " + when(cachedAt) + ".";
      if (!navigator.onLine) { text += " Không có kết nối mạng."; }
    } else if (!navigator.onLine) {
      text = "Không có kết nối mạng. Thao tác được lưu lại và tự gửi khi có mạng.";
    }
    node.textContent = text;
    node.hidden = !text;
    node.classList.toggle("is-cached", cachedAt !== null);
  }

  /* ---------- offline queue ---------- */

  function renderQueue(items) {
    var node = byId("offline-queue");
    if (!node) { return; }
    node.replaceChildren();
    node.hidden = !items.length;
    if (!items.length) { return; }
    var title = document.createElement("p");
    title.className = "offline-queue-title";
    title.textContent = "Thao tác chờ gửi (" + items.length + ")";
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var row = document.createElement("li");
      row.className = "offline-item offline-item-" + item.state;
      var label = document.createElement("span");
      label.textContent = item.label + (item.state === "failed" ? " — không áp dụng được: " + item.message : " — chờ có mạng");
      row.appendChild(label);
      if (item.state === "failed") {
        [["queue-retry", "Gửi lại"], ["queue-drop", "Bỏ"]].forEach(function (action) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn-secondary btn-small";
          button.setAttribute("data-queue-action", action[0]);
          button.setAttribute("data-queue-key", item.key);
          button.textContent = action[1];
          row.appendChild(button);
        });
      }
      list.appendChild(row);
    });
    node.appendChild(title);
    node.appendChild(list);
  }

  function refreshQueue() {
    return worker({type: "queue-list"}, 3000).then(function (answer) {
      renderQueue(answer.items || []);
      return answer.items || [];
    }, function () { return []; });
  }

  function replay() {
    if (!navigator.onLine) { return Promise.resolve(); }
    return worker({type: "replay", csrf: csrfToken()}).catch(function () { return null; });
  }

  /* The "online" event can reach the page before its worker can reach the network: that replay then
   * ends "offline", and a Background Sync firing meanwhile shares the worker's replay in flight, gets
   * the same answer and is not tried again for minutes. So after an "online" event a replay that ended
   * "offline" is tried again 1, 3 and 6 s later (about 10 s in all), only while the page is online and
   * no later "online" event has started over. Nothing is sent twice: the worker runs one replay at a
   * time, and the server applies each Idempotency-Key once. */
  var ONLINE_RETRY_DELAYS = [1000, 3000, 6000];
  var onlineRound = 0;

  function endedOffline(answer) {
    return Boolean(answer && answer.results && answer.results.some(function (r) { return r.outcome === "offline"; }));
  }

  function replayAfterOnline() {
    var round = onlineRound += 1;
    function attempt(index) {
      return replay().then(function (answer) {
        if (round !== onlineRound || index >= ONLINE_RETRY_DELAYS.length || !navigator.onLine || !endedOffline(answer)) {
          return answer;
        }
        return new Promise(function (resolve) { window.setTimeout(resolve, ONLINE_RETRY_DELAYS[index]); })
          .then(function () { return round === onlineRound ? attempt(index + 1) : null; });
      });
    }
    return attempt(0);
  }

  function onReplayed(results) {
    var applied = results.filter(function (r) { return r.outcome === "applied"; });
    var failed = results.filter(function (r) { return r.outcome === "failed"; });
    if (failed.length) {
      toast("Không áp dụng được «" + failed[0].label + "»: " + failed[0].message, "error");
    } else if (results.some(function (r) { return r.outcome === "login"; })) {
      toast("Hãy đăng nhập lại để gửi các thao tác đã lưu.", "error");
    } else if (applied.length) {
      toast("Đã gửi " + applied.length + " thao tác đã lưu khi mất mạng.");
    }
    if (applied.length && window.htmx) { window.htmx.trigger(document.body, "counts-changed"); }
    // The document on screen was changed by a replayed action: show its real state (the stale form still
    // offered the step just applied, and its version would now be refused as "updated by someone else").
    var panel = byId("document-panel");
    if (panel && window.htmx && applied.some(function (r) { return r.page === window.location.pathname; })) {
      window.htmx.ajax("GET", window.location.pathname, {target: "#document-panel", swap: "outerHTML"});
    }
    refreshQueue();
  }

  function isSigning(url) { return /\/(sign|signing|signature|signatures|seal)(\/|$)/.test(url); }

  /* The form's idempotency key (app.js sends it with every online submission): queuing the same form
   * again, or queuing it after its online send failed at the network, is the same action, applied once. */
  function formKey(form) {
    if (!form.dataset.idempotencyKey) {
      form.dataset.idempotencyKey = window.crypto && window.crypto.randomUUID
        ? window.crypto.randomUUID().replace(/-/g, "") : String(Date.now()) + Math.random().toString(16).slice(2);
    }
    return form.dataset.idempotencyKey;
  }

  function queueForm(form, submitter) {
    var url = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    var data = new FormData(form, submitter || undefined);
    var body = new URLSearchParams();
    var hasFile = false;
    data.forEach(function (value, name) {
      if (typeof value === "string") { body.append(name, value); } else if (value && value.size) { hasFile = true; }
    });
    if (hasFile || isSigning(url.pathname) || form.hasAttribute("data-no-offline")) {
      toast("Thao tác này cần có mạng (không thể lưu để gửi sau).", "error");
      return Promise.resolve();
    }
    var label = form.getAttribute("data-offline-label") || (submitter && submitter.textContent.trim()) || "Thao tác";
    var item = {
      key: formKey(form),
      user: userId(), url: url.pathname + url.search, body: body.toString(), csrf: csrfToken() || body.get("_csrf_token") || "",
      label: label, page: window.location.pathname, createdAt: Date.now(),
    };
    return worker({type: "queue", item: item}).then(function () {
      toast("Đã lưu «" + label + "». Thao tác sẽ tự gửi khi có mạng.");
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.sync) { return registration.sync.register("cv-replay"); }
        return null;
      }).catch(function () { return null; });
      return refreshQueue();
    }, function () {
      toast("Không lưu được thao tác trên thiết bị này. Hãy thử lại khi có mạng.", "error");
    });
  }

  /* ---------- logout: nothing of this user stays on the device ---------- */

  function wipeLocal() {
    var steps = [];
    if (window.caches) {
      steps.push(window.caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) { return window.caches.delete(name); }));
      }));
    }
    if (hasWorker) {
      steps.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (registration) { return registration.unregister(); }));
      }));
    }
    steps.push(new Promise(function (resolve) {
      var request = window.indexedDB.deleteDatabase("cv-offline");
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    }));
    return Promise.all(steps).catch(function () { return null; });
  }

  function logout(form) {
    refreshQueue().then(function (items) {
      if (items.length && !window.confirm("Còn " + items.length + " thao tác chưa gửi được. Đăng xuất sẽ xóa chúng khỏi thiết bị này. Vẫn đăng xuất?")) {
        return;
      }
      worker({type: "wipe"}, 3000).catch(function () { return null; }).then(wipeLocal).then(function () { form.submit(); });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) { return; }
    var action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    if (action.pathname === "/logout" && userId()) {
      event.preventDefault();
      event.stopPropagation();
      logout(form);
      return;
    }
    if (form.hasAttribute("data-offline-queue") && !navigator.onLine && hasWorker && userId()) {
      event.preventDefault();
      event.stopPropagation();  // before htmx sees it (and so before htmx's own confirmation)
      var ask = window.CongVan && window.CongVan.confirmed;
      if (!ask || ask(form)) { queueForm(form, event.submitter); }
    }
  }, true);

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-queue-action]") : null;
    if (!button) { return; }
    worker({type: button.getAttribute("data-queue-action"), key: button.getAttribute("data-queue-key")})
      .then(function () { return button.getAttribute("data-queue-action") === "queue-retry" ? replay() : null; })
      .then(refreshQueue);
  });

  document.addEventListener("htmx:sendError", function (event) {
    var detail = event.detail || {};
    var elt = detail.elt;
    if (elt && elt.tagName === "FORM" && elt.hasAttribute("data-offline-queue")) {
      queueForm(elt, null);
    } else if (detail.requestConfig && detail.requestConfig.boosted && detail.pathInfo && !(elt && elt.tagName === "FORM")) {
      // A boosted link: a real navigation (the worker may have a copy). A boosted form (an upload)
      // stays as it is, values and files kept, with its retry button (js/upload.js).
      window.location.assign(detail.pathInfo.requestPath);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail && event.detail.requestConfig;
    if (config && config.boosted) {
      document.body.removeAttribute("data-cv-cached-at");
      document.body.removeAttribute("data-cv-fallback-for");
      syncOffline(false);
    }
    pageReady();
  });

  window.addEventListener("online", function () { showStatus(); replayAfterOnline(); syncOffline(true); });
  window.addEventListener("offline", showStatus);

  /* ---------- install, push, opt-in prefetch ---------- */

  window.addEventListener("beforeinstallprompt", function (event) {
    var button = byId("install-app");
    if (!button) { return; }  // elsewhere the browser shows its own install hint
    event.preventDefault();
    installPrompt = event;
    button.hidden = false;
  });

  function base64UrlToBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function postJson(url, data) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(data),
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
  }

  function sha256Hex(text) {
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buffer) {
      return Array.from(new Uint8Array(buffer)).map(function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
    });
  }

  function sameKey(subscription, key) {
    var current = subscription.options && subscription.options.applicationServerKey;
    if (!current) { return true; }
    var a = new Uint8Array(current);
    var b = base64UrlToBytes(key);
    return a.length === b.length && a.every(function (value, i) { return value === b[i]; });
  }

  function syncSubscription(registration, key, force) {
    return registration.pushManager.getSubscription().then(function (subscription) {
      if (!subscription) { return null; }
      if (!sameKey(subscription, key)) {  // the server's VAPID key changed: subscribe again
        return subscription.unsubscribe().then(function () {
          return registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key)});
        }).then(function (fresh) { return postJson(registrationUrls().subscribe, fresh.toJSON()).then(function () { return fresh; }); });
      }
      var stamp = "cv-push-synced:" + userId();
      if (force || Date.now() - Number(window.localStorage.getItem(stamp) || 0) > 86400000) {
        return postJson(registrationUrls().subscribe, subscription.toJSON()).then(function () {
          window.localStorage.setItem(stamp, String(Date.now()));
          return subscription;
        });
      }
      return subscription;
    });
  }

  function registrationUrls() {
    var panel = byId("push-panel");
    return {
      subscribe: panel ? panel.getAttribute("data-subscribe-url") : "/account/devices/subscribe",
      unsubscribe: panel ? panel.getAttribute("data-unsubscribe-url") : "/account/devices/unsubscribe",
    };
  }

  function setupPushPanel() {
    var panel = byId("push-panel");
    if (!panel || panel.getAttribute("data-ready")) { return; }
    panel.setAttribute("data-ready", "1");
    var status = byId("push-status");
    var enable = byId("push-enable");
    var disable = byId("push-disable");
    var key = panel.getAttribute("data-vapid-key");
    var ios = /iphone|ipad|ipod/i.test(navigator.userAgent);
    var standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
    if (ios) { byId("ios-help").open = !standalone; }
    if (!key) { status.textContent = "Máy chủ chưa bật thông báo đẩy."; return; }
    if (!hasWorker || !("PushManager" in window) || !("Notification" in window)) {
      status.textContent = ios && !standalone
        ? "Trên iPhone/iPad, hãy thêm CôngVăn vào màn hình chính trước (xem hướng dẫn bên dưới)."
        : "Trình duyệt này không hỗ trợ thông báo đẩy.";
      return;
    }
    navigator.serviceWorker.ready.then(function (registration) {
      function show(subscription) {
        if (Notification.permission === "denied") {
          status.textContent = "Bạn đã chặn thông báo của CôngVăn. Hãy cho phép lại trong cài đặt trình duyệt.";
        } else {
          status.textContent = subscription ? "Đã bật thông báo trên thiết bị này." : "Chưa bật thông báo trên thiết bị này.";
        }
        enable.hidden = Boolean(subscription) || Notification.permission === "denied";
        disable.hidden = !subscription;
        if (subscription) {
          sha256Hex(subscription.endpoint).then(function (digest) {
            document.querySelectorAll(".device-current").forEach(function (pill) {
              pill.hidden = pill.getAttribute("data-endpoint-hash") !== digest;
            });
          });
        }
      }
      enable.onclick = function () {
        enable.disabled = true;
        Notification.requestPermission().then(function (permission) {
          if (permission !== "granted") { throw new Error("Chưa được cho phép hiển thị thông báo."); }
          return registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key)});
        }).then(function (subscription) {
          return postJson(registrationUrls().subscribe, subscription.toJSON());
        }).then(function () { window.location.reload(); }, function (error) {
          enable.disabled = false;
          status.textContent = "Không bật được thông báo: " + error.message;
        });
      };
      disable.onclick = function () {
        registration.pushManager.getSubscription().then(function (subscription) {
          if (!subscription) { return null; }
          var endpoint = subscription.endpoint;
          return subscription.unsubscribe().then(function () {
            return postJson(registrationUrls().unsubscribe, {endpoint: endpoint});
          });
        }).then(function () { window.location.reload(); });
      };
      return syncSubscription(registration, key, false).then(show, function () { show(null); });
    });
  }

  function setupOptions() {
    var install = byId("install-app");
    if (install && !install.getAttribute("data-ready")) {
      install.setAttribute("data-ready", "1");
      install.addEventListener("click", function () {
        if (!installPrompt) { return; }
        installPrompt.prompt();
        installPrompt.userChoice.then(function () { installPrompt = null; install.hidden = true; });
      });
    }
    var optIn = byId("opt-prefetch-assigned");
    var setting = "cv-prefetch-assigned:" + userId();
    if (optIn && !optIn.getAttribute("data-ready")) {
      optIn.setAttribute("data-ready", "1");
      optIn.checked = window.localStorage.getItem(setting) === "1";
      optIn.addEventListener("change", function () {
        window.localStorage.setItem(setting, optIn.checked ? "1" : "0");
        if (optIn.checked) { syncOffline(true); }
      });
    }
  }

  /* ---------- offline sync: recalled documents leave the device, new ones are fetched ahead ---------- */

  var SYNC_EVERY_MS = 60000;
  var lastSync = 0;

  /* Once per full page load, on "online", and after htmx navigations at most once a minute. */
  function syncOffline(force) {
    if (!hasWorker || !userId() || !navigator.onLine || (!force && Date.now() - lastSync < SYNC_EVERY_MS)) {
      return Promise.resolve(null);
    }
    lastSync = Date.now();
    var optedIn = window.localStorage.getItem("cv-prefetch-assigned:" + userId()) === "1";
    var saveData = Boolean(navigator.connection && navigator.connection.saveData);
    return fetch("/offline/sync", {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (answer) {
        return worker({type: "offline-sync", recalled: answer.recalled || [],
                       prefetch: optedIn && !saveData ? answer.prefetch || [] : []}, 120000);
      })
      .then(function () { window.__cvSynced = (window.__cvSynced || 0) + 1; return true; })
      .catch(function () { lastSync = 0; return null; });
  }

  function showCachedDocuments() {
    var list = byId("cached-documents");
    if (!list || !document.querySelector("[data-cv-offline-page]") || !hasWorker) { return; }
    navigator.serviceWorker.ready.then(function (registration) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) {
        var items = (event.data && event.data.items) || [];
        if (!items.length) { return; }
        list.replaceChildren();
        items.forEach(function (item) {
          var row = document.createElement("li");
          var link = document.createElement("a");
          link.href = item.url;
          link.textContent = item.title || item.url;
          row.appendChild(link);
          list.appendChild(row);
        });
      };
      (navigator.serviceWorker.controller || registration.active).postMessage({type: "cached-documents"}, [channel.port2]);
    });
  }

  /* ---------- live counts (SSE only where the server can publish: Redis mode) ---------- */

  function startLive() {
    var node = banner();
    if (!node || node.getAttribute("data-live") !== "sse" || !window.EventSource || window.__cvLive) { return; }
    var source = new window.EventSource(node.getAttribute("data-live-url"));
    window.__cvLive = source;
    source.addEventListener("counts-changed", function () {
      if (window.htmx) { window.htmx.trigger(document.body, "counts-changed"); }
    });
    window.addEventListener("pagehide", function () { source.close(); window.__cvLive = null; });
  }

  /* ---------- start ---------- */

  function pageReady() {
    showStatus();
    setupPushPanel();
    setupOptions();
  }

  function register() {
    var user = userId();
    if (!hasWorker || !user) { return; }
    var firstInstall = !navigator.serviceWorker.controller;
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () { return null; });
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type === "replayed") { onReplayed(data.results || []); }
      if (data.type === "push-resync") { navigator.serviceWorker.ready.then(function (r) { setupPushPanel(); return r; }); }
    });
    navigator.serviceWorker.ready.then(function () {
      return worker({type: "user", user: user});
    }).then(function () {
      if (firstInstall && navigator.onLine && !document.body.hasAttribute("data-cv-cached-at")) {
        // The page that installed the worker was not seen by it: keep a copy of it now.
        worker({type: "prefetch", urls: [window.location.pathname + window.location.search]}).catch(function () { return null; });
      }
      syncOffline(true);
      return refreshQueue();
    }).then(function (items) {
      window.__cvReady = true;
      if (items.length) { replay(); }
    }).catch(function () { return null; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    register();
    pageReady();
    startLive();
    showCachedDocuments();
  });
})();

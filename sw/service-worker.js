/* CôngVăn service worker (served at /sw.js, scope /). Policy: docs/pwa.md.
 *
 * - Hashed static assets (/static/…?v=…): cache-first; old versions dropped on activate.
 * - Pages (navigations): network-first; when the network fails (or is slower than 6 s and a copy
 *   exists) the cached copy of that page, else the user's last inbox snapshot, else /offline.
 *   A page served from cache carries data-cv-cached-at on <body>, so pwa.js can say how old it is.
 * - Only responses the server marked (CV-Offline: page|document|asset) are kept, in caches named
 *   after the user (CV-User, an opaque id); documents and their images are evicted LRU past 25 MB.
 * - Requests with HX-Request (fragments) are never cached and never answered with a page.
 * - Queued offline actions (IndexedDB) are replayed with their Idempotency-Key; signing never is.
 * - Sync (GET /offline/sync, asked by pwa.js): copies of recalled documents made before the recall are dropped
 *   from the device (the recall notice kept instead, once); new documents given to the user are fetched ahead
 *   with their page images, if asked.
 * - Push: shows the notification; a click opens the document (from cache when offline).
 */
"use strict";

const CONFIG = {"version": "dev", "precache": [], "offline": "/offline", "inbox": "/incoming"};

const STATIC_CACHE = "cv-static-" + CONFIG.version;
const PAGE_PREFIX = "cv-pages-";
const DOC_PREFIX = "cv-docs-";
const LIMITS = {page: {entries: 40, bytes: 5 * 1024 * 1024}, document: {entries: 300, bytes: 25 * 1024 * 1024}};
const NETWORK_TIMEOUT_MS = 6000;
const DB_NAME = "cv-offline";
const SYNC_TAG = "cv-replay";
const SIGNING = /\/(sign|signing|signature|signatures|seal)(\/|$)/;
const ICON = "/static/icons/icon-192.png";
const BADGE = "/static/icons/badge-96.png";

/* ---------- IndexedDB: meta (current user…), queue (offline actions), lru (kept entries) ---------- */

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("meta");
        db.createObjectStore("queue", {keyPath: "key"});
        db.createObjectStore("lru", {keyPath: "url"});
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => { db.close(); dbPromise = null; };  // the page is deleting it (logout)
        resolve(db);
      };
      request.onerror = () => { dbPromise = null; reject(request.error); };
    });
  }
  return dbPromise;
}

function idb(storeName, mode, action) {
  return openDb().then((db) => new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = action(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onabort = transaction.onerror = () => reject(transaction.error);
  }));
}

const metaGet = (key) => idb("meta", "readonly", (s) => s.get(key));
const metaSet = (key, value) => idb("meta", "readwrite", (s) => s.put(value, key));
const queueAll = () => idb("queue", "readonly", (s) => s.getAll());
const queuePut = (item) => idb("queue", "readwrite", (s) => s.put(item));
const queueDelete = (key) => idb("queue", "readwrite", (s) => s.delete(key));
const lruAll = () => idb("lru", "readonly", (s) => s.getAll());
const lruGet = (url) => idb("lru", "readonly", (s) => s.get(url));
const lruPut = (entry) => idb("lru", "readwrite", (s) => s.put(entry));
const lruDelete = (url) => idb("lru", "readwrite", (s) => s.delete(url));

/* ---------- users: every cache is per user; another user's data is dropped when a new one appears ---------- */

async function currentUser() {
  return (await metaGet("user")) || "";
}

async function switchUser(user) {
  if (!user || (await currentUser()) === user) {
    return;
  }
  const names = await caches.keys();
  await Promise.all(names.filter((name) => (name.startsWith(PAGE_PREFIX) || name.startsWith(DOC_PREFIX))
    && !name.endsWith("-" + user)).map((name) => caches.delete(name)));
  await idb("lru", "readwrite", (s) => s.clear());
  await idb("queue", "readwrite", (s) => s.clear());  // another person's queued text must not linger
  await metaSet("user", user);
}

async function wipe() {
  const names = await caches.keys();
  await Promise.all(names.map((name) => caches.delete(name)));
  await Promise.all(["lru", "queue", "meta"].map((store) => idb(store, "readwrite", (s) => s.clear())));
}

/* ---------- storing and serving copies ---------- */

function cacheNameFor(kind, user) {
  return (kind === "page" ? PAGE_PREFIX : DOC_PREFIX) + user;
}

function titleOf(html) {
  const match = /<title>([^<]*)<\/title>/i.exec(html);
  return match ? match[1].replace(/\s*·\s*CôngVăn\s*$/, "").trim() : "";
}

async function evict(name, limit) {
  const entries = (await lruAll()).filter((e) => e.cache === name).sort((a, b) => b.at - a.at);
  const cache = await caches.open(name);
  let bytes = 0;
  for (let i = 0; i < entries.length; i += 1) {
    bytes += entries[i].size || 0;
    if (i >= limit.entries || bytes > limit.bytes) {
      await cache.delete(entries[i].url);
      await lruDelete(entries[i].url);
    }
  }
}

async function remember(url, response) {
  const kind = response.headers.get("CV-Offline");
  const owner = response.headers.get("CV-User");
  if (!response.ok || !kind || !owner || response.headers.get("Content-Type") === null) {
    return;
  }
  await switchUser(owner);
  const body = await response.blob();
  const headers = new Headers(response.headers);
  headers.set("CV-Stored-At", new Date().toISOString());
  headers.delete("Content-Length");
  const name = cacheNameFor(kind, owner);
  await (await caches.open(name)).put(url, new Response(body, {status: 200, headers}));
  const title = kind === "asset" ? "" : titleOf(await body.text());
  await lruPut({url, cache: name, kind, title, at: Date.now(), size: body.size});
  await evict(name, kind === "page" ? LIMITS.page : LIMITS.document);
}

async function findCopy(url, user) {
  if (!user) {
    return undefined;
  }
  for (const name of [PAGE_PREFIX + user, DOC_PREFIX + user]) {
    const hit = await (await caches.open(name)).match(url);
    if (hit) {
      const entry = await lruGet(url);
      if (entry) {
        entry.at = Date.now();
        await lruPut(entry);
      }
      return hit;
    }
  }
  return undefined;
}

function attr(value) {
  return String(value).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/* Mark a cached page so the page itself can say that (and how old) it is. */
async function annotate(cached, fallbackFor) {
  const html = await cached.text();
  let marks = ' data-cv-cached-at="' + attr(cached.headers.get("CV-Stored-At") || "") + '"';
  if (fallbackFor) {
    marks += ' data-cv-fallback-for="' + attr(fallbackFor) + '"';
  }
  const body = html.replace(/<body(?=[\s>])/i, "<body" + marks);
  const headers = new Headers(cached.headers);
  headers.delete("Content-Length");
  return new Response(body, {status: 200, headers});
}

function timeout(ms) {
  return new Promise((resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}

async function networkFirstPage(event) {
  const request = event.request;
  const user = await currentUser();
  const cached = await findCopy(request.url, user);
  const network = fetch(request).then((response) => {
    event.waitUntil(remember(request.url, response.clone()).catch(() => undefined));
    return response;
  });
  event.waitUntil(network.then(() => undefined, () => undefined));
  try {
    return cached ? await Promise.race([network, timeout(NETWORK_TIMEOUT_MS)]) : await network;
  } catch (error) {
    if (cached) {
      return annotate(cached);
    }
    const inbox = await findCopy(new URL(CONFIG.inbox, self.location.origin).href, user);
    if (inbox) {
      return annotate(inbox, new URL(request.url).pathname);
    }
    const offline = await (await caches.open(STATIC_CACHE)).match(CONFIG.offline);
    return offline || new Response("Không có kết nối mạng.", {status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
  }
}

async function cacheFirstStatic(event) {
  const cache = await caches.open(STATIC_CACHE);
  const hit = await cache.match(event.request);
  if (hit) {
    return hit;
  }
  const response = await fetch(event.request);
  if (response.ok) {
    event.waitUntil(cache.put(event.request, response.clone()));
  }
  return response;
}

async function documentImage(event) {
  const hit = await findCopy(event.request.url, await currentUser());
  if (hit) {
    return hit;
  }
  const response = await fetch(event.request);
  event.waitUntil(remember(event.request.url, response.clone()).catch(() => undefined));
  return response;
}

/* The page images a stored document page shows (its reading view needs none; they complete it offline). */
function pageImagesOf(html, base) {
  const found = [];
  const pattern = /<img class="page-image" src="([^"]+)"/g;
  let match;
  while ((match = pattern.exec(html)) !== null && found.length < 5) {
    const url = new URL(match[1].replace(/&amp;/g, "&"), base);
    if (url.origin === self.location.origin) {
      found.push(url.href);
    }
  }
  return found;
}

async function prefetch(urls, withImages) {
  const user = await currentUser();
  for (const path of urls.slice(0, 10)) {
    const url = new URL(path, self.location.origin);
    if (url.origin !== self.location.origin || await findCopy(url.href, user)) {
      continue;
    }
    try {
      const response = await fetch(url.href, {credentials: "same-origin"});
      const images = withImages && response.ok && response.headers.get("CV-Offline") === "document"
        ? pageImagesOf(await response.clone().text(), url.href) : [];
      await remember(url.href, response);
      await prefetch(images, false);
    } catch (error) {
      return;  // offline again: try next time
    }
  }
}

/* A recalled document ({url, at}): drop every copy of its page and images; returns whether this device
 * had one. Its page as fetched after this device learnt of that recall (the notice) is marked with the
 * recall's instant and kept by later syncs. */
async function purge(recall) {
  const user = await currentUser();
  const page = new URL(recall.url, self.location.origin);
  const entry = await lruGet(page.href);
  if (entry && recall.at && entry.noticeOf === recall.at && await findCopy(page.href, user)) {
    return false;
  }
  const prefix = page.pathname.replace(/\/$/, "");
  const inScope = (href) => {
    const pathname = new URL(href).pathname;
    return pathname === prefix || pathname.startsWith(prefix + "/");
  };
  let had = false;
  for (const name of [PAGE_PREFIX + user, DOC_PREFIX + user]) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (inScope(request.url)) {
        had = had || new URL(request.url).pathname === prefix;
        await cache.delete(request);
      }
    }
  }
  await Promise.all((await lruAll()).filter((e) => inScope(e.url)).map((e) => lruDelete(e.url)));
  return had;
}

/* Sync with the server's list (GET /offline/sync): recalled documents leave every device (a device that
 * had one keeps the page as it is now: the recall notice, fetched once); new documents are fetched ahead
 * if asked. One sync at a time: two pages asking at once must not undo each other's notice. */
let syncing = Promise.resolve();

function offlineSync(recalled, urls) {
  const run = () => syncOnce(recalled, urls);
  syncing = syncing.then(run, run);
  return syncing;
}

async function syncOnce(recalled, urls) {
  const notices = [];
  for (const recall of recalled.slice(0, 50)) {
    if (await purge(recall)) {
      notices.push(recall);
    }
  }
  await prefetch(notices.map((recall) => recall.url), false);
  for (const recall of notices) {
    const entry = await lruGet(new URL(recall.url, self.location.origin).href);
    if (entry) {
      entry.noticeOf = recall.at;
      await lruPut(entry);
    }
  }
  await prefetch(urls, true);
}

async function cachedDocuments() {
  const user = await currentUser();
  return (await lruAll()).filter((e) => e.kind === "document" && e.cache === DOC_PREFIX + user)
    .sort((a, b) => b.at - a.at).map((e) => ({url: new URL(e.url).pathname, title: e.title, at: e.at}));
}

/* ---------- offline queue replay (one at a time, oldest first, each with its Idempotency-Key) ---------- */

let replaying = null;

function messageOf(html) {
  const match = /<div class="toast[^"]*"[^>]*>([\s\S]*?)<\/div>/.exec(html)
    || /<p class="(?:field-error|alert[^"]*)"[^>]*>([\s\S]*?)<\/p>/.exec(html);
  if (!match) {
    return "";
  }
  return match[1].replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, "&").trim();
}

async function notifyClients(message) {
  const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
  windows.forEach((client) => client.postMessage(message));
}

async function replayOnce(csrf) {
  const user = await currentUser();
  const items = (await queueAll()).filter((i) => i.user === user && i.state === "pending")
    .sort((a, b) => a.createdAt - b.createdAt);
  const results = [];
  for (const item of items) {
    const token = csrf || item.csrf || "";
    const body = new URLSearchParams(item.body);
    if (body.has("_csrf_token") && token) {
      body.set("_csrf_token", token);
    }
    let response;
    try {
      response = await fetch(item.url, {
        method: "POST", body, credentials: "same-origin",
        headers: {"Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": item.key,
                  "X-CSRFToken": token, "HX-Request": "true", "CV-Offline-Replay": "1"},
      });
    } catch (error) {
      results.push({key: item.key, label: item.label, outcome: "offline"});
      break;
    }
    const result = response.headers.get("CV-Offline-Result");
    if (response.redirected && new URL(response.url).pathname === "/login") {
      results.push({key: item.key, label: item.label, outcome: "login"});
      break;
    }
    if (response.ok || result === "replayed") {
      await queueDelete(item.key);
      results.push({key: item.key, label: item.label, outcome: "applied", page: item.page});
      continue;
    }
    if (result === "in-flight") {
      results.push({key: item.key, label: item.label, outcome: "pending"});
      continue;
    }
    item.state = "failed";
    item.status = response.status;
    item.message = messageOf(await response.text()) || ("Máy chủ không áp dụng thao tác (mã " + response.status + ").");
    await queuePut(item);
    results.push({key: item.key, label: item.label, outcome: "failed", message: item.message});
  }
  await notifyClients({type: "replayed", results});
  return {results};
}

function replay(csrf) {
  if (!replaying) {
    replaying = replayOnce(csrf).finally(() => { replaying = null; });
  }
  return replaying;
}

async function userQueue() {
  const user = await currentUser();
  return (await queueAll()).filter((i) => i.user === user).sort((a, b) => a.createdAt - b.createdAt)
    .map((i) => ({key: i.key, label: i.label, state: i.state, message: i.message || "", createdAt: i.createdAt}));
}

async function enqueueItem(item) {
  if (!item || !item.key || SIGNING.test(item.url) || item.user !== (await currentUser())) {
    throw new Error("not queueable");
  }
  // One action, one queue entry: the same form queued twice (a second tap, a send error after a tap)
  // carries the same key and replaces itself; the same request under another key is not added again.
  const same = (other) => other.key !== item.key && other.user === item.user && other.url === item.url &&
    withoutToken(other.body) === withoutToken(item.body);
  if ((await queueAll()).some(same)) {
    return;
  }
  item.state = "pending";
  await queuePut(item);
}

function withoutToken(body) {
  const params = new URLSearchParams(body);
  params.delete("_csrf_token");
  params.delete("version");
  return params.toString();
}

async function retryItem(key) {
  const item = (await queueAll()).find((i) => i.key === key);
  if (item) {
    item.state = "pending";
    item.message = "";
    await queuePut(item);
  }
}

/* ---------- lifecycle ---------- */

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll(CONFIG.precache))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(names
    .filter((name) => name.startsWith("cv-static-") && name !== STATIC_CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;  // POSTs (and logout's Clear-Site-Data) go straight to the network
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || request.headers.get("HX-Request")) {
    return;  // fragments: network only, never cached, never answered with a page
  }
  if (url.pathname === "/sw.js" || url.pathname.startsWith("/live/")) {
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    if (url.searchParams.has("v")) {
      event.respondWith(cacheFirstStatic(event));
    }
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(event));
  } else if (request.destination === "image") {
    event.respondWith(documentImage(event));
  }
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const port = event.ports && event.ports[0];
  const reply = (value) => { if (port) { port.postMessage(value); } };
  const handlers = {
    "user": () => switchUser(data.user).then(() => {
      event.waitUntil(prefetch([CONFIG.inbox], false));  // keep an inbox snapshot for the offline fallback
      return {ok: true};
    }),
    "queue": () => enqueueItem(data.item).then(() => ({ok: true})),
    "queue-list": () => userQueue().then((items) => ({items})),
    "queue-drop": () => queueDelete(data.key).then(() => ({ok: true})),
    "queue-retry": () => retryItem(data.key).then(() => ({ok: true})),
    "replay": () => replay(data.csrf),
    "prefetch": () => prefetch(data.urls || [], false).then(() => ({ok: true})),
    "offline-sync": () => offlineSync(data.recalled || [], data.prefetch || []).then(() => ({ok: true})),
    "cached-documents": () => cachedDocuments().then((items) => ({items})),
    "wipe": () => wipe().then(() => ({ok: true})),
  };
  const handler = handlers[data.type];
  if (handler) {
    event.waitUntil(handler().then(reply, (error) => reply({error: String(error)})));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) {
    event.waitUntil(replay().then((outcome) => {
      if (outcome.results.some((r) => r.outcome === "offline")) {
        throw new Error("still offline");  // the browser schedules another sync
      }
    }));
  }
});

/* ---------- push ---------- */

function safePath(value) {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : CONFIG.inbox;
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {body: event.data ? event.data.text() : ""};
  }
  const options = {
    body: data.body || "", lang: "vi", icon: ICON, badge: BADGE,
    data: {url: safePath(data.url)}, requireInteraction: Boolean(data.urgent),
  };
  if (data.tag) {
    options.tag = data.tag;  // the document: a newer push about it replaces the older notification
    options.renotify = Boolean(data.urgent);
  }
  event.waitUntil(self.registration.showNotification(data.title || "CôngVăn", options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(safePath(event.notification.data && event.notification.data.url), self.location.origin).href;
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true}).then((windows) => {
    const open = windows.find((client) => client.url === target);
    return open ? open.focus() : self.clients.openWindow(target);
  }));
});

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(metaSet("push-resync", true).then(() => notifyClients({type: "push-resync"})));
});

// The service worker of Couples, served at /sw.js so that its scope is the whole app. The
// server writes ``self.SHELL`` as the first line: the cache version (a hash of the files
// below and of this worker), the URLs of the app shell to keep, and the offline page.
//
// Pages are always asked of the network (the offline page stands in when it cannot be
// reached) and never kept: they are personal. Answers of /api/ are never touched. Only
// the app shell under /static/ and the offline page are kept, in one cache per version.

const SHELL = self.SHELL
  || { version: "unversioned", offline: "/offline", urls: ["/offline"], generic: {} };
const CACHE = `couples-shell-${SHELL.version}`;
const ICON = "/static/icons/icon-192.png";
const BADGE = "/static/icons/badge-96.png";

importScripts(`/static/js/push-target.js?v=${SHELL.version}`);
const { readPush, targetFor, pickWindow, keyBytes } = self.pushTarget;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Fresh from the server (not the HTTP cache), and without cookies: nothing kept here
    // can depend on who is logged in.
    await cache.addAll(SHELL.urls.map(
      (url) => new Request(url, { cache: "reload", credentials: "omit" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    if (self.registration.navigationPreload) {
      await self.registration.navigationPreload.enable();
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(pageOrOffline(event));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(fromShell(request));
  }
});

async function pageOrOffline(event) {
  try {
    const preloaded = await event.preloadResponse;
    return preloaded || await fetch(event.request);
  } catch (_error) {
    const offline = await caches.match(SHELL.offline, { cacheName: CACHE, ignoreVary: true });
    return offline || Response.error();
  }
}

async function fromShell(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

// Push: the Declarative Web Push JSON (DESIGN 6); the notification keeps ``navigate``.
self.addEventListener("push", (event) => {
  event.waitUntil(showPush(event.data ? event.data.text() : ""));
});

async function showPush(text) {
  const { title, options, badge } = readPush(text, self.registration.scope, genericBody());
  await self.registration.showNotification(title, { icon: ICON, badge: BADGE, ...options });
  await showCountOnIcon(badge);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) client.postMessage({ type: "push-shown", tag: options.tag });
}

// What a push that is not the app's own message says, in the first of the device's
// languages the server wrote it in (SHELL.generic: {"en": …, "es": …}); else English.
function genericBody() {
  const words = SHELL.generic || {};
  for (const tag of self.navigator.languages || [self.navigator.language]) {
    const said = tag && (words[tag] || words[tag.split("-")[0].toLowerCase()]);
    if (said) return said;
  }
  return undefined;
}

// The app icon's badge: the count the message gives, else the notifications on screen.
async function showCountOnIcon(count) {
  if (!("setAppBadge" in self.navigator)) return;
  try {
    const shown = count ?? (await self.registration.getNotifications()).length;
    if (shown > 0) await self.navigator.setAppBadge(shown);
    else await self.navigator.clearAppBadge();
  } catch (_error) {
    // The badge is a nicety: no app installed, or the platform says no.
  }
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = targetFor(event.notification, self.registration.scope);
  event.waitUntil(openWindowAt(target).finally(() => showCountOnIcon(null)));
});

async function openWindowAt(target) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const { client, navigate } = pickWindow(windows, target);
  if (client) {
    try {
      const focused = (await client.focus()) || client;
      if (!navigate) return focused;
      const moved = await focused.navigate(target);
      if (moved) return moved;
    } catch (_error) {
      // A window this worker does not control cannot be navigated: open a new one.
    }
  }
  return self.clients.openWindow(target);
}

// The push service replaced or dropped the subscription: subscribe again with the
// server's key and tell the server (the page does the same on its next open if this
// fails, e.g. when the session has ended).
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(resubscribe(event.oldSubscription, event.newSubscription));
});

async function resubscribe(oldSubscription, newSubscription) {
  let subscription = newSubscription;
  if (!subscription) {
    const answer = await fetch("/api/v1/push/vapid-public-key", { credentials: "same-origin" });
    if (!answer.ok) return;
    const { key } = await answer.json();
    subscription = await self.registration.pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: keyBytes(key),
    });
  }
  const saved = await sendToApi("POST", "/api/v1/push/subscriptions", subscription.toJSON());
  if (saved && oldSubscription && oldSubscription.endpoint !== subscription.endpoint) {
    await sendToApi("DELETE", "/api/v1/push/subscriptions",
                    { endpoint: oldSubscription.endpoint });
  }
}

async function sendToApi(method, path, body) {
  const csrf = await fetch("/api/v1/auth/csrf", { credentials: "same-origin" });
  if (!csrf.ok) return false;
  const { csrf_token: token } = await csrf.json();
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
    body: JSON.stringify(body),
  });
  return response.ok;
}

// The installable app in the page: registers the service worker, keeps the server's copy
// of this browser's push subscription current on every open, shows the unread count on
// the installed app's icon, lets the offline page come back by itself, and (through
// offline-checkin.js, on every page) sends check-in answers kept on this phone.

const SUBSCRIPTION_KEY = "couples.push.endpoint";

export function signedIn() {
  return document.body.dataset.signedIn === "true";
}

export async function registerWorker() {
  if (!window.isSecureContext || !("serviceWorker" in navigator)) return null;
  try {
    return await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  } catch (_error) {
    return null; // The app works without it, only not offline.
  }
}

export async function csrfToken() {
  const response = await fetch("/api/v1/auth/csrf", { credentials: "same-origin" });
  if (!response.ok) throw new Error(`no CSRF token (${response.status})`);
  return (await response.json()).csrf_token;
}

function lastSentEndpoint() {
  try {
    return localStorage.getItem(SUBSCRIPTION_KEY);
  } catch (_error) {
    return null;
  }
}

function rememberSentEndpoint(endpoint) {
  try {
    localStorage.setItem(SUBSCRIPTION_KEY, endpoint);
  } catch (_error) {
    // Without storage the subscription is sent again on the next open: harmless.
  }
}

// Send this browser's PushSubscription to the server (the same endpoint again updates it);
// the server's answer, so that a caller can show why it was refused.
export async function sendSubscription(subscription) {
  const json = subscription.toJSON();
  const response = await fetch("/api/v1/push/subscriptions", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": await csrfToken() },
    body: JSON.stringify(json),
  });
  if (response.ok) rememberSentEndpoint(json.endpoint);
  return response;
}

export async function saveSubscription(subscription) {
  return (await sendSubscription(subscription)).ok;
}

// Tell the server to stop sending to this subscription (before it is unsubscribed here).
export async function forgetSubscription(subscription) {
  const response = await fetch("/api/v1/push/subscriptions", {
    method: "DELETE",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": await csrfToken() },
    body: JSON.stringify({ endpoint: subscription.endpoint }),
  });
  try {
    localStorage.removeItem(SUBSCRIPTION_KEY);
  } catch (_error) {
    // Nothing was remembered then.
  }
  return response;
}

// A push service may replace a subscription while the app is closed: on every open, send
// the current one if it is not the one the server last got from this browser.
export async function syncSubscription(registration) {
  if (!signedIn() || !registration || !registration.pushManager) return false;
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription || subscription.endpoint === lastSentEndpoint()) return false;
  return saveSubscription(subscription);
}

// The Badging API, where it exists, for the installed app only (a browser tab has no icon).
async function showUnreadOnIcon() {
  const installed = window.matchMedia("(display-mode: standalone)").matches;
  if (!signedIn() || !installed || !("setAppBadge" in navigator)) return;
  const response = await fetch("/api/v1/notifications?limit=1", { credentials: "same-origin" });
  if (!response.ok) return;
  const { unread } = await response.json();
  if (unread > 0) await navigator.setAppBadge(unread);
  else await navigator.clearAppBadge();
}

function offlinePage() {
  if (!document.body.hasAttribute("data-offline-page")) return;
  // Served by the worker in place of the page at this address: loading it again is the
  // retry, and it happens by itself when the connection returns.
  window.addEventListener("online", () => window.location.reload());
  for (const retry of document.querySelectorAll("[data-retry]")) {
    retry.addEventListener("click", (event) => {
      event.preventDefault();
      window.location.reload();
    });
  }
}

async function start() {
  const registration = await registerWorker();
  if (!registration) return;
  await Promise.allSettled([syncSubscription(registration), showUnreadOnIcon()]);
}

offlinePage();
// Loaded once this module is ready (it uses csrfToken and signedIn from here): answers kept
// while offline are sent on any page, and logging out asks first while some are left.
import("./offline-checkin.js").catch(() => {
  // Without it the app works as before, only without answers kept offline.
});
if (document.readyState === "complete") {
  start();
} else {
  window.addEventListener("load", start, { once: true });
}

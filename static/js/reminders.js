// Reminders on this device: the push opt-in. The browser is asked for permission only
// after a tap on "Turn on reminders", never on load; every other state explains itself.
//
// Markup: an element with data-reminders (and data-vapid-url) holds one panel per state,
// [data-state="off|on|denied|ios-install|unsupported|unavailable"], all hidden until this
// module decides which one applies, buttons with data-action, and a [data-status] line.
// An element that also has data-card (the home page's card) stays hidden unless its
// data-show-when lists the state, and can be put away with data-action="dismiss".

import { csrfToken, forgetSubscription, registerWorker, sendSubscription } from "./pwa.js";
import "./push-target.js"; // sets self.pushTarget
import { _ } from "./words.js";

const { keyBytes } = self.pushTarget;
const DISMISSED_KEY = "couples.reminders.dismissed";
const DISMISS_DAYS = 30;

// iPadOS reports itself as a Mac: only its touch screen tells them apart.
export function isIOS(nav = navigator) {
  return /iPhone|iPad|iPod/.test(nav.userAgent || "")
    || (nav.platform === "MacIntel" && nav.maxTouchPoints > 1);
}

// Opened from the Home Screen (iOS) or as an installed app (elsewhere).
export function isInstalled() {
  return navigator.standalone === true
    || window.matchMedia("(display-mode: standalone)").matches;
}

function pushSupported() {
  return window.isSecureContext && "serviceWorker" in navigator
    && "PushManager" in window && "Notification" in window;
}

async function pushManager() {
  if (!(await registerWorker())) return null;
  return (await navigator.serviceWorker.ready).pushManager;
}

async function vapidKey(root) {
  try {
    const response = await fetch(root.dataset.vapidUrl, { credentials: "same-origin" });
    return response.ok ? (await response.json()).key : null;
  } catch (_error) {
    return null;
  }
}

// Which state applies to this browser now (asks nothing of the person).
async function decide(root) {
  // Before the support check: Safari on iOS has no PushManager until added to the Home Screen.
  if (isIOS() && !isInstalled()) return "ios-install";
  if (!pushSupported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  root.vapidKey = root.vapidKey || (await vapidKey(root));
  if (!root.vapidKey) return "unavailable";
  const manager = await pushManager();
  if (!manager) return "unsupported";
  const subscription = await manager.getSubscription();
  return subscription && Notification.permission === "granted" ? "on" : "off";
}

function say(root, text, tone = "") {
  const status = root.querySelector("[data-status]");
  if (!status) return;
  status.className = `status ${tone}`.trim();
  status.textContent = text;
}

function show(root, state, { moveFocus = false } = {}) {
  let panel = null;
  for (const candidate of root.querySelectorAll("[data-state]")) {
    const match = candidate.dataset.state === state;
    candidate.hidden = !match;
    if (match) panel = candidate;
  }
  root.dataset.current = state;
  if (root.hasAttribute("data-card")) root.hidden = !panel;
  if (moveFocus && panel) {
    // The button just used may be gone: keep keyboard focus inside the new state.
    const target = panel.querySelector("button, a[href]") || panel;
    if (target === panel) panel.tabIndex = -1;
    target.focus();
  }
}

async function problemOf(response) {
  try {
    const body = await response.json();
    return body.detail || body.title
      || _("The server answered %(status)s.", { status: response.status });
  } catch (_error) {
    return _("The server answered %(status)s.", { status: response.status });
  }
}

function sameKey(subscription, key) {
  const current = subscription.options && subscription.options.applicationServerKey;
  if (!current) return true;
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((byte, i) => byte === key[i]);
}

// The page's list of devices (the settings page has one), as the server now has it.
async function refreshDevices() {
  const current = document.querySelector("[data-devices]");
  if (!current) return;
  try {
    const response = await fetch(window.location.pathname, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector("[data-devices]");
    if (fresh) current.replaceWith(document.adoptNode(fresh));
  } catch (_error) {
    // The list is only out of date until the next load.
  }
}

async function enable(root) {
  // Asked first, while the tap is fresh: browsers let a page ask only right after one.
  const permission = await Notification.requestPermission();
  if (permission === "denied") {
    show(root, "denied", { moveFocus: true });
    return;
  }
  if (permission !== "granted") {
    say(root, _("Nothing changed. Tap “Turn on reminders” again whenever you like."));
    return;
  }
  say(root, _("Setting up this phone…"));
  let subscription;
  try {
    const key = keyBytes(root.vapidKey);
    const manager = await pushManager();
    if (!manager) throw new Error(_("no service worker"));
    subscription = await manager.getSubscription();
    if (subscription && !sameKey(subscription, key)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription = subscription
      || (await manager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
  } catch (error) {
    const reason = error.message || error.name;
    say(root, _("This browser couldn't set up reminders just now (%(reason)s). Please try again in a moment.", { reason }),
      "problem");
    return;
  }
  const response = await sendSubscription(subscription).catch(() => null);
  if (!response || !response.ok) {
    const why = response ? await problemOf(response) : _("You seem to be offline.");
    say(root, _("Couples couldn't save this phone for reminders: %(reason)s Please try again.",
      { reason: why }), "problem");
    return;
  }
  show(root, "on", { moveFocus: true });
  say(root, _("Done: this phone will get your reminders."), "done");
  // Not awaited: the next tap ("Send me a test") must not wait for the list of devices.
  refreshDevices();
}

async function sendTest(root) {
  say(root, _("Sending…"));
  let response;
  try {
    response = await fetch("/api/v1/push/test", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": await csrfToken() },
    });
  } catch (_error) {
    say(root, _("Not sent: you seem to be offline."), "problem");
    return;
  }
  if (response.status !== 202) {
    say(root, _("Not sent: %(reason)s", { reason: await problemOf(response) }), "problem");
    return;
  }
  const { queued } = await response.json();
  if (queued > 0) say(root, _("Sent. It should arrive in a moment."), "done");
  else {
    say(root, _("Not sent: Couples has no device of yours yet. Turn reminders off and on again."),
      "problem");
  }
}

async function disable(root) {
  say(root, _("Turning off…"));
  try {
    const manager = await pushManager();
    const subscription = manager && (await manager.getSubscription());
    if (subscription) {
      // Unsubscribed here even if the server can't be told now: a push to a dead
      // subscription is refused by the push service, and the server then forgets it.
      await forgetSubscription(subscription).catch(() => null);
      await subscription.unsubscribe();
    }
  } catch (error) {
    say(root, _("This browser couldn't turn reminders off (%(reason)s).",
      { reason: error.message || error.name }), "problem");
    return;
  }
  show(root, "off", { moveFocus: true });
  say(root, _("Reminders are off on this phone. Your other devices keep theirs."), "done");
  refreshDevices(); // not awaited either: turning them on again need not wait for it
}

function dismissedRecently() {
  try {
    const at = Number(localStorage.getItem(DISMISSED_KEY));
    return at > 0 && Date.now() - at < DISMISS_DAYS * 24 * 3600 * 1000;
  } catch (_error) {
    return false;
  }
}

function dismiss(root) {
  try {
    localStorage.setItem(DISMISSED_KEY, String(Date.now()));
  } catch (_error) {
    // Shown again on the next visit then: harmless.
  }
  root.hidden = true;
  document.getElementById("main")?.focus();
}

const ACTIONS = { enable, test: sendTest, disable, dismiss, recheck: (root) => refresh(root) };

async function refresh(root, { first = false } = {}) {
  const state = await decide(root);
  if (first && root.hasAttribute("data-card")) {
    const wanted = (root.dataset.showWhen || "").split(/\s+/);
    if (!wanted.includes(state) || dismissedRecently()) return;
  }
  show(root, state);
  if (!first) say(root, "");
}

function watchPermission(root) {
  if (!navigator.permissions) return;
  navigator.permissions.query({ name: "notifications" }).then((status) => {
    // Allowed again in the browser's settings: the page follows without a reload.
    status.addEventListener("change", () => {
      if (!root.hidden && !root.busy) refresh(root);
    });
  }).catch(() => {});
}

async function start(root) {
  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-action]");
    if (!button || !root.contains(button) || root.busy) return;
    const action = ACTIONS[button.dataset.action];
    if (!action) return;
    event.preventDefault();
    root.busy = true;
    try {
      await action(root);
    } finally {
      root.busy = false;
    }
  });
  await refresh(root, { first: true });
  watchPermission(root);
  root.dataset.ready = "true";
}

for (const root of document.querySelectorAll("[data-reminders]")) start(root);

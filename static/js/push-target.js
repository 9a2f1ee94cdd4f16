// What a push shows and where tapping it goes: plain functions, with no browser API, used
// by the service worker (importScripts) and by the unit tests (node --test).

// One function scope, so that none of these names clashes with the worker's own.
(() => {
  "use strict";

  const GENERIC_TITLE = "Couples";
  const GENERIC_BODY = "Something new for you";
  const MAX_BODY = 300;

  // The notification to show for a push message's text. The payload is the Declarative Web
  // Push JSON: {"web_push": 8030, "notification": {title, body, navigate, tag, lang, data}}.
  // Anything else still shows a notification (a push must), with a generic title (and
  // ``genericBody``, in the device's language when the worker knows it).
  function readPush(text, scope, genericBody = GENERIC_BODY) {
    let message = null;
    try {
      message = text ? JSON.parse(text) : null;
    } catch (_error) {
      message = null;
    }
    const declared = message && typeof message === "object" ? message.notification : null;
    if (!declared || typeof declared !== "object" || typeof declared.title !== "string"
        || !declared.title.trim()) {
      const plain = typeof text === "string" && message === null ? text.trim() : "";
      return {
        title: GENERIC_TITLE,
        options: {
          body: plain ? plain.slice(0, MAX_BODY) : genericBody,
          data: { navigate: scope },
        },
        badge: null,
      };
    }
    const options = {
      body: typeof declared.body === "string" ? declared.body : "",
      // The tap handler reads ``navigate`` from the notification's data.
      data: {
        ...(isPlainObject(declared.data) ? declared.data : {}),
        navigate: declared.navigate || scope,
      },
    };
    if (typeof declared.tag === "string" && declared.tag) options.tag = declared.tag;
    if (typeof declared.lang === "string" && declared.lang) options.lang = declared.lang;
    return { title: declared.title, options, badge: badgeOf(message) };
  }

  // The declarative payload's "app_badge" (a count, as a string or a number), if any.
  function badgeOf(message) {
    if (!message || message.app_badge === undefined || message.app_badge === null) return null;
    const count = Number(message.app_badge);
    return Number.isInteger(count) && count >= 0 ? count : null;
  }

  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  // The URL a tap on ``notification`` opens: its data's ``navigate``, resolved against the
  // app's scope, if it is on the app's own origin; anything else opens the app's start page.
  function targetFor(notification, registrationScope) {
    const scope = new URL(registrationScope);
    const navigate = notification && notification.data ? notification.data.navigate : null;
    if (typeof navigate !== "string" || !navigate) return scope.href;
    let url;
    try {
      url = new URL(navigate, scope);
    } catch (_error) {
      return scope.href;
    }
    if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) {
      return scope.href;
    }
    return url.href;
  }

  // Which open window to use for ``target``: one already showing it (focus only), else any
  // window of the app (focus and navigate), else none (open a new one). ``windows`` are
  // WindowClients, or anything with a ``url`` and ``focused``.
  function pickWindow(windows, target) {
    const list = Array.from(windows || []);
    const same = list.find((client) => client.url === target);
    if (same) return { client: same, navigate: false };
    const other = list.find((client) => client.focused) || list[0];
    if (other) return { client: other, navigate: true };
    return { client: null, navigate: false };
  }

  // The VAPID public key (base64url, as /api/v1/push/vapid-public-key answers it) as the
  // bytes PushManager.subscribe takes everywhere.
  function keyBytes(base64url) {
    const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/")
      + "=".repeat((4 - (base64url.length % 4)) % 4);
    const binary = atob(base64);
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  }

  const pushTarget = {
    GENERIC_TITLE, GENERIC_BODY, readPush, targetFor, pickWindow, keyBytes,
  };
  if (typeof module === "object" && module.exports) {
    module.exports = pushTarget;
  } else {
    self.pushTarget = pushTarget;
  }
})();

"""What the browser tests of the reminders opt-in share: stand-ins for what headless
Chromium cannot do (a push service, a person answering the permission prompt, an iPhone),
and a helper that waits until the opt-in has decided its state."""

from playwright.sync_api import Page, expect

# Headless Chromium has no push service to subscribe with (its subscribe() fails): a push
# subscription as a push service would hand it out, kept in localStorage across loads.
FAKE_PUSH = """(() => {
  const KEY = "e2e.fake-push";
  const keys = {p256dh: "B" + "A".repeat(86), auth: "a".repeat(22)};
  const made = (endpoint, serverKey) => ({
    endpoint, expirationTime: null,
    options: {userVisibleOnly: true, applicationServerKey: serverKey},
    toJSON: () => ({endpoint, expirationTime: null, keys}),
    unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
  });
  PushManager.prototype.getSubscription = async function () {
    const endpoint = localStorage.getItem(KEY);
    return endpoint ? made(endpoint, null) : null;
  };
  PushManager.prototype.subscribe = async function (options) {
    if (Notification.permission !== "granted") {
      throw new DOMException("Registration failed - permission denied", "NotAllowedError");
    }
    const endpoint = "https://fcm.googleapis.com/fcm/send/e2e-optin-"
      + Math.random().toString(36).slice(2);
    localStorage.setItem(KEY, endpoint);
    localStorage.setItem("e2e.fake-push.key-length",
                         String(new Uint8Array(options.applicationServerKey).length));
    return made(endpoint, options.applicationServerKey);
  };
})()"""

# Counts every permission request the page makes.
COUNT_REQUESTS = """(() => {
  const ask = Notification.requestPermission.bind(Notification);
  globalThis.__permissionRequests = 0;
  Notification.requestPermission = (...args) => {
    globalThis.__permissionRequests += 1;
    return ask(...args);
  };
})()"""

# The person answers "Block" when the browser asks.
REFUSE_PERMISSION = """(() => {
  let permission = "default";
  Object.defineProperty(Notification, "permission", {get: () => permission, configurable: true});
  Notification.requestPermission = async () => { permission = "denied"; return permission; };
})()"""

IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
# Safari in a tab: not opened from the Home Screen.
IOS_IN_SAFARI = """Object.defineProperty(Navigator.prototype, "standalone", {
  get: () => false, configurable: true});"""
IOS_FROM_HOME_SCREEN = """Object.defineProperty(Navigator.prototype, "standalone", {
  get: () => true, configurable: true});"""

SETTINGS = "/settings/notifications"


def reminders(page: Page, path: str = SETTINGS):
    """Open ``path`` and wait until the opt-in has decided its state; the region."""
    page.goto(path)
    region = page.locator("[data-reminders]")
    expect(region).to_have_attribute("data-ready", "true")
    return region

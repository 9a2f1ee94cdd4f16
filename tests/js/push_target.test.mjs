// Unit tests of static/js/push-target.js (what a push shows, where a tap goes):
//   node --test tests/js/
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const { GENERIC_TITLE, GENERIC_BODY, readPush, targetFor, pickWindow, keyBytes } =
  require("../../static/js/push-target.js");

const SCOPE = "https://couples.example/";

function declarative(notification, extra = {}) {
  return JSON.stringify({ web_push: 8030, notification, mutable: true, ...extra });
}

test("a declarative payload shows its title, body, tag and language, and keeps navigate", () => {
  const shown = readPush(declarative({
    title: "Sam checked in", body: "Add yours to see each other's answers",
    navigate: "https://couples.example/checkin", tag: "partner_checked_in:2025-03-01",
    lang: "en", data: { kind: "partner_checked_in" },
  }), SCOPE);
  assert.equal(shown.title, "Sam checked in");
  assert.deepEqual(shown.options, {
    body: "Add yours to see each other's answers",
    tag: "partner_checked_in:2025-03-01",
    lang: "en",
    data: { kind: "partner_checked_in", navigate: "https://couples.example/checkin" },
  });
  assert.equal(shown.badge, null);
});

test("the declarative app_badge is read as a count", () => {
  const note = { title: "Hi", navigate: SCOPE };
  assert.equal(readPush(declarative(note, { app_badge: "3" }), SCOPE).badge, 3);
  assert.equal(readPush(declarative(note, { app_badge: 0 }), SCOPE).badge, 0);
  assert.equal(readPush(declarative(note, { app_badge: "many" }), SCOPE).badge, null);
});

test("navigate in data cannot be overridden by the payload's own data", () => {
  const shown = readPush(declarative({
    title: "T", navigate: "https://couples.example/repairs", data: { navigate: "https://evil.test/" },
  }), SCOPE);
  assert.equal(shown.options.data.navigate, "https://couples.example/repairs");
});

test("text that is not JSON still shows, under the generic title", () => {
  const shown = readPush("Something happened", SCOPE);
  assert.equal(shown.title, GENERIC_TITLE);
  assert.equal(shown.options.body, "Something happened");
  assert.equal(shown.options.data.navigate, SCOPE);
});

test("an empty push, or JSON without a notification title, shows the generic words", () => {
  for (const text of ["", "{}", "[1, 2]", "42", declarative({ body: "no title" }),
                      declarative({ title: "   " })]) {
    const shown = readPush(text, SCOPE);
    assert.equal(shown.title, GENERIC_TITLE, text);
    assert.equal(shown.options.body, GENERIC_BODY, text);
    assert.equal(shown.options.data.navigate, SCOPE, text);
  }
});

test("the generic words are the device's language's when the worker gives them", () => {
  const shown = readPush("", SCOPE, "Algo nuevo para ti");
  assert.equal(shown.title, GENERIC_TITLE);
  assert.equal(shown.options.body, "Algo nuevo para ti");
  assert.equal(readPush("", SCOPE, undefined).options.body, GENERIC_BODY);
});

test("a tap goes to navigate on the app's origin, query and fragment kept", () => {
  const target = targetFor({ data: { navigate: "https://couples.example/repairs/7?step=plan#now" } },
                           SCOPE);
  assert.equal(target, "https://couples.example/repairs/7?step=plan#now");
});

test("a relative navigate is resolved against the scope", () => {
  assert.equal(targetFor({ data: { navigate: "/appreciations/new" } }, SCOPE),
               "https://couples.example/appreciations/new");
});

test("another origin, another scheme or a broken URL opens the start page", () => {
  for (const navigate of ["https://evil.test/checkin", "http://couples.example/checkin",
                          "https://couples.example:8443/", "javascript:alert(1)",
                          "data:text/html,hi", "//evil.test/x", "https://[bad"]) {
    assert.equal(targetFor({ data: { navigate } }, SCOPE), SCOPE, navigate);
  }
});

test("a notification without navigate opens the start page", () => {
  assert.equal(targetFor({ data: null }, SCOPE), SCOPE);
  assert.equal(targetFor({}, SCOPE), SCOPE);
  assert.equal(targetFor({ data: { navigate: 12 } }, SCOPE), SCOPE);
  assert.equal(targetFor(null, SCOPE), SCOPE);
});

test("outside a narrower scope, the scope itself is opened", () => {
  const scope = "https://couples.example/app/";
  assert.equal(targetFor({ data: { navigate: "https://couples.example/other" } }, scope), scope);
  assert.equal(targetFor({ data: { navigate: "https://couples.example/app/checkin" } }, scope),
               "https://couples.example/app/checkin");
});

test("a window already at the target is only focused", () => {
  const windows = [{ url: "https://couples.example/", focused: true },
                   { url: "https://couples.example/checkin", focused: false }];
  const choice = pickWindow(windows, "https://couples.example/checkin");
  assert.equal(choice.client, windows[1]);
  assert.equal(choice.navigate, false);
});

test("otherwise the focused window of the app (else the first) is navigated", () => {
  const windows = [{ url: "https://couples.example/", focused: false },
                   { url: "https://couples.example/couple", focused: true }];
  assert.deepEqual(pickWindow(windows, "https://couples.example/checkin"),
                   { client: windows[1], navigate: true });
  const unfocused = [{ url: "https://couples.example/", focused: false }];
  assert.deepEqual(pickWindow(unfocused, "https://couples.example/checkin"),
                   { client: unfocused[0], navigate: true });
});

test("with no window of the app, a new one is opened", () => {
  assert.deepEqual(pickWindow([], "https://couples.example/checkin"),
                   { client: null, navigate: false });
});

test("the VAPID key in base64url becomes its bytes", () => {
  const bytes = new Uint8Array(65).map((_value, i) => (i * 37 + 4) % 256);
  const base64url = Buffer.from(bytes).toString("base64url");
  assert.deepEqual(keyBytes(base64url), bytes);
});

// Check-in answers given while the phone is offline: kept on this device (IndexedDB) and
// sent by themselves when the connection returns. Nothing is dropped quietly: answers the
// server refuses (the check-in was revealed or closed meanwhile, or an answer needs another
// look) stay on the device, shown with the words that were written, until the person
// removes them. Logging out clears the site's storage, so it asks first while any are left.
// Answers whose words suggest the writer may not be safe (409 /problems/safety-check) are
// held too: the writer sees where to find help first, then sends them as written, edits
// them, or keeps them to themselves (in Kept for me); the partner is never told.
//
// Markup: the check-in form carries data-offline-checkin with data-date, data-day-label and
// data-user; each question's card carries data-question, data-type, data-prompt (and
// data-max for a scale). An element with data-offline-tray is where this module speaks
// (made at the top of <main> where a page has none). The logout form has data-logout; the
// offline page shows its [data-offline-saved] line when answers are waiting here.

import { csrfToken, signedIn } from "./pwa.js";
import { _, ngettext } from "./words.js";

const DB_NAME = "couples-offline";
const STORE = "checkin-answers";
const LOCK = "couples-offline-checkin";
const RETRY_MS = 30_000;
const PROBE_MS = 8_000;

export const SAVED_TEXT = _("Saved on this phone — it will send when you're back online.");

// ------------------------------------------------------------------------- storage
// One short-lived connection per operation: logging out deletes the database (Clear-Site-
// Data), which an open connection would only delay.

function hasIndexedDB() {
  try {
    return typeof indexedDB !== "undefined" && indexedDB !== null;
  } catch (_error) {
    return false;
  }
}

async function databaseExists() {
  if (!hasIndexedDB()) return false;
  if (typeof indexedDB.databases !== "function") return true; // open() will tell
  const names = (await indexedDB.databases()).map((db) => db.name);
  return names.includes(DB_NAME);
}

function openDatabase() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(STORE, { keyPath: "key" });
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("the stored answers are busy"));
  });
}

async function withStore(mode, work) {
  const db = await openDatabase();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error || new Error("not stored"));
    });
  } finally {
    db.close();
  }
}

export async function allKept() {
  if (!(await databaseExists())) return [];
  return (await withStore("readonly", (store) => store.getAll())) || [];
}

function keep(record) {
  return withStore("readwrite", (store) => store.put(record));
}

function forget(key) {
  return withStore("readwrite", (store) => store.delete(key));
}

// Change or drop a kept record only if it is still the one that was sent: answers saved
// again meanwhile (same user and date) are newer and stay.
function settle(record, replacement) {
  return withStore("readwrite", (store) => {
    const current = store.get(record.key);
    current.onsuccess = () => {
      if (!current.result || current.result.savedAt !== record.savedAt) return;
      if (replacement) store.put(replacement);
      else store.delete(record.key);
    };
    return null;
  });
}

async function forgetIfKept(key) {
  if (await databaseExists()) await forget(key);
}

// ------------------------------------------------------------------------- the form

function checked(form, name) {
  return [...form.elements].filter((el) => el.name === name && el.checked);
}

function labelOf(input) {
  const label = input.closest("label");
  return (label ? label.textContent : input.value).trim();
}

// The form as the API's body: numbers for scales, lists for multi, booleans for yes/no,
// null for what was left empty (as the server reads the same form).
export function answersFrom(form) {
  const answers = {};
  for (const card of form.querySelectorAll("[data-question]")) {
    const key = card.dataset.question;
    const type = card.dataset.type;
    if (type === "multi") {
      answers[key] = checked(form, key).map((input) => input.value);
      continue;
    }
    let raw = "";
    if (type === "text") {
      const field = form.elements.namedItem(key);
      raw = field ? field.value : "";
    } else {
      const [input] = checked(form, key);
      raw = input ? input.value : "";
    }
    if (raw === "") answers[key] = null;
    else if (type === "scale") answers[key] = /^\d{1,3}$/.test(raw) ? Number(raw) : raw;
    else if (type === "yesno") answers[key] = raw === "yes" ? true : raw === "no" ? false : raw;
    else answers[key] = raw;
  }
  return answers;
}

// What was written, in the words of the page, to show back if it cannot be sent.
function wordsFrom(form) {
  const words = [];
  for (const card of form.querySelectorAll("[data-question]")) {
    const { question: key, type, prompt, max } = card.dataset;
    let value = "";
    if (type === "text") {
      const field = form.elements.namedItem(key);
      value = field ? field.value.trim() : "";
    } else {
      const picked = checked(form, key);
      if (type === "scale" && picked.length) {
        value = _("%(value)s of %(max)s", { value: picked[0].value, max });
      } else value = picked.map(labelOf).join(", ");
    }
    if (value) words.push({ key, prompt, value });
  }
  return words;
}

function promptsOf(form) {
  const prompts = {};
  for (const card of form.querySelectorAll("[data-question]")) {
    prompts[card.dataset.question] = card.dataset.prompt;
  }
  return prompts;
}

function recordFrom(form) {
  const { date, dayLabel, user } = form.dataset;
  return {
    key: `${user}:${date}`, user, date, dayLabel: dayLabel || date,
    answers: answersFrom(form), words: wordsFrom(form), prompts: promptsOf(form),
    savedAt: new Date().toISOString(), state: "waiting", problem: null,
  };
}

// Put kept answers back into the form (answers that need another look).
function fillForm(form, answers) {
  for (const card of form.querySelectorAll("[data-question]")) {
    const key = card.dataset.question;
    if (!(key in answers)) continue;
    const value = answers[key];
    if (card.dataset.type === "text") {
      const field = form.elements.namedItem(key);
      if (field) field.value = value ?? "";
      continue;
    }
    const wanted = Array.isArray(value) ? value.map(String)
      : value === true ? ["yes"] : value === false ? ["no"]
        : value === null || value === undefined ? [] : [String(value)];
    for (const input of [...form.elements].filter((el) => el.name === key)) {
      input.checked = wanted.includes(input.value);
    }
  }
}

// ------------------------------------------------------------------------- where it speaks

function tray() {
  let place = document.querySelector("[data-offline-tray]");
  if (place) return place;
  const main = document.querySelector("main");
  if (!main) return null;
  place = document.createElement("div");
  place.dataset.offlineTray = "";
  const first = [...main.children].find((el) => !el.classList.contains("flash"));
  main.insertBefore(place, first || null);
  return place;
}

function parts(place) {
  if (!place.querySelector(".offline-status")) {
    place.classList.add("offline-checkins");
    const status = document.createElement("p");
    status.className = "offline-status";
    status.setAttribute("role", "status");
    const after = document.createElement("p");
    after.className = "offline-after";
    const refused = document.createElement("div");
    refused.className = "offline-refused-list";
    place.append(status, after, refused);
  }
  return {
    status: place.querySelector(".offline-status"),
    after: place.querySelector(".offline-after"),
    refused: place.querySelector(".offline-refused-list"),
  };
}

// Bring the state line into view (it sits below the form's button).
function showStatus() {
  const status = document.querySelector(".offline-status");
  if (status) status.scrollIntoView({ block: "center" });
}

// The one-line state: "saved" (kept here), "sending", "sent" or "problem".
function say(text, tone, link = null) {
  const place = tray();
  if (!place) return;
  const { status, after } = parts(place);
  status.textContent = text;
  status.dataset.tone = tone;
  after.replaceChildren();
  if (link) {
    const a = document.createElement("a");
    a.href = link.href;
    a.textContent = link.text;
    after.append(a);
  }
}

function element(tag, text, className) {
  const el = document.createElement(tag);
  if (text) el.textContent = text;
  if (className) el.className = className;
  return el;
}

const REASONS = {
  "already-revealed": _("You've both answered this check-in since, so it can't change now."),
  "checkin-closed": _("This check-in closed before the connection came back: you can answer today's, or yesterday's until noon."),
  validation: _("Some answers need another look."),
  "not-found": _("There's no check-in for that date any more."),
};

function reasonOf(problem) {
  const slug = (problem.type || "").split("/").pop();
  return REASONS[slug] || problem.detail || _("The check-in couldn't take them.");
}

function wordsAsText(record) {
  const lines = [_("My check-in answers for %(day)s", { day: record.dayLabel })];
  for (const { prompt, value } of record.words) lines.push("", prompt, value);
  return lines.join("\n");
}

function paragraph(...children) {
  const p = element("p");
  p.append(...children);
  return p;
}

function wordsList(record) {
  const dl = element("dl", null, "reveal");
  for (const { prompt, value } of record.words) {
    const item = element("div", null, "reveal-item");
    item.append(element("dt", prompt), element("dd", value, "prose"));
    dl.append(item);
  }
  return dl;
}

// The help, first, for words that suggest the writer may not be safe; then the choice.
function safetyPanel(record) {
  const id = `offline-safety-${record.date}`;
  const help = record.problem.resources || {};
  const panel = element("section", null, "card signpost stack offline-refused");
  panel.setAttribute("aria-labelledby", id);
  panel.dataset.offlineRefused = record.date;
  panel.dataset.safetyCheck = "";

  const exit = element("a", _("Quick exit"), "button secondary quick-exit");
  exit.href = help.quick_exit || "https://www.bbc.co.uk/weather";
  exit.rel = "noreferrer";
  exit.addEventListener("click", (event) => {
    event.preventDefault();
    window.location.replace(exit.href); // Back does not lead here
  });
  const heading = element("h2", _("Before you send your answers for %(day)s", { day: record.dayLabel }));
  heading.id = id;
  panel.append(
    paragraph(exit),
    heading,
    element("p", _("Some of what you wrote sounds like you may not be safe. If you are in danger right now, please call your local emergency number.")),
    element("p", _("Nothing has been sent. Only you see this; your partner is not told."),
      "hint"),
  );
  for (const section of help.sections || []) {
    const list = element("ul", null, "plain lines");
    for (const line of section.lines || []) {
      const call = element("a", null, "phone");
      call.href = `tel:${line.dial}`;
      call.append(element("strong", line.number), " ",
        element("span", `${line.name} (${line.region})`));
      const item = element("li");
      item.append(call);
      if (line.note) item.append(element("p", line.note, "hint"));
      list.append(item);
    }
    panel.append(element("h3", section.title), list);
  }
  const more = element("a", _("More on safety and support"), "link");
  more.href = help.help_page || "/repairs/help?for=safety";
  panel.append(paragraph(more));

  panel.append(element("p", _("Your answers are still on this phone. You can send them as they are, change them, or keep them just for you.")),
    wordsList(record));

  const actions = element("div", null, "actions");
  const send = element("button", _("Send as written"));
  send.type = "button";
  send.addEventListener("click", async () => {
    send.disabled = true;
    const again = { ...record, state: "waiting", problem: null, sendAnyway: true };
    await settle(record, again);
    await sendKept();
  });
  const edit = element("a", _("Change them"), "button secondary");
  edit.href = `/checkin/${record.date}?edit=1`;
  const keepIt = element("button", _("Keep it to myself"), "secondary");
  keepIt.type = "button";
  keepIt.addEventListener("click", async () => {
    keepIt.disabled = true;
    if (await keepForMe(record)) {
      await settle(record, null);
      panel.remove();
      say(_("Kept for you alone, in Kept for me. Nothing was sent."), "saved",
        { href: "/kept", text: _("Kept for me") });
    } else {
      keepIt.disabled = false;
      say(_("Not kept yet: you seem to be offline. Your answers are still on this phone."),
        "problem");
    }
  });
  actions.append(send, edit, keepIt);
  panel.append(actions);
  return panel;
}

async function keepForMe(record) {
  try {
    const response = await fetch("/api/v1/kept", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": await csrfToken() },
      body: JSON.stringify({
        source: _("check-in answers for %(day)s", { day: record.dayLabel }).slice(0, 80),
        text: wordsAsText(record).slice(0, 20000),
      }),
    });
    return response.ok;
  } catch (_error) {
    return false;
  }
}

function refusedPanel(record) {
  if ((record.problem.type || "").split("/").pop() === "safety-check") {
    return safetyPanel(record);
  }
  const id = `offline-refused-${record.date}`;
  const panel = element("section", null, "card notice offline-refused");
  panel.setAttribute("aria-labelledby", id);
  panel.dataset.offlineRefused = record.date;
  const heading = element("h2", _("Not sent: your answers for %(day)s", { day: record.dayLabel }));
  heading.id = id;
  panel.append(heading, element("p", _("They were saved on this phone while it was offline. %(reason)s",
    { reason: reasonOf(record.problem) })));

  const errors = record.problem.errors || {};
  const prompts = record.prompts || {};
  const problems = Object.entries(errors).map(([field, messages]) => {
    const key = field.replace(/^answers\./, "");
    return _("%(field)s: %(message)s",
      { field: prompts[key] || key, message: [].concat(messages).join(" ") });
  });
  if (problems.length) {
    const list = element("ul");
    for (const text of problems) list.append(element("li", text));
    panel.append(list);
  }

  if (record.words.length) {
    panel.append(element("p", _("Here is what you wrote. It stays on this phone until you remove it, so nothing is lost.")));
    panel.append(wordsList(record));
  } else {
    panel.append(element("p", _("You had left every answer empty.")));
  }

  const actions = element("div", null, "actions");
  const slug = (record.problem.type || "").split("/").pop();
  if (slug === "validation") {
    const fix = element("a", _("Open the check-in to fix them"), "button");
    fix.href = `/checkin/${record.date}?edit=1`;
    actions.append(fix);
  } else if (slug === "already-revealed") {
    const see = element("a", _("See what you both said"));
    see.href = `/checkin/${record.date}`;
    actions.append(see);
  }
  if (navigator.clipboard && record.words.length) {
    const copy = element("button", _("Copy my words"), "secondary");
    copy.type = "button";
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(wordsAsText(record));
        copy.textContent = _("Copied");
      } catch (_error) {
        copy.textContent = _("Select the words above to copy them");
      }
    });
    actions.append(copy);
  }
  const remove = element("button", _("Remove from this phone"), "secondary");
  remove.type = "button";
  remove.addEventListener("click", async () => {
    await forget(record.key);
    panel.remove();
    say(_("Your answers for %(day)s were removed from this phone.", { day: record.dayLabel }), "saved");
  });
  actions.append(remove);
  panel.append(actions);
  return panel;
}

function showRefused(records) {
  const refused = records.filter((r) => r.state === "refused");
  const place = refused.length ? tray() : document.querySelector("[data-offline-tray]");
  if (!place) return;
  const { refused: list } = parts(place);
  list.replaceChildren(...refused.map(refusedPanel));
}

// ------------------------------------------------------------------------- sending

let knownUser = null;

async function currentUser() {
  const form = document.querySelector("form[data-offline-checkin]");
  if (form && form.dataset.user) return form.dataset.user;
  if (knownUser) return knownUser;
  const response = await fetch("/api/v1/me", { credentials: "same-origin" });
  if (!response.ok) return null;
  knownUser = (await response.json()).user.id;
  return knownUser;
}

async function problemOf(response) {
  try {
    const body = await response.json();
    return { status: response.status, type: body.type || "", title: body.title || "",
             detail: body.detail || "", errors: body.errors || null,
             resources: body.resources || null };
  } catch (_error) {
    return { status: response.status, type: "", title: "", detail: "", errors: null,
             resources: null };
  }
}

function withLock(work) {
  if (navigator.locks && navigator.locks.request) return navigator.locks.request(LOCK, work);
  return work();
}

let retryTimer = null;

function retryLater() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => sendKept(), RETRY_MS);
}

let sending = null;

// Send every answer kept for the person logged in here; what the server refuses stays,
// explained. Resolves to what is still kept for them.
export function sendKept() {
  if (!sending) {
    sending = withLock(sendAll).finally(() => {
      sending = null;
    });
  }
  return sending;
}

async function sendAll() {
  let records;
  try {
    records = await allKept();
  } catch (_error) {
    return [];
  }
  if (!records.length || !signedIn()) return records;
  let user;
  try {
    user = await currentUser();
  } catch (_error) {
    return records; // offline: it waits for the connection
  }
  if (!user) return records;
  const mine = records.filter((r) => r.user === user);
  if (!navigator.onLine) {
    showRefused(mine);
    return mine;
  }
  let token = null;
  for (const record of mine.filter((r) => r.state === "waiting")) {
    say(_("Sending your answers for %(day)s…", { day: record.dayLabel }), "sending");
    let response;
    try {
      token = token || (await csrfToken());
      response = await fetch(`/api/v1/checkins/${encodeURIComponent(record.date)}/answers`, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify(record.sendAnyway
          ? { answers: record.answers, send_anyway: true } : { answers: record.answers }),
      });
    } catch (_error) {
      say(SAVED_TEXT, "saved");
      if (navigator.onLine) retryLater();
      break;
    }
    if (response.ok) {
      await settle(record, null);
      record.state = "sent";
      const here = document.querySelector("form[data-offline-checkin]");
      const link = here && here.dataset.date === record.date
        ? { href: window.location.pathname, text: _("See your check-in") } : null;
      say(_("Sent. Your answers for %(day)s are in.", { day: record.dayLabel }), "sent", link);
    } else if ([404, 409, 422].includes(response.status)) {
      record.state = "refused";
      record.problem = await problemOf(response);
      await settle(record, record);
      if (record.problem.type.endsWith("/safety-check")) {
        say(_("Your answers for %(day)s are waiting on this phone: before they are sent, please read below.",
          { day: record.dayLabel }), "problem");
      } else {
        say(_("Your answers for %(day)s couldn't be sent. They're still on this phone.",
          { day: record.dayLabel }), "problem");
      }
    } else if (response.status === 401) {
      say(_("Saved on this phone — log in again and it will send."), "saved");
      break;
    } else {
      // A token that no longer matches the login (400), too many tries (429) or a
      // server hiccup: keep everything and try again in a while.
      say(_("Saved on this phone — it will try sending again shortly."), "saved");
      token = null;
      retryLater();
      break;
    }
  }
  const left = mine.filter((r) => r.state !== "sent");
  showRefused(left);
  return left;
}

// ------------------------------------------------------------------------- the check-in page

async function reachable() {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), PROBE_MS);
  try {
    await fetch("/api/v1/auth/csrf", {
      credentials: "same-origin", cache: "no-store", signal: controller.signal,
    });
    return true;
  } catch (_error) {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

async function keepFromForm(form) {
  const record = recordFrom(form);
  try {
    await keep(record);
  } catch (_error) {
    say(_("This phone couldn't keep your answers. Keep this page open and press save again once you're back online."),
      "problem");
    return;
  }
  say(SAVED_TEXT, "saved");
  showStatus();
  // "Online" with no way through (a weak signal, a captive portal): no event will come.
  if (navigator.onLine) retryLater();
  showRefused((await allKept()).filter((r) => r.user === record.user && r.key !== record.key));
}

// The form's submit handled by ``handle`` (async) instead, one at a time: a second tap
// while the first is still at work does nothing.
function onSubmitOneAtATime(form, handle) {
  let busy = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    handle().finally(() => {
      busy = false;
    });
  });
}

function watchForm(form) {
  onSubmitOneAtATime(form, async () => {
    if (navigator.onLine && (await reachable())) {
      // Online: the usual save. Newer words replace any kept for the same date.
      try {
        await forgetIfKept(recordFrom(form).key);
      } catch (_error) {
        // Nothing kept then.
      }
      HTMLFormElement.prototype.submit.call(form);
      return;
    }
    await keepFromForm(form);
  });
}

async function restoreForm(form) {
  const key = recordFrom(form).key;
  const record = (await allKept()).find((r) => r.key === key);
  if (record && record.state === "refused" && record.problem
      && (record.problem.status === 422 || record.problem.type.endsWith("/safety-check"))) {
    fillForm(form, record.answers);
  }
}

// ------------------------------------------------------------------------- logging out

function confirmLeaving(count, refused) {
  return new Promise((resolve) => {
    const dialog = element("dialog", null, "card offline-leave");
    dialog.setAttribute("aria-labelledby", "offline-leave-title");
    const title = element("h2", _("Answers not sent yet"));
    title.id = "offline-leave-title";
    // Answers for one day, or for several: each a whole sentence.
    const question = count === 1
      ? _("You have answers saved on this phone that haven't been sent. Log out anyway and lose them?")
      : ngettext("You have answers for %(num)s check-in saved on this phone that haven't been sent. Log out anyway and lose them?", "You have answers for %(num)s check-ins saved on this phone that haven't been sent. Log out anyway and lose them?", count);
    dialog.append(title, element("p", question));
    dialog.append(element("p", refused
      ? _("Stay logged in to copy them first: they're shown on the page.")
      : _("Stay logged in and they'll send by themselves once you're back online."), "hint"));
    const actions = element("div", null, "actions");
    const stay = element("button", _("Stay logged in"));
    stay.type = "button";
    stay.autofocus = true;
    const leave = element("button", _("Log out anyway"), "secondary");
    leave.type = "button";
    stay.addEventListener("click", () => dialog.close("stay"));
    leave.addEventListener("click", () => dialog.close("leave"));
    actions.append(stay, leave);
    dialog.append(actions);
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(dialog.returnValue === "leave");
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

async function unsent() {
  const records = await allKept();
  if (!records.length) return [];
  let user = null;
  try {
    user = await currentUser();
  } catch (_error) {
    // Offline: every kept answer counts.
  }
  return user ? records.filter((r) => r.user === user) : records;
}

function guardLogout(form) {
  onSubmitOneAtATime(form, async () => {
    let left = [];
    try {
      left = await unsent();
      if (left.some((r) => r.state === "waiting") && navigator.onLine) {
        await sendKept();
        left = await unsent();
      }
    } catch (_error) {
      left = [];
    }
    const refused = left.some((r) => r.state === "refused");
    if (!left.length || (await confirmLeaving(left.length, refused))) {
      HTMLFormElement.prototype.submit.call(form);
    }
  });
}

// ------------------------------------------------------------------------- start

async function offlinePageNote() {
  const line = document.querySelector("[data-offline-saved]");
  if (!line) return;
  try {
    line.hidden = !(await allKept()).some((r) => r.state === "waiting");
  } catch (_error) {
    line.hidden = true;
  }
}

function start() {
  if (!hasIndexedDB()) return;
  const form = document.querySelector("form[data-offline-checkin]");
  if (form) {
    watchForm(form);
    restoreForm(form).catch(() => {});
  }
  for (const logout of document.querySelectorAll("form[data-logout]")) guardLogout(logout);
  offlinePageNote();
  if (!signedIn()) return;
  window.addEventListener("online", () => sendKept());
  sendKept();
}

start();

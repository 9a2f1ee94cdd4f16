// What is waiting for me (couples/waiting.py): the count on the Inbox link and on the
// installed app's icon (the Badging API, where there is one), and on the home page the
// list itself. Asked again whenever the page is shown again, so that what my partner
// did meanwhile appears without a reload. Offline, what is shown stays. The API says
// each item in the reader's language, as the page does (couples/api/__init__.py).

import { _ } from "./words.js";

const link = document.querySelector("[data-inbox-link]");
const list = document.querySelector("[data-waiting-list]");
const empty = document.querySelector("[data-waiting-empty]");
const avatar = document.querySelector("[data-waiting-avatar]");

function item({ kind, title, detail, url }) {
  const entry = document.createElement("li");
  const anchor = document.createElement("a");
  anchor.className = `waiting-item waiting-${kind}`;
  anchor.href = url;
  const strong = document.createElement("strong");
  strong.textContent = title;
  const hint = document.createElement("span");
  hint.className = "hint";
  hint.textContent = detail;
  const words = document.createElement("span");
  words.append(strong, " ", hint);
  if (avatar) anchor.append(avatar.content.cloneNode(true));
  anchor.append(words);
  entry.append(anchor);
  return entry;
}

function heardOnly(text) {
  // Read out with the link's name, not shown: "Inbox, 2 waiting".
  const span = document.createElement("span");
  span.className = "visually-hidden";
  span.textContent = text;
  return span;
}

function setIconBadge(count) {
  if ("setAppBadge" in navigator) {
    (count ? navigator.setAppBadge(count) : navigator.clearAppBadge()).catch(() => {});
  }
}

function show({ items, count }) {
  const badge = link.querySelector("[data-waiting-count]");
  if (count) {
    const number = document.createElement("span");
    number.dataset.n = "";
    number.textContent = String(count);
    badge.replaceChildren(heardOnly(", "), number, heardOnly(" " + _("waiting")));
  } else {
    badge.replaceChildren();
  }
  badge.hidden = !count;
  setIconBadge(count);
  if (list) {
    list.replaceChildren(...items.map(item));
    if (empty) empty.hidden = items.length > 0;
  }
}

async function refresh() {
  try {
    const response = await fetch("/api/v1/me/waiting", {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) show(await response.json());
  } catch {
    // Offline or the server away: keep what the page shows.
  }
}

if (link) {
  // A page that drew the list itself (home) is fresh: ask only when shown again.
  if (link.hasAttribute("data-waiting-fresh")) {
    setIconBadge(Number(link.querySelector("[data-n]")?.textContent || 0));
  } else {
    refresh();
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
}

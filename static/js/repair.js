// Repair pages: the apology check as the partner types, the I-statement as it reads,
// and the quick exit. Every page works without them.

import { _, pgettext } from "./words.js";

const WAIT_MS = 600;

function csrfToken(form) {
  const input = form.querySelector('input[name="csrf_token"]');
  return input ? input.value : "";
}

function showNotes(form, warnings) {
  for (const box of form.querySelectorAll("[data-check-part]")) {
    const part = box.dataset.checkPart;
    const mine = warnings.filter((w) => (w.part || "whole") === part);
    box.replaceChildren(...mine.map((w) => {
      const note = document.createElement("p");
      note.className = "check-note";
      if (w.match) {
        // The words the note is about, as they were typed.
        const quote = document.createElement("q");
        quote.className = "check-quote";
        quote.textContent = w.match;
        note.append(quote, " ", w.message);
      } else {
        note.textContent = w.message;
      }
      return note;
    }));
  }
}

export function apologyCheck(form) {
  const url = form.dataset.apologyCheck;
  const fields = ["acknowledgement", "empathy", "restitution"]
    .map((name) => form.elements.namedItem(name)).filter(Boolean);
  const feelings = (form.dataset.feelings || "").split(",").filter(Boolean);
  let timer = null;
  let latest = 0;
  async function check() {
    const body = { feelings };
    for (const field of fields) body[field.name] = field.value;
    if (fields.every((field) => !field.value.trim())) { showNotes(form, []); return; }
    const ticket = ++latest;
    try {
      const response = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken(form) },
        body: JSON.stringify(body),
      });
      if (!response.ok || ticket !== latest) return;
      const data = await response.json();
      showNotes(form, data.warnings || []);
    } catch {
      // Offline or a hiccup: the notes are a help, never a gate.
    }
  }
  for (const field of fields) {
    field.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(check, WAIT_MS);
    });
  }
  if (fields.some((field) => field.value.trim())) check();
}

// As the server joins feelings (couples/repair/content.py: join_words), "e" for "y" too.
const I_SOUND = /^h?[ií](?![aeiouáéíóú])/i;

export function joinWords(words) {
  words = words.filter(Boolean);
  if (words.length < 2) return words.join("");
  const values = { first: words.slice(0, -1).join(", "), last: words[words.length - 1] };
  if (I_SOUND.test(values.last)) {
    return pgettext("the last word starts with an i sound", "%(first)s and %(last)s", values);
  }
  return _("%(first)s and %(last)s", values);
}

// As the server tidies each part (couples/repair/content.py): spaces, closing
// punctuation, a lead word the sentence already has, a first word that starts a clause
// in lower case.
const LEADS = {
  when: /^(?:when|cuando)(?:\s+|$)/i,
  because: /^(?:because|porque)(?:\s+|$)/i,
  need: /^(?:(?:and\s+)?i\s+need|(?:y\s+)?necesito)(?:\s+|$)/i,
  feel: /^(?:i\s+(?:feel|felt|am|['\u2019]m)|(?:me\s+)?(?:siento|sent[ií]))(?:\s+|$)/i,
};
const LOWER_FIRST = new Set([
  "tú", "tu", "tus", "te", "yo", "me", "mi", "mis", "el", "él", "ella", "ellos", "la",
  "las", "los", "lo", "le", "les", "un", "una", "nosotros", "nuestro", "nuestra",
  "nuestros", "nuestras", "eso", "esto", "ese", "esa", "este", "esta", "se", "no",
  "you", "your", "you're", "we", "we're", "our", "my", "it", "it's", "the", "there",
  "they", "they're", "that", "this", "a", "an", "he", "she", "his", "her", "us",
]);

function trimmed(text) {
  return text.replace(/\s+/g, " ").trim().replace(/^[\s.,;:!?]+|[\s.,;:!?]+$/g, "");
}

function part(text, lead) {
  const clean = trimmed(text).replace(LEADS[lead], "");
  const [first, ...rest] = clean.split(" ");
  if (LOWER_FIRST.has(first.toLowerCase().replace(/\u2019/g, "'"))) {
    return [first.toLowerCase(), ...rest].join(" ");
  }
  return clean;
}

// The sentence in the page's language, with the server's patterns (the same words).
function firstSentence(feelings, when, because) {
  if (feelings && when && because) {
    return _("I feel %(feelings)s when %(when)s because %(because)s.", { feelings, when, because });
  }
  if (feelings && when) return _("I feel %(feelings)s when %(when)s.", { feelings, when });
  if (feelings && because) return _("I feel %(feelings)s because %(because)s.", { feelings, because });
  if (feelings) return _("I feel %(feelings)s.", { feelings });
  if (when && because) return _("When %(when)s because %(because)s.", { when, because });
  if (when) return _("When %(when)s.", { when });
  if (because) return _("Because %(because)s.", { because });
  return "";
}

export function iStatement(feelings, when, because, need) {
  const sentences = [firstSentence(part(feelings, "feel"), part(when, "when"), part(because, "because"))];
  const needed = part(need, "need");
  if (needed) sentences.push(_("I need %(need)s.", { need: needed }));
  return sentences.filter(Boolean).join(" ");
}

export function statementPreview(form) {
  const preview = form.querySelector("[data-i-statement-preview]");
  const out = form.querySelector("[data-i-statement-text]");
  if (!preview || !out) return;
  const feelField = form.elements.namedItem("i_feel");
  // "I feel …" follows the picked feelings until the person writes in it themselves.
  let feelTyped = Boolean(feelField && feelField.value.trim());
  if (feelField) {
    feelField.addEventListener("input", () => { feelTyped = Boolean(feelField.value.trim()); });
  }
  function picks() {
    // Each feeling as its label says it, in the page's language (its value is the key).
    const picked = [...form.querySelectorAll('input[name="feelings"]:checked')]
      .map((input) => trimmed((input.closest("label") || input).textContent || "") || input.value);
    const own = trimmed((form.elements.namedItem("own_feeling") || { value: "" }).value);
    return joinWords([...picked, ...(own ? [own] : [])]);
  }
  function render(event) {
    const value = (name) => (form.elements.namedItem(name) || { value: "" }).value;
    if (feelField && !feelTyped && event && event.target !== feelField) {
      feelField.value = picks();
    }
    const feelings = trimmed(value("i_feel")) ? value("i_feel") : picks();
    const sentence = iStatement(feelings, value("when"), value("because"), value("i_need"));
    out.textContent = sentence;
    preview.hidden = !sentence;
  }
  form.addEventListener("input", render);
  form.addEventListener("change", render);
  render();
}

export function quickExit(link) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    // Replace this page in the history, so Back does not lead here.
    window.location.replace(link.href);
  });
}

for (const form of document.querySelectorAll("form[data-apology-check]")) apologyCheck(form);
for (const form of document.querySelectorAll("form[data-i-statement]")) statementPreview(form);
for (const link of document.querySelectorAll("a[data-quick-exit]")) quickExit(link);

// An idea to reconnect is a starting point: picking one puts it in the field, to make it
// one's own before sending.
for (const form of document.querySelectorAll("form[data-reconnect]")) {
  const field = form.elements.namedItem("own_choice");
  if (!field) continue;
  form.addEventListener("change", (event) => {
    if (event.target.name !== "choice") return;
    field.value = event.target.value;
    field.focus();
  });
}

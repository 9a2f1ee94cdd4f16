// Repair pages: the apology check as the partner types, the I-statement as it reads,
// and the quick exit. Every page works without them.

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

function joinWords(words) {
  if (words.length < 2) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

function trimmed(text) {
  return text.replace(/\s+/g, " ").trim().replace(/[\s.,;:!?]+$/, "");
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
    const picked = [...form.querySelectorAll('input[name="feelings"]:checked')].map((i) => i.value);
    const own = trimmed((form.elements.namedItem("own_feeling") || { value: "" }).value);
    return joinWords([...picked, ...(own ? [own] : [])]);
  }
  function render(event) {
    const value = (name) => trimmed((form.elements.namedItem(name) || { value: "" }).value);
    if (feelField && !feelTyped && event && event.target !== feelField) {
      feelField.value = picks();
    }
    const feelings = value("i_feel").replace(/^i\s+(feel|felt|am|['\u2019]m)\s+/i, "") || picks();
    const when = value("when").replace(/^when\s+/i, "");
    const because = value("because").replace(/^(because|as|since)\s+/i, "");
    const need = value("i_need").replace(/^(and\s+)?i\s+need\s+/i, "");
    let sentence = "";
    if (feelings) sentence += `I feel ${feelings}`;
    if (when) sentence += `${sentence ? " " : "I feel … "}when ${when}`;
    if (because) sentence += ` because ${because}`;
    if (sentence) sentence += ".";
    if (need) sentence += `${sentence ? " " : ""}I need ${need}.`;
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

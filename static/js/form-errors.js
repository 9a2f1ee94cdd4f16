// Forms that are gentle when something is missing: one summary at the top of the page,
// each line a link to the field it is about, and each message gone as soon as its field
// is right. Without this file the messages still stand next to their fields.

import { _ } from "./words.js";

const SUMMARY_TITLE = _("A few things to look at");

function containerOf(message) {
  return message.closest("fieldset, .field") || message.parentElement;
}

function nameOf(container) {
  const label = container.querySelector(":scope > legend, :scope > label, legend, label");
  if (!label) return "";
  const copy = label.cloneNode(true);
  copy.querySelectorAll(".muted, .visually-hidden").forEach((part) => part.remove());
  return copy.textContent.replace(/\s+/g, " ").trim().replace(/[?:.]$/, "");
}

function controlsOf(container) {
  return [...container.querySelectorAll("input:not([type=hidden]), select, textarea")];
}

// A field is right when it has an answer its own rules accept: a choice made in a group
// of choices, words in a box that needs them. A rule only the server knows (a wrong
// password) is taken as looked at once the field changes.
function isRight(container) {
  const controls = controlsOf(container);
  const choices = controls.filter((c) => c.type === "radio" || c.type === "checkbox");
  const boxes = controls.filter((c) => !choices.includes(c));
  if (choices.length && choices.some((c) => c.checked)) return true;
  const filled = boxes.filter((c) => c.value.trim() !== "");
  if (filled.length) return filled.every((c) => c.checkValidity());
  return false;
}

function settle(container, line, summary) {
  container.classList.remove("has-error");
  container.querySelectorAll(".field-error").forEach((message) => message.remove());
  for (const control of controlsOf(container)) control.removeAttribute("aria-invalid");
  if (line) line.remove();
  if (summary && !summary.querySelector("li")) summary.remove();
}

function gentle(main) {
  const messages = [...main.querySelectorAll(".field-error")];
  if (!messages.length) return;
  const summary = document.createElement("div");
  summary.className = "error-summary";
  summary.setAttribute("role", "alert");
  summary.tabIndex = -1;
  const heading = document.createElement("h2");
  heading.textContent = SUMMARY_TITLE;
  const list = document.createElement("ul");
  summary.append(heading, list);

  for (const message of messages) {
    const container = containerOf(message);
    const target = controlsOf(container)[0];
    const line = document.createElement("li");
    const link = document.createElement("a");
    const name = nameOf(container);
    link.textContent = name
      ? _("%(field)s: %(message)s", { field: name, message: message.textContent.trim() })
      : message.textContent.trim();
    if (target) {
      if (!target.id) target.id = `needs-a-look-${list.children.length + 1}`;
      link.href = `#${target.id}`;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        container.scrollIntoView({ block: "center" });
        target.focus({ preventScroll: true });
      });
    }
    line.append(link);
    list.append(line);
    const check = () => { if (isRight(container)) settle(container, line, summary); };
    container.addEventListener("change", check);
    container.addEventListener("input", check);
  }
  const heading1 = main.querySelector("h1");
  (heading1 ? heading1.after(summary) : main.prepend(summary));
  summary.focus();
}

const main = document.querySelector("main");
if (main) gentle(main);

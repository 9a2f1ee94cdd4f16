// Love languages: the quiz one pair per screen, and the order chosen by tapping. Without
// this file the quiz is one form of twenty pairs and the order five lists: both still work.

import { _ } from "./words.js";

function button(text, className) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function quiz(form) {
  const pairs = [...form.querySelectorAll("fieldset")];
  const submit = form.querySelector("button[type=submit]");
  const key = `couples-quiz-${form.dataset.user || ""}`;
  const chosen = (pair) => Boolean(pair.querySelector("input:checked"));
  // Choices made before a reload, or before the phone locked, come back.
  let saved = {};
  try {
    saved = JSON.parse(sessionStorage.getItem(key) || "{}");
  } catch {
    saved = {};
  }
  for (const pair of pairs) {
    const name = pair.querySelector("input").name;
    const input = pair.querySelector(`input[value="${saved[name]}"]`);
    if (input && !chosen(pair)) input.checked = true;
  }

  const progress = document.createElement("progress");
  progress.max = pairs.length;
  progress.className = "quiz-progress";
  progress.setAttribute("aria-label", _("Pairs answered"));
  const said = document.createElement("p");
  said.className = "hint";
  said.setAttribute("aria-live", "polite");
  const back = button(_("Back"), "secondary");
  const next = button(_("Next"));
  const steps = document.createElement("p");
  steps.className = "actions";
  steps.append(back, next);
  form.prepend(progress, said);
  submit.before(steps);

  let current = Math.max(0, pairs.findIndex((pair) => !chosen(pair)));
  if (pairs.every(chosen)) current = pairs.length - 1;

  function show(index, focus) {
    current = index;
    pairs.forEach((pair, n) => { pair.hidden = n !== index; });
    progress.value = pairs.filter(chosen).length;
    said.textContent = _("Pair %(number)s of %(total)s",
      { number: index + 1, total: pairs.length });
    back.disabled = index === 0;
    const last = index === pairs.length - 1;
    next.hidden = last;
    next.disabled = !chosen(pairs[index]);
    submit.hidden = !last;
    if (focus) {
      const legend = pairs[index].querySelector("legend");
      legend.tabIndex = -1;
      legend.focus();
    }
  }

  form.addEventListener("change", (event) => {
    saved[event.target.name] = event.target.value;
    sessionStorage.setItem(key, JSON.stringify(saved));
    show(current, false);
    if (current < pairs.length - 1) setTimeout(() => show(current + 1, true), 250);
  });
  back.addEventListener("click", () => show(current - 1, true));
  next.addEventListener("click", () => show(current + 1, true));
  form.addEventListener("submit", () => sessionStorage.removeItem(key));
  show(current, false);
}

function order(form) {
  const selects = [...form.querySelectorAll("select")];
  const names = Object.fromEntries([...selects[0].options].map((o) => [o.value, o.textContent]));
  // Where a pick now stands, for a screen reader: after its name, and as a whole sentence.
  const places = [_("1st"), _("2nd"), _("3rd"), _("4th"), _("5th")];
  const nowAt = [
    (name) => _("%(name)s is now 1st.", { name }),
    (name) => _("%(name)s is now 2nd.", { name }),
    (name) => _("%(name)s is now 3rd.", { name }),
    (name) => _("%(name)s is now 4th.", { name }),
    (name) => _("%(name)s is now 5th.", { name }),
  ];
  for (const select of selects) select.closest(".field").hidden = true;
  const eachOnce = form.querySelector(".hint");
  if (eachOnce) eachOnce.hidden = true;

  const current = selects.map((s) => s.value);
  let picked = new Set(current).size === current.length ? current : [];

  const intro = document.createElement("p");
  intro.className = "hint";
  intro.textContent = _("Tap them in the order that matters most to you. Tap one again to take it out.");
  const group = document.createElement("div");
  group.className = "order-picks";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", _("My love languages, most important first"));
  const said = document.createElement("p");
  said.className = "hint";
  said.setAttribute("aria-live", "polite");
  const again = button(_("Start again"), "secondary");
  const save = form.querySelector("button[type=submit]");
  const buttons = Object.entries(names).map(([value, label]) => {
    const pick = button("", "order-pick");
    pick.dataset.value = value;
    const rank = document.createElement("span");
    rank.className = "rank";
    rank.setAttribute("aria-hidden", "true");
    const words = document.createElement("span");
    words.textContent = label;
    const place = document.createElement("span");
    place.className = "visually-hidden";
    pick.append(rank, words, place);
    pick.addEventListener("click", () => {
      if (picked.includes(value)) {
        picked = picked.filter((v) => v !== value);
        said.textContent = _("%(name)s taken out.", { name: label });
      } else {
        picked = [...picked, value];
        said.textContent = nowAt[picked.length - 1](label);
      }
      draw();
    });
    return pick;
  });
  group.append(...buttons);
  again.addEventListener("click", () => {
    picked = [];
    said.textContent = _("Cleared: tap the first one.");
    draw();
  });
  save.before(intro, group, again, said);

  function draw() {
    for (const pick of buttons) {
      const at = picked.indexOf(pick.dataset.value);
      pick.setAttribute("aria-pressed", at >= 0 ? "true" : "false");
      pick.querySelector(".rank").textContent = at >= 0 ? String(at + 1) : "";
      pick.querySelector(".visually-hidden").textContent = at >= 0 ? `, ${places[at]}` : "";
    }
    const done = picked.length === selects.length;
    if (done) picked.forEach((value, n) => { selects[n].value = value; });
    save.disabled = !done;
  }
  draw();
}

for (const form of document.querySelectorAll("form[data-love-quiz]")) quiz(form);
for (const form of document.querySelectorAll("form[data-love-order]")) order(form);

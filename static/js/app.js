// Small enhancements; every page works without them.

import "./pwa.js";

function detectTimezone() {
  for (const select of document.querySelectorAll('select[data-detect-timezone="on"]')) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && [...select.options].some((option) => option.value === zone)) {
      select.value = zone;
    }
  }
}

function enableCopy() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(source.value);
      button.textContent = "Copied";
    });
  }
  for (const input of document.querySelectorAll("input[data-select-on-focus]")) {
    input.addEventListener("focus", () => input.select());
  }
}

detectTimezone();
enableCopy();

if (document.querySelector("[data-apology-check], [data-i-statement], [data-quick-exit], [data-reconnect]")) {
  import("./repair.js");
}

if (document.querySelector("[data-reminders]")) {
  import("./reminders.js");
}
